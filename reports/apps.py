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
