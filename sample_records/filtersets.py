"""Filters of the site visit list."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.filtersets import RecordFilterSet
from sample_records.models import SiteVisit


def date_input():
    return forms.DateInput(attrs={"type": "date"})


class SiteVisitFilterSet(RecordFilterSet):
    kind = django_filters.ChoiceFilter(choices=SiteVisit.Kind.choices, label=_("Kind of visit"))
    linked = django_filters.CharFilter(method="filter_linked", label=_("Account or business contact"))
    visited_after = django_filters.DateFilter(field_name="visit_date", lookup_expr="gte", label=_("Visited from"),
                                              widget=date_input())
    visited_before = django_filters.DateFilter(field_name="visit_date", lookup_expr="lte", label=_("Visited to"),
                                               widget=date_input())
    account = django_filters.NumberFilter(field_name="account_id", widget=forms.HiddenInput)
    contact = django_filters.NumberFilter(field_name="contact_id", widget=forms.HiddenInput)

    class Meta:
        model = SiteVisit
        fields = ["q", "kind", "assigned_to", "linked", "visited_after", "visited_before", "category",
                  "created_after", "created_before", "account", "contact"]

    def filter_linked(self, queryset, name, value):
        for word in value.split()[:8]:
            queryset = queryset.filter(SiteVisit.linked.name_q(word))
        return queryset
