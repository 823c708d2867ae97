"""Record types, history roll-ups and reminders of the contact-management workspace."""
from django.db.models import F, PositiveBigIntegerField, Q, Value
from django.utils.translation import gettext_lazy as _

from crm import reminders
from crm.generic import registry
from crm.models import Account, BusinessContact, HistoryItem
from crm.selectors import attach_linked_records

registry.register(registry.RecordType(
    key="account", model=Account, verbose_name=_("Account"), verbose_name_plural=_("Accounts"),
))
registry.register(registry.RecordType(
    key="contact", model=BusinessContact, verbose_name=_("Business Contact"), verbose_name_plural=_("Business Contacts"),
    filter=Q(is_lead=False), owns=lambda obj: not obj.is_lead,
))
# A business contact's history also shows on its account's History page.
registry.register_rollup(Account, BusinessContact, "account")


def _dashboard_panels() -> None:
    """The dashboard panels of crm itself: my open tasks, recent communication."""
    from crm import dashboard
    from crm.views import home

    dashboard.register_panel(dashboard.Panel(
        key="my_tasks", title=_("My open tasks"), template="crm/includes/dashboard_tasks.html",
        context=home.my_open_tasks, order=50, width="col-lg-6"))
    dashboard.register_panel(dashboard.Panel(
        key="recent", title=_("Recent communication"), template="crm/includes/dashboard_recent.html",
        context=home.recent_communication, order=90, width="col-lg-6"))


_dashboard_panels()


# --- Reminders: the open tasks of the communication history ---------------------------------

def _task_rows(user, *, until=None, since=None, now=None):
    """The user's tasks not completed that have a due date (crm.reminders;
    index history_open_task_idx)."""
    rows = (HistoryItem.objects.filter(kind=HistoryItem.Kind.TASK, assigned_to=user, due_date__isnull=False)
            .exclude(status=HistoryItem.TaskStatus.COMPLETED)
            .annotate(**{reminders.OBJECT: F("pk"), reminders.DETAIL: Value(0, PositiveBigIntegerField()),
                         reminders.DUE: F("due_date")}))
    if until is not None:
        rows = rows.filter(due_date__lte=until)
    if since is not None:
        rows = rows.filter(due_date__gte=since)
    return rows.only("pk", "subject", "due_date", "kind")


def _describe_task(item) -> tuple[str, str, str]:
    """A task's reminder: its subject, the records it is linked to, its own page."""
    return item.subject, ", ".join(str(record) for _rtype, record in item.linked), item.get_absolute_url()


reminders.register_source("task", _("Task"), rows=_task_rows, describe=_describe_task,
                          prepare=attach_linked_records, date_only=True, order=30)
