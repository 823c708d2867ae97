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
        self.register_dashboard_panel()

    def register_dashboard_panel(self) -> None:
        """The dashboard's newest leads assigned to the signed-in user."""
        from django.urls import reverse
        from django.utils.http import urlencode

        from crm import dashboard
        from leads.models import Lead

        def newest_leads(request) -> dict:
            leads = Lead.objects.filter(assigned_to=request.user).order_by("-created", "-id")[:8]
            link = reverse("leads:lead_list") + "?" + urlencode({"assigned_to": request.user.pk, "sort": "-created"})
            return {"leads": leads, "link": link}

        dashboard.register_panel(dashboard.Panel(
            key="newest_leads", title=_("Newest leads assigned to me"), template="leads/includes/dashboard_leads.html",
            context=newest_leads, order=40))
