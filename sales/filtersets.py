"""Filters of the opportunities list."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from crm.filtersets import RecordFilterSet
from crm.generic.filtersets import RecordScopeFilter
from crm.models import ListKind, ListValue
from crm.names import person_name
from crm.selectors import active_users
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
    activities_overdue = django_filters.BooleanFilter(
        method="filter_activities_overdue", label=_("With sales activities overdue"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    # From a marketing activity's tracking page: the opportunities it initiated.
    initiated_by_activity = RecordScopeFilter(field_name="initiated_by_activity_id",
                                              label=_("Only opportunities initiated by the marketing activity"))

    class Meta:
        model = Opportunity
        fields = ["q", "status", "stage", "assigned_to", "linked", "opportunity_type", "source", "total_min",
                  "total_max", "expected_min", "close_after", "close_before", "category", "created_after",
                  "created_before", "activities_overdue", "account", "contact", "initiated_by_activity"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(status_q(value))

    def filter_activities_overdue(self, queryset, name, value):
        """Open opportunities with a sales activity of their stage past its due day and not done."""
        if not value:
            return queryset
        from django.utils import timezone

        from sales.selectors import activities_to_do

        today = timezone.localdate()
        late = activities_to_do(Opportunity.objects.all(), today).filter(reminder_due__lt=today).values("pk")
        return queryset.filter(pk__in=late)

    def filter_linked(self, queryset, name, value):
        for word in value.split()[:8]:
            queryset = queryset.filter(Opportunity.linked.name_q(word))
        return queryset


def _assignee_choices():
    """Mine, then everyone who shares the database (the "Assigned to" choices)."""
    return [(MINE, pgettext_lazy("assigned to", "Mine")),
            *((str(user.pk), person_name(user)) for user in active_users())]


MINE = "mine"


class BoardFilterSet(django_filters.FilterSet):
    """The pipeline board's filters: whose opportunities (Mine, or a
    colleague's) and a close date range. The names are the list's, so the
    board's List link keeps the range."""

    assigned_to = django_filters.ChoiceFilter(choices=[], label=_("Assigned to"),
                                              empty_label=_("Everyone"), method="filter_assigned_to")
    close_after = django_filters.DateFilter(field_name="close_date", lookup_expr="gte", label=_("Close date from"),
                                            widget=date_input())
    close_before = django_filters.DateFilter(field_name="close_date", lookup_expr="lte", label=_("Close date to"),
                                             widget=date_input())

    class Meta:
        model = Opportunity
        fields = ["assigned_to", "close_after", "close_before"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when first needed, then kept: validating a choice and drawing the select each ask.
        read: list = []
        self.filters["assigned_to"].extra["choices"] = lambda: read or read.extend(_assignee_choices()) or read
        for field in self.form.fields.values():
            field.widget.attrs["class"] = ("form-select form-select-sm" if isinstance(field.widget, forms.Select)
                                           else "form-control form-control-sm")

    def filter_assigned_to(self, queryset, name, value):
        if value == MINE:
            user = getattr(self.request, "user", None)
            return queryset.filter(assigned_to=user) if user is not None and user.is_authenticated else queryset.none()
        return queryset.filter(assigned_to_id=int(value))  # one of the choices: a user's id

    def list_query(self) -> dict[str, str]:
        """The filter as the Opportunities list reads it (Mine as the user's id)."""
        data = self.form.cleaned_data if self.is_valid() else {}
        query = {}
        if data.get("assigned_to"):
            query["assigned_to"] = str(self.request.user.pk) if data["assigned_to"] == MINE else data["assigned_to"]
        for name in ("close_after", "close_before"):
            if data.get(name):
                query[name] = data[name].isoformat()
        return query
