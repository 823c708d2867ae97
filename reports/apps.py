from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from crm import navigation as nav

        from . import definitions  # noqa: F401  (registers every report)

        # Each workspace ends with its Reports tab (added last: the apps' own tabs come first).
        for workspace in nav.WORKSPACES:
            nav.add_tab(workspace.key, nav.Tab(_("Reports"), f"reports:{workspace.key}"))
        self.register_dashboard_panels()

    def register_dashboard_panels(self) -> None:
        from crm import dashboard as panels

        from . import dashboard

        template = "reports/includes/dashboard_report.html"
        panels.register_panel(panels.Panel(key="my_pipeline", title=_("My pipeline"), template=template,
                                           context=dashboard.my_pipeline, order=20))
        panels.register_panel(panels.Panel(key="my_forecast", title=_("My forecast, next 3 months"),
                                           template=template, context=dashboard.my_forecast, order=30))
        panels.register_panel(panels.Panel(
            key="team", title=_("The team this quarter"), template=template, order=80, width="col-12",
            context=dashboard.team_figures))
