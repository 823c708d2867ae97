from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Contact Management")

    def ready(self) -> None:
        # Registers record types, roll-ups and the owner group hook.
        from django.contrib.auth.signals import user_logged_in

        from crm import registrations  # noqa: F401
        from crm.generic import lookups
        from crm.middleware import remember_language

        lookups.register()
        user_logged_in.connect(remember_language, dispatch_uid="crm_remember_language")
