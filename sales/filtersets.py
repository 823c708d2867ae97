"""Filters of the opportunities list."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from crm.filtersets import RecordFilterSet
from crm.generic.filtersets import RecordScopeFilter
from crm.models import ListKind, ListValue
from sales.models import Opportunity, SalesListKind, SalesStage, status_q


def date_input():
    return forms.DateInput(attrs={"type": "date"})


class OpportunityFilterSet(RecordFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), method="filter_status",
        choices=[("open", pgettext_lazy("opportunity status", "Open")), ("won", _("Closed Won")), ("lost", _("Closed Lost")), ("closed", _("Closed"))])
    stage = django_filters.ModelChoiceFilter(queryset=SalesStage.objects.all(), label=_("Sales stage"),
                                             null_label=_("No stage"))
    opportunity_type = django_filters.ModelChoiceFilter(
        queryset=ListValue.objects.filter(kind=SalesListKind.OPPORTUNITY_TYPE), label=_("Type"), null_label=_("No type"))
    source = django_filters.ModelChoiceFilter(queryset=ListValue.objects.filter(kind=ListKind.SOURCE), label=_("Source"),
                                              null_label=_("No source"))
    linked = django_filters.CharFilter(method="filter_linked", label=_("Account or business contact"))
    total_min = django_filters.NumberFilter(field_name="total", lookup_expr="gte", label=_("Total from"))
    total_max = django_filters.NumberFilter(field_name="total", lookup_expr="lte", label=_("Total to"))
    expected_min = django_filters.NumberFilter(field_name="expected_revenue", lookup_expr="gte",
                                               label=_("Expected revenue from"))
    close_after = django_filters.DateFilter(field_name="close_date", lookup_expr="gte", label=_("Close date from"),
                                            widget=date_input())
    close_before = django_filters.DateFilter(field_name="close_date", lookup_expr="lte", label=_("Close date to"),
                                             widget=date_input())
    account = django_filters.NumberFilter(field_name="account_id", widget=forms.HiddenInput)
    contact = django_filters.NumberFilter(field_name="contact_id", widget=forms.HiddenInput)
    # From a marketing activity's tracking page: the opportunities it initiated.
    initiated_by_activity = RecordScopeFilter(field_name="initiated_by_activity_id",
                                              label=_("Only opportunities initiated by the marketing activity"))

    class Meta:
        model = Opportunity
        fields = ["q", "status", "stage", "assigned_to", "linked", "opportunity_type", "source", "total_min",
                  "total_max", "expected_min", "close_after", "close_before", "category", "created_after",
                  "created_before", "account", "contact", "initiated_by_activity"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(status_q(value))

    def filter_linked(self, queryset, name, value):
        for word in value.split()[:8]:
            queryset = queryset.filter(Opportunity.linked.name_q(word))
        return queryset
