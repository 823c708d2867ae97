import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _, ngettext_lazy

from crm.filtersets import RecordFilterSet
from crm.models import BusinessContact, ListKind, ListValue
from leads.models import Lead

RATING_CHOICES = [(n, ngettext_lazy("%(n)d star or more", "%(n)d stars or more", n) % {"n": n}) for n in range(1, 6)]


class LeadFilterSet(RecordFilterSet):
    search_fields = ("full_name", "company_name", "email")
    sqlite_fulltext_table = "crm_businesscontact_fts"
    source = django_filters.ModelChoiceFilter(queryset=ListValue.objects.filter(kind=ListKind.SOURCE), label=_("Source"))
    rating = django_filters.TypedChoiceFilter(
        field_name="score", lookup_expr="gte", choices=RATING_CHOICES, coerce=int, label=_("Rating"))
    score_type = django_filters.ChoiceFilter(choices=BusinessContact.ScoreType.choices, label=_("Score type"))
    account = django_filters.NumberFilter(field_name="account_id", widget=forms.HiddenInput)

    class Meta:
        model = Lead
        fields = ["q", "assigned_to", "source", "rating", "score_type", "category", "created_after", "created_before",
                  "account"]
