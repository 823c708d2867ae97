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
        """Project templates (Customize) and Create project from an opportunity:
        a button on the opportunity's page and pane, and a bulk action on the
        Opportunities list (the sales app does not know the projects app)."""
        from django.urls import reverse

        from crm import navigation
        from crm.generic import actions, panes
        from projects.views import CreateProjects

        navigation.add_customize_entry(_("Project templates"), "projects:templates",
                                       _("Named lists of tasks that Create project gives a new project, with dates."))
        # Open and closed opportunities alike: creating a project does not change the opportunity.
        panes.register_button("opportunity", _("Create project"), icon="kanban",
                              url=lambda opportunity: reverse("projects:opportunity_create_project",
                                                              args=[opportunity.pk]))
        actions.register_action("opportunity", CreateProjects(), before="delete")
