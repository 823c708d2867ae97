from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy as _, ngettext

from crm.generic.tables import DateColumn, EmailColumn, RecordTable, TextColumn, TitleColumn, UserColumn
from crm.models import Account, BusinessContact


class AccountTable(RecordTable):
    name = TitleColumn(verbose_name=_("Account name"))
    business_phone = TextColumn(verbose_name=_("Business phone"))
    email = EmailColumn(verbose_name=_("E-mail"))
    business_city = TextColumn(verbose_name=_("City"))
    assigned_to = UserColumn(verbose_name=_("Assigned to"), order_by=("assigned_to_id",))
    created = DateColumn(verbose_name=_("Created"))

    default_columns = ("name", "business_phone", "email", "business_city", "assigned_to", "categories")

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

    default_columns = ("full_name", "company_name", "business_phone", "email", "assigned_to", "categories")

    class Meta(RecordTable.Meta):
        model = BusinessContact
        fields = ("full_name", "company_name", "job_title", "business_phone", "email", "business_city",
                  "assigned_to", "categories", "created")
        sequence = fields


def history_rows(items, current) -> list[str]:
    """The rows of a History page as safe HTML, written in Python: the template
    took about half of the page's time for 50 items (a dozen filters, tags and
    URL lookups per row). ``items`` carry ``linked`` (attach_linked_records);
    ``current`` is the record whose History this is (not listed as a link)."""
    rows = []
    for item in items:
        linked = item.linked
        links = []
        for index, (_rtype, record) in enumerate(linked):
            if record._meta.concrete_model is current._meta.concrete_model and record.pk == current.pk:
                continue
            links.append(format_html('<a href="{}">{}</a>{}', record.get_absolute_url(), record,
                                     ", " if index < len(linked) - 1 else ""))
        rows.append(format_html(
            '<tr>\n    <td class="text-nowrap"><i class="bi bi-{}" aria-hidden="true"></i> {}</td>\n'
            '    <td><a href="{}">{}</a></td>\n'
            '    <td class="text-nowrap">{}</td>\n'
            '    <td>{}</td>\n'
            '    <td class="small">{}</td>\n'
            '    <td class="small text-muted">{}</td>\n  </tr>',
            item.icon, item.get_kind_display(), item.get_absolute_url(), item.subject,
            date_format(timezone.localtime(item.occurred_at), "SHORT_DATETIME_FORMAT"),
            _user_name(item.author), mark_safe("".join(links)), _history_details(item),
        ))
    return rows


def _user_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _history_details(item) -> str:
    """The Details cell: what matters for each kind of item."""
    kind = item.kind
    if kind == "phone":
        parts = [item.get_direction_display()]
        if item.duration_minutes:
            parts.append(" · " + ngettext("%(counter)s minute", "%(counter)s minutes", item.duration_minutes)
                         % {"counter": item.duration_minutes})
        if item.phone_number:
            parts.append(" · " + item.phone_number)
        return escape("".join(parts))
    if kind == "task":
        parts = [item.get_status_display()]
        if item.due_date:
            parts.append(f" · {gettext('due')} {date_format(item.due_date, 'SHORT_DATE_FORMAT')}")
        if item.assigned_to:
            parts.append(" · " + _user_name(item.assigned_to))
        return escape("".join(parts))
    if kind == "appointment":
        return escape(item.location)
    if kind == "email":
        return escape(Truncator(item.email_to).chars(60))
    if kind == "file":
        size = f" ({filesizeformat(item.file_size)})" if item.file_size else ""
        return escape(item.file_name + size)
    return ""
