from django.utils.translation import gettext_lazy as _

from crm.generic.tables import (EMPTY, DateColumn, FastColumn, MoneyColumn, RecordTable, TextColumn, TitleColumn,
                                UserColumn, esc)
from sales.models import Opportunity


class LinkedColumn(FastColumn):
    """The account or business contact the opportunity belongs to."""

    clip = True

    def cell(self, record, name: str) -> str:
        linked = record.account if record.account_id else record.contact
        return esc(linked) if linked else EMPTY

    def text(self, record, name: str) -> str:
        linked = record.account if record.account_id else record.contact
        return str(linked) if linked else ""


class StageColumn(FastColumn):
    def cell(self, record, name: str) -> str:
        stage = record.stage
        if stage is None:
            return EMPTY
        css = {"won": "text-bg-success", "lost": "text-bg-secondary"}.get(stage.kind, "text-bg-light border")
        return f'<span class="badge {css}">{esc(stage)}</span>'


class OpportunityTable(RecordTable):
    title = TitleColumn(verbose_name=_("Opportunity title"))
    linked = LinkedColumn(verbose_name=_("Account or business contact"), order_by=("account__name", "contact__file_as"))
    stage = StageColumn(verbose_name=_("Sales stage"), order_by=("stage__position",))
    probability = TextColumn(verbose_name=_("Probability (%)"))
    total = MoneyColumn(verbose_name=_("Total"))
    expected_revenue = MoneyColumn(verbose_name=_("Expected revenue"))
    close_date = DateColumn(verbose_name=_("Close date"))
    assigned_to = UserColumn(verbose_name=_("Assigned to"), order_by=("assigned_to_id",))

    default_columns = ("title", "linked", "stage", "expected_revenue", "close_date", "assigned_to")

    class Meta(RecordTable.Meta):
        model = Opportunity
        fields = ("title", "linked", "stage", "probability", "total", "expected_revenue", "close_date", "assigned_to",
                  "categories")
        sequence = fields
