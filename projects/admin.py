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
# (Imported here, not at the top: this section is written apart from the one above.)
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from crm.admin import OwnerInline, OwnerModelAdmin, owner_admin_site
from projects import services
from projects.forms import TemplateTaskForm
from projects.models import ProjectTemplate, TemplateTask


class TemplateTaskInline(OwnerInline):
    """A template's task definitions, with the Customize page's form (its
    messages for a negative offset or duration); written by ``save_formset``
    through the services (a new one goes at the end)."""

    model = TemplateTask
    form = TemplateTaskForm
    fields = ("subject", "offset_days", "duration_days", "priority", "assignee", "position")


@admin.register(ProjectTemplate, site=owner_admin_site)
class ProjectTemplateAdmin(OwnerModelAdmin):
    """Project templates as on the Customize page: a name is unique in any
    case and a new template goes last (the order is changed there, with Move
    up / Move down)."""

    fields = ("name", "position")
    readonly_fields = ("position",)
    list_display = ("name", "task_count", "position")
    ordering = ("position", "name", "id")
    search_fields = ("name",)
    inlines = [TemplateTaskInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(task_count=Count("tasks"))

    @admin.display(description=_("tasks"), ordering="task_count")
    def task_count(self, obj) -> int:
        return obj.task_count

    def save_model(self, request, obj, form, change):
        services.template_save(template=obj)

    def save_formset(self, request, form, formset, change):
        tasks = formset.save(commit=False)
        for task in formset.deleted_objects:
            services.template_task_delete(task=task)
        for task in tasks:
            services.template_task_save(task=task)

    def delete_model(self, request, obj):
        services.template_delete(template=obj)
