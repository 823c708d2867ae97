from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Contact Management")

    def ready(self) -> None:
        # Registers record types, roll-ups and the owner group hook.
        from crm import registrations  # noqa: F401
