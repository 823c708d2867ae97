"""Contact Management ▸ Reports."""
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from crm.filtersets import AccountFilterSet, ContactFilterSet
from crm.models import Account, BusinessContact

from .. import dimensions
from ..base import Measure, Report
from ..registry import register


@register
class AccountsByCategory(Report):
    code = "accounts-by-category"
    workspace = "contacts"
    title = _("Accounts by Category")
    description = _("How many accounts carry each category (an account in two categories counts in both).")
    list_url_name = "crm:account_list"
    filterset_class = AccountFilterSet
    filter_names = ("assigned_to", "category", "city")
    date_field = "created__date"
    date_label = _("Created")
    date_params = ("created_after", "created_before")
    dimensions = [dimensions.category(), dimensions.person()]
    default_group = "category"
    then_by = ("assigned_to",)
    measures = [Measure("count", _("Accounts"), "count", Count("pk"))]
    default_columns = ("count",)

    def records(self):
        return Account.objects.all()


class ContactReport(Report):
    workspace = "contacts"
    list_url_name = "crm:contact_list"
    filterset_class = ContactFilterSet
    filter_names = ("assigned_to", "source", "category", "city", "quiet_days")
    date_field = "created__date"
    date_label = _("Created")
    date_params = ("created_after", "created_before")
    dimensions = [
        dimensions.category(),
        dimensions.person(),
        dimensions.related("account", _("Account"), param="account", none_label=_("No account"), null_link=False),
    ]
    measures = [Measure("count", _("Business contacts"), "count", Count("pk"))]
    default_columns = ("count",)

    def records(self):
        return BusinessContact.objects.filter(is_lead=False)


@register
class ContactsByCategory(ContactReport):
    code = "contacts-by-category"
    title = _("Business Contacts by Category")
    description = _("How many business contacts carry each category (a contact in two categories counts in both).")
    default_group = "category"
    then_by = ("assigned_to",)


@register
class ContactsGoingCold(ContactReport):
    code = "contacts-going-cold"
    title = _("Business Contacts Going Cold")
    description = _("Business contacts with no history (theirs or their opportunities' and projects') in the last "
                    "N days, by the person they are assigned to.")
    default_group = "assigned_to"
    default_filters = {"quiet_days": "90"}
    default_sort = "count"
    default_descending = True
