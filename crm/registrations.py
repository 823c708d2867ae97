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
