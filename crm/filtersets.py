"""Filters for the CRM record lists."""
import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.generic.filtersets import RecordScopeFilter, SearchFilterSet
from crm.models import Account, BusinessContact, Category, ListKind, ListValue
from crm.names import person_name
from crm.selectors import active_users, contacted_since


def _active_users(request):
    return active_users()


class RecordFilterSet(SearchFilterSet):
    """Filters every record list has: search, assigned to, category, created."""

    assigned_to = django_filters.ModelChoiceFilter(queryset=_active_users, label=_("Assigned to"),
                                                   null_label=_("Unassigned"))
    category = django_filters.ModelMultipleChoiceFilter(
        queryset=Category.objects.all(), method="filter_category", label=_("Category"),
        widget=forms.CheckboxSelectMultiple,
    )
    created_after = django_filters.DateFilter(field_name="created", lookup_expr="date__gte", label=_("Created from"),
                                              widget=forms.DateInput(attrs={"type": "date"}))
    created_before = django_filters.DateFilter(field_name="created", lookup_expr="date__lte", label=_("Created to"),
                                               widget=forms.DateInput(attrs={"type": "date"}))

    @property
    def form(self):
        """The filter form; people by their names ("Alice Martin"), as everywhere else."""
        form = super().form
        if "assigned_to" in form.fields:
            form.fields["assigned_to"].label_from_instance = person_name
        return form

    def filter_category(self, queryset, name, value):
        """Records in any of the chosen categories, without a DISTINCT join.

        A correlated EXISTS rather than ``pk IN (subquery)``: the database then
        walks the list's sort index and stops after one page of matches
        (SQLite: 0.3 ms instead of 15 ms for 12,000 matches among 100,000),
        where IN made it collect and sort every match first."""
        if not value:
            return queryset
        through = queryset.model._meta.get_field("categories").remote_field.through
        source = f"{queryset.model._meta.concrete_model._meta.model_name}_id"
        return queryset.filter(Exists(through.objects.filter(category__in=value, **{source: OuterRef("pk")})))


class AccountFilterSet(RecordFilterSet):
    city = django_filters.CharFilter(field_name="business_city", lookup_expr="iexact", label=_("City"))

    class Meta:
        model = Account
        fields = ["q", "assigned_to", "category", "city", "created_after", "created_before"]


class PersonFilterSet(RecordFilterSet):
    """What business contact and lead lists share (one table, one search index)."""

    account = django_filters.NumberFilter(field_name="account_id", widget=forms.HiddenInput)
    source = django_filters.ModelChoiceFilter(queryset=ListValue.objects.filter(kind=ListKind.SOURCE), label=_("Source"),
                                              null_label=_("No source"))


class ContactFilterSet(PersonFilterSet):
    city = django_filters.CharFilter(field_name="business_city", lookup_expr="iexact", label=_("City"))
    # From a marketing activity's tracking page: the business contacts it brought in.
    initiated_by_activity = RecordScopeFilter(field_name="initiated_by_activity_id",
                                              label=_("Only business contacts initiated by the marketing activity"))

    quiet_days = django_filters.NumberFilter(
        method="filter_quiet", label=_("No history in the last … days"), min_value=1, max_value=3650)

    class Meta:
        model = BusinessContact
        fields = ["q", "assigned_to", "source", "category", "city", "quiet_days", "account", "created_after",
                  "created_before", "initiated_by_activity"]

    def filter_quiet(self, queryset, name, value):
        """Contacts going cold: no history item of theirs (or of their
        opportunities and projects) in the last ``value`` days."""
        if not value:
            return queryset
        since = timezone.now() - datetime.timedelta(days=int(value))
        return queryset.exclude(pk__in=contacted_since(BusinessContact, since))
