"""Filters of the marketing activity list."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.filtersets import RecordFilterSet
from crm.models import ListKind, ListValue, MarketingActivity


def date_input():
    return forms.DateInput(attrs={"type": "date"})


class MarketingActivityFilterSet(RecordFilterSet):
    activity_type = django_filters.ModelChoiceFilter(
        queryset=ListValue.objects.filter(kind=ListKind.MARKETING_ACTIVITY_TYPE), label=_("Type"))
    starts_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte", label=_("Starts from"),
                                             widget=date_input())
    starts_before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte", label=_("Starts to"),
                                              widget=date_input())

    class Meta:
        model = MarketingActivity
        fields = ["q", "activity_type", "assigned_to", "starts_after", "starts_before", "category",
                  "created_after", "created_before"]
