"""Columns of the site visit list."""
from django.utils.translation import gettext_lazy as _

from crm.generic.tables import (EMPTY, ChoiceColumn, DateColumn, FastColumn, MoneyColumn, RecordTable, TitleColumn,
                                UserColumn, esc)
from sample_records.models import SiteVisit


class LinkedColumn(FastColumn):
    """The account or business contact visited."""

    clip = True

    def cell(self, record, name: str) -> str:
        linked = record.linked
        return esc(linked) if linked else EMPTY

    def text(self, record, name: str) -> str:
        return str(record.linked or "")


class SiteVisitTable(RecordTable):
    title = TitleColumn(verbose_name=_("Title"))
    visit_date = DateColumn(verbose_name=_("Visit date"))
    kind = ChoiceColumn(verbose_name=_("Kind of visit"))
    linked = LinkedColumn(verbose_name=_("Account or business contact"), order_by=("account__name", "contact__file_as"))
    expenses = MoneyColumn(verbose_name=_("Expenses"))
    assigned_to = UserColumn(verbose_name=_("Assigned to"), order_by=("assigned_to_id",))

    default_columns = ("title", "visit_date", "kind", "linked", "assigned_to")

    class Meta(RecordTable.Meta):
        model = SiteVisit
        fields = ("title", "visit_date", "kind", "linked", "expenses", "assigned_to", "categories")
        sequence = fields
