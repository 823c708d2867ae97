import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from crm.generic.tables import RecordTable, UserColumn
from crm.models import Account, BusinessContact


class AccountTable(RecordTable):
    name = tables.Column(linkify=True, verbose_name=_("Account name"))
    business_phone = tables.Column(verbose_name=_("Business phone"))
    email = tables.EmailColumn(verbose_name=_("E-mail"))
    business_city = tables.Column(verbose_name=_("City"))
    assigned_to = UserColumn(verbose_name=_("Assigned to"), order_by=("assigned_to_id",))
    created = tables.DateColumn(verbose_name=_("Created"), short=True)

    class Meta(RecordTable.Meta):
        model = Account
        fields = ("name", "business_phone", "email", "business_city", "assigned_to", "categories", "created")
        sequence = fields


class ContactTable(RecordTable):
    full_name = tables.Column(linkify=True, verbose_name=_("Full name"), order_by=("file_as",))
    company_name = tables.Column(verbose_name=_("Company"))
    job_title = tables.Column(verbose_name=_("Job title"))
    business_phone = tables.Column(verbose_name=_("Business phone"))
    email = tables.EmailColumn(verbose_name=_("E-mail"))
    business_city = tables.Column(verbose_name=_("City"))
    assigned_to = UserColumn(verbose_name=_("Assigned to"), order_by=("assigned_to_id",))
    created = tables.DateColumn(verbose_name=_("Created"), short=True)

    class Meta(RecordTable.Meta):
        model = BusinessContact
        fields = ("full_name", "company_name", "job_title", "business_phone", "email", "business_city",
                  "assigned_to", "categories", "created")
        sequence = fields
