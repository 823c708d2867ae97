from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SampleRecordsConfig(AppConfig):
    """A record type in an app of its own (test-only: see sample_records/settings.py)."""

    name = "sample_records"
    verbose_name = _("Site visits")

    def ready(self) -> None:
        from crm import navigation
        from crm.generic import registry
        from crm.models import Account, BusinessContact
        from sample_records.models import SiteVisit

        registry.register(registry.RecordType(
            key="site_visit", model=SiteVisit, verbose_name=_("Site visit"),
            verbose_name_plural=_("Site visits"), url_namespace="sample_records",
        ))
        # A visit's history also shows on the account's or business contact's History page.
        registry.register_rollup(Account, SiteVisit, "account")
        registry.register_rollup(BusinessContact, SiteVisit, "contact")
        navigation.add_tab("sales", navigation.Tab(_("Site visits"), "sample_records:site_visit_list", ("site_visit",)))
