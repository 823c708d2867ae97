"""Projects, tasks and project templates in the owner's admin: saved and deleted through the services."""
from __future__ import annotations

from django.contrib import admin

from crm.admin import OwnerInline, RecordAdmin, owner_admin_site
from projects import services
from projects.models import BusinessProject, ProjectTask


# --- Projects and tasks ------------------------------------------------------------------

class ProjectTaskInline(OwnerInline):
    """A project's tasks are shown here; they are edited on the project form or
    on their own admin page, which keep the project's % complete."""

    model = ProjectTask
    fields = ("subject", "assigned_to", "start_date", "due_date", "status", "priority", "percent_complete")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BusinessProject, site=owner_admin_site)
class BusinessProjectAdmin(RecordAdmin):
    list_display = ("name", "status", "priority", "start_date", "due_date", "percent_complete", "assigned_to",
                    "modified")
    list_filter = ("status", "priority", "assigned_to", "categories")
    search_fields = BusinessProject.search_fields
    raw_id_fields = ("account", "contact", "opportunity", "related_accounts", "related_contacts")
    readonly_fields = ("percent_complete",)
    inlines = [ProjectTaskInline]

    def save_record(self, request, obj, m2m, expected_version, creating):
        services.project_save(instance=obj, user=request.user, expected_version=expected_version, m2m=m2m)


@admin.register(ProjectTask, site=owner_admin_site)
class ProjectTaskAdmin(RecordAdmin):
    list_display = ("subject", "project", "status", "due_date", "percent_complete", "assigned_to", "modified")
    list_filter = ("status", "priority", "assigned_to", "categories")
    search_fields = ProjectTask.search_fields
    raw_id_fields = ("project",)
    list_select_related = ("assigned_to", "project")


# --- Project templates -------------------------------------------------------------------
