from django.utils.translation import gettext_lazy as _

from crm.generic.tables import (
    DateColumn, EmailColumn, FastColumn, RecordTable, TextColumn, TitleColumn, UserColumn,
)
from crm.stars import stars_html
from leads.models import Lead


class StarsColumn(FastColumn):
    """The lead score as stars (with the number for screen readers)."""

    def cell(self, record, name: str) -> str:
        return stars_html(getattr(record, name))


class LeadTable(RecordTable):
    full_name = TitleColumn(verbose_name=_("Full name"), order_by=("file_as",))
    company_name = TextColumn(verbose_name=_("Company"))
    email = EmailColumn(verbose_name=_("E-mail"))
    business_phone = TextColumn(verbose_name=_("Business phone"))
    source = TextColumn(verbose_name=_("Source"), accessor="source__name", order_by=("source__name",))
    score = StarsColumn(verbose_name=_("Rating"))
    assigned_to = UserColumn(verbose_name=_("Assigned to"), order_by=("assigned_to_id",))
    created = DateColumn(verbose_name=_("Created"))

    default_columns = ("full_name", "company_name", "business_phone", "score", "assigned_to", "categories")

    class Meta(RecordTable.Meta):
        model = Lead
        fields = ("full_name", "company_name", "email", "business_phone", "source", "score", "assigned_to",
                  "categories", "created")
        sequence = fields
