"""Filters of the marketing activity list."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.filtersets import RecordFilterSet
from crm.models import ListKind, ListValue, MarketingActivity


def date_input():
    return forms.DateInput(attrs={"type": "date"})


class MarketingActivityFilterSet(RecordFilterSet):
    """Search by name, type, assigned to, the dates it runs, category, created."""

    activity_type = django_filters.ModelChoiceFilter(
        queryset=ListValue.objects.filter(kind=ListKind.MARKETING_ACTIVITY_TYPE), label=_("Type"))
    starts_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte", label=_("Starts from"),
                                             widget=date_input())
    starts_before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte", label=_("Starts to"),
                                              widget=date_input())
    ends_after = django_filters.DateFilter(field_name="end_date", lookup_expr="gte", label=_("Ends from"),
                                           widget=date_input())
    ends_before = django_filters.DateFilter(field_name="end_date", lookup_expr="lte", label=_("Ends to"),
                                            widget=date_input())

    class Meta:
        model = MarketingActivity
        fields = ["q", "activity_type", "assigned_to", "starts_after", "starts_before", "ends_after", "ends_before",
                  "category", "created_after", "created_before"]
