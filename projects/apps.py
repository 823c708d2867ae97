from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Project Management")

    def ready(self) -> None:
        self.register_projects_and_tasks()
        self.register_templates_and_creating()

    def register_projects_and_tasks(self) -> None:
        """Business projects and project tasks: record types, tabs, roll-ups, pane sections."""

    def register_templates_and_creating(self) -> None:
        """Project templates (Customize) and Create project from an opportunity."""
