import django_filters
from django.utils.translation import gettext_lazy as _, ngettext_lazy

from crm.filtersets import PersonFilterSet
from crm.models import BusinessContact
from leads.models import Lead

RATING_CHOICES = [(n, ngettext_lazy("%(n)d star or more", "%(n)d stars or more", n) % {"n": n}) for n in range(1, 6)]


class LeadFilterSet(PersonFilterSet):
    # A ChoiceFilter offers "any rating" (empty) first; a TypedChoiceFilter had no
    # empty choice, so every filter change sent "1 star or more" and hid unrated leads.
    rating = django_filters.ChoiceFilter(
        field_name="score", lookup_expr="gte", choices=RATING_CHOICES, label=_("Rating"))
    score_type = django_filters.ChoiceFilter(choices=BusinessContact.ScoreType.choices, label=_("Score type"))

    class Meta:
        model = Lead
        fields = ["q", "assigned_to", "source", "rating", "score_type", "category", "created_after", "created_before",
                  "account"]
