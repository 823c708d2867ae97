import django_filters
from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _, ngettext

from crm.filtersets import PersonFilterSet
from crm.generic.filtersets import RecordScopeFilter
from crm.models import BusinessContact
from crm.scoring import MAX_STARS
from leads.models import Lead


def _at_least(n: int) -> str:
    return ngettext("%(n)d star or more", "%(n)d stars or more", n) % {"n": n}


# Lazy: the labels are made in the reader's language when a page draws them
# (ngettext_lazy(...) % {...} formats at once, in the language of the import).
RATING_CHOICES = [(n, lazy(_at_least, str)(n)) for n in range(1, MAX_STARS + 1)]


class LeadFilterSet(PersonFilterSet):
    # A ChoiceFilter (not TypedChoiceFilter, whose select has no empty choice and
    # so always sent "1 star or more", hiding every 0-star lead).
    rating = django_filters.ChoiceFilter(
        field_name="score", lookup_expr="gte", choices=RATING_CHOICES, label=_("Rating"), empty_label=_("Any rating"))
    # A report's "3 stars" figure opens the leads with exactly 3 stars.
    score = django_filters.NumberFilter(field_name="score", widget=forms.HiddenInput)
    score_type = django_filters.ChoiceFilter(choices=BusinessContact.ScoreType.choices, label=_("Score type"))
    # From a marketing activity's tracking page: the leads it brought in.
    initiated_by_activity = RecordScopeFilter(field_name="initiated_by_activity_id",
                                              label=_("Only leads initiated by the marketing activity"))

    class Meta:
        model = Lead
        fields = ["q", "assigned_to", "source", "rating", "score_type", "category", "created_after", "created_before",
                  "account", "initiated_by_activity", "score"]
