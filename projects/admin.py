"""Projects, tasks and project templates in the owner's admin: saved and deleted through the services."""
from __future__ import annotations


# --- Projects and tasks ------------------------------------------------------------------


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
