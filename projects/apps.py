from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Project Management")

    def ready(self) -> None:
        self.register_projects_and_tasks()
        self.register_templates_and_creating()
        self.register_dashboard_panel()
        self.register_reminders()

    def register_reminders(self) -> None:
        """Open project tasks remind their assignee on their due date (crm.reminders)."""
        from crm import reminders
        from projects import selectors

        reminders.register_source("project_task", _("Project task"), rows=selectors.task_reminder_rows,
                                  describe=selectors.describe_task_reminder, date_only=True, order=40)

    def register_projects_and_tasks(self) -> None:
        """Business projects and project tasks: record types, tabs, roll-ups, pane sections."""
        from crm import navigation
        from crm.generic import panes, registry
        from crm.models import Account, BusinessContact
        from projects.models import BusinessProject, ProjectTask
        from projects.selectors import projects_from_opportunity, related_projects

        registry.register(registry.RecordType(
            key="project", model=BusinessProject, verbose_name=_("Business project"),
            verbose_name_plural=_("Business projects"), url_namespace="projects",
        ))
        registry.register(registry.RecordType(
            key="project_task", model=ProjectTask, verbose_name=_("Project task"),
            verbose_name_plural=_("Project tasks"), url_namespace="projects",
        ))
        # A project's history also shows on its account's or business contact's
        # History page, and a task's on its project's.
        registry.register_rollup(Account, BusinessProject, "account")
        registry.register_rollup(BusinessContact, BusinessProject, "contact")
        registry.register_rollup(BusinessProject, ProjectTask, "project")
        navigation.add_tab("projects", navigation.Tab(_("Business Projects"), "projects:project_list", ("project",)))
        navigation.add_tab("projects", navigation.Tab(_("Project Tasks"), "projects:project_task_list",
                                                      ("project_task",)))
        # Their projects on the pages of accounts and business contacts, and on an
        # opportunity's page the projects created from it.
        for key in ("account", "contact"):
            panes.register_pane_section(
                key, "projects/includes/related_projects.html",
                context=lambda request, obj, key=key: {"key": key, "related": related_projects(obj)})
        panes.register_pane_section(
            "opportunity", "projects/includes/opportunity_projects.html",
            context=lambda request, obj: {"related": projects_from_opportunity(obj)})

    def register_dashboard_panel(self) -> None:
        """The dashboard's overdue project tasks of the signed-in user."""
        from django.urls import reverse

        from crm import dashboard
        from projects.models import ProjectTask, overdue_q

        def my_overdue_tasks(request) -> dict:
            tasks = (ProjectTask.objects.filter(overdue_q(), assigned_to=request.user).select_related("project")
                     .order_by("due_date", "id")[:8])
            return {"tasks": tasks, "link": reverse("projects:project_task_list") + "?mine=on&overdue=on"}

        dashboard.register_panel(dashboard.Panel(
            key="my_overdue_project_tasks", title=_("My overdue project tasks"),
            template="projects/includes/dashboard_tasks.html", context=my_overdue_tasks, order=60))

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
