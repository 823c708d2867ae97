from django.utils.translation import gettext_lazy as _

from crm.generic.tables import DateColumn, EmailColumn, RecordTable, TextColumn, TitleColumn, UserColumn
from crm.models import Account, BusinessContact


class AccountTable(RecordTable):
    name = TitleColumn(verbose_name=_("Account name"))
    business_phone = TextColumn(verbose_name=_("Business phone"))
    email = EmailColumn(verbose_name=_("E-mail"))
    business_city = TextColumn(verbose_name=_("City"))
    assigned_to = UserColumn(verbose_name=_("Assigned to"), order_by=("assigned_to_id",))
    created = DateColumn(verbose_name=_("Created"))

    class Meta(RecordTable.Meta):
        model = Account
        fields = ("name", "business_phone", "email", "business_city", "assigned_to", "categories", "created")
        sequence = fields


class ContactTable(RecordTable):
    full_name = TitleColumn(verbose_name=_("Full name"), order_by=("file_as",))
    company_name = TextColumn(verbose_name=_("Company"))
    job_title = TextColumn(verbose_name=_("Job title"))
    business_phone = TextColumn(verbose_name=_("Business phone"))
    email = EmailColumn(verbose_name=_("E-mail"))
    business_city = TextColumn(verbose_name=_("City"))
    assigned_to = UserColumn(verbose_name=_("Assigned to"), order_by=("assigned_to_id",))
    created = DateColumn(verbose_name=_("Created"))

    class Meta(RecordTable.Meta):
        model = BusinessContact
        fields = ("full_name", "company_name", "job_title", "business_phone", "email", "business_city",
                  "assigned_to", "categories", "created")
        sequence = fields
