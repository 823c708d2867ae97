from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from django.db.models import Q

        from crm import navigation
        from crm.generic import registry
        from leads.models import Lead

        registry.register(registry.RecordType(
            key="lead", model=Lead, verbose_name=_("Lead"), verbose_name_plural=_("Leads"),
            url_namespace="leads", filter=Q(is_lead=True), owns=lambda obj: obj.is_lead,
        ))
        navigation.add_tab("sales", navigation.Tab(_("Leads"), "leads:lead_list", ("lead",)))
