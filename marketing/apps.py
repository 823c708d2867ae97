from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    """The Marketing workspace: marketing activities and their tracking page.

    The model is ``crm.models.MarketingActivity``, in the contact-management
    base, because a business contact's or lead's "Initiated by" is a foreign
    key to it and the base depends on no app built on it. This app declares
    the record type's pages, and the tracking page, which reads leads and
    opportunities (so it depends on ``leads`` and ``sales``; they do not
    depend on it)."""

    name = "marketing"
    verbose_name = _("Marketing")

    def ready(self) -> None:
        from crm import navigation
        from crm.generic import registry
        from crm.models import MarketingActivity

        registry.register(registry.RecordType(
            key="marketing_activity", model=MarketingActivity, verbose_name=_("Marketing activity"),
            verbose_name_plural=_("Marketing activities"), url_namespace="marketing",
        ))
        navigation.add_tab("marketing", navigation.Tab(_("Marketing Activities"), "marketing:marketing_activity_list",
                                                       ("marketing_activity",)))
