import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.filtersets import RecordFilterSet
from crm.models import BusinessContact, ListKind, ListValue
from leads.models import Lead

RATING_CHOICES = [(n, _("%(n)d stars or more") % {"n": n} if n else _("Any")) for n in range(0, 6)]


class LeadFilterSet(RecordFilterSet):
    search_fields = ("full_name", "company_name", "email")
    source = django_filters.ModelChoiceFilter(queryset=ListValue.objects.filter(kind=ListKind.SOURCE), label=_("Source"))
    rating = django_filters.TypedChoiceFilter(
        field_name="score", lookup_expr="gte", choices=RATING_CHOICES[1:], coerce=int, label=_("Rating"))
    score_type = django_filters.ChoiceFilter(choices=BusinessContact.ScoreType.choices, label=_("Score type"))
    account = django_filters.NumberFilter(field_name="account_id", widget=forms.HiddenInput)

    class Meta:
        model = Lead
        fields = ["q", "assigned_to", "source", "rating", "score_type", "category", "created_after", "created_before",
                  "account"]
