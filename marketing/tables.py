"""Columns of the marketing activity list."""
from django.utils.translation import gettext_lazy as _

from crm.generic.tables import DateColumn, FastColumn, MoneyColumn, RecordTable, TitleColumn, UserColumn
from crm.models import MarketingActivity


class MarketingActivityTable(RecordTable):
    name = TitleColumn(verbose_name=_("Name"))
    activity_type = FastColumn(verbose_name=_("Type"), accessor="activity_type__name",
                               order_by=("activity_type__name",))
    start_date = DateColumn(verbose_name=_("Start date"))
    end_date = DateColumn(verbose_name=_("End date"))
    budget = MoneyColumn(verbose_name=_("Budget"))
    assigned_to = UserColumn(verbose_name=_("Assigned to"), order_by=("assigned_to_id",))

    default_columns = ("name", "activity_type", "start_date", "end_date", "budget", "assigned_to")

    class Meta(RecordTable.Meta):
        model = MarketingActivity
        fields = ("name", "activity_type", "start_date", "end_date", "budget", "assigned_to", "categories")
        sequence = fields
