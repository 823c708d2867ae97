"""Record types and history roll-ups of the contact-management workspace."""
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.generic import registry
from crm.models import Account, BusinessContact

registry.register(registry.RecordType(
    key="account", model=Account, verbose_name=_("Account"), verbose_name_plural=_("Accounts"),
))
registry.register(registry.RecordType(
    key="contact", model=BusinessContact, verbose_name=_("Business Contact"), verbose_name_plural=_("Business Contacts"),
    filter=Q(is_lead=False), owns=lambda obj: not obj.is_lead,
))
# A business contact's history also shows on its account's History page.
registry.register_rollup(Account, BusinessContact, "account")


def _dashboard_panels() -> None:
    """The dashboard panels of crm itself: my open tasks, recent communication."""
    from crm import dashboard
    from crm.views import home

    dashboard.register_panel(dashboard.Panel(
        key="my_tasks", title=_("My open tasks"), template="crm/includes/dashboard_tasks.html",
        context=home.my_open_tasks, order=50, width="col-lg-6"))
    dashboard.register_panel(dashboard.Panel(
        key="recent", title=_("Recent communication"), template="crm/includes/dashboard_recent.html",
        context=home.recent_communication, order=90, width="col-lg-6"))


_dashboard_panels()
