"""Record types and history roll-ups of the contact-management workspace."""
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.generic import registry
from crm.models import Account, BusinessContact
from crm.models.contacts import CONTACT_SEARCH_INDEX

registry.register(registry.RecordType(
    key="account", model=Account, verbose_name=_("Account"), verbose_name_plural=_("Accounts"),
    search_fields=("name", "email", "account_number"),
))
registry.register(registry.RecordType(
    key="contact", model=BusinessContact, verbose_name=_("Business Contact"), verbose_name_plural=_("Business Contacts"),
    search_fields=("full_name", "company_name", "email"), filter=Q(is_lead=False), owns=lambda obj: not obj.is_lead,
    search_index=CONTACT_SEARCH_INDEX,
))
# A business contact's history also shows on its account's History page.
registry.register_rollup(Account, BusinessContact, "account")
