"""Reads of the sales workspace that span relations."""
from django.db.models import Exists, F, OuterRef, PositiveBigIntegerField, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from sales.models import ActivityDone, Opportunity, SalesActivity, SalesSettings, SalesStage, due_offset_sql


def activity_delete_effect(activity: SalesActivity) -> dict[str, int]:
    """What deleting ``activity`` does, for its confirmation page: it leaves the
    checklist of every opportunity in its stage (``in_stage``), and its done
    marks go with it (``done``; an opportunity that moved on to another stage
    keeps its marks until then)."""
    return {"in_stage": activity.stage.opportunities.count(), "done": activity.done_on_opportunities.count()}


def related_opportunities(record, limit: int = 10) -> dict:
    """An account's or business contact's first ``limit`` opportunities (with
    their stages, in one query) and how many it has: the Opportunities section
    of its pane."""
    opportunities = record.opportunities.select_related("stage")
    return {"rows": list(opportunities[:limit]), "count": opportunities.count(), "limit": limit}


# --- Reminders (crm.reminders; registered in SalesConfig.ready) -----------------------------

def _reminder_annotations(detail, due) -> dict:
    from crm import reminders

    return {reminders.OBJECT: F("pk"), reminders.DETAIL: detail, reminders.DUE: due}


def reminder_rows(user, *, until=None, since=None, now=None):
    """The user's open opportunities with their reminder ticked: due at their reminder time."""
    from crm.reminders import InSubquery

    mine = Q(assigned_to=user, reminder=True, reminder_at__isnull=False)
    if until is not None:
        mine &= Q(reminder_at__lte=until)
    if since is not None:
        mine &= Q(reminder_at__gte=since)
    # Open: no stage, or an open one. Written as two ranges of the index
    # (assigned_to, stage, reminder_at) — the whole condition in each, and the
    # open stages as a list the index can take (InSubquery) — which skip the
    # old reminders of the closed opportunities.
    open_stages = Subquery(SalesStage.objects.filter(kind=SalesStage.Kind.OPEN).order_by().values("pk"))
    rows = (Opportunity.objects.filter(Q(mine, stage__isnull=True) | Q(mine, InSubquery(F("stage"), open_stages)))
            .annotate(**_reminder_annotations(Value(0, PositiveBigIntegerField()), F("reminder_at"))))
    return rows.select_related("account", "contact").only(
        "pk", "title", "reminder_at", "account__name", "contact__full_name", "contact__is_lead")


def describe_reminder(opportunity) -> tuple[str, str, str]:
    return opportunity.title, str(opportunity.linked or ""), opportunity.get_absolute_url()


ACTIVITY = "stage__activities"


def activity_reminder_rows(user, *, until=None, since=None, now=None):
    """The sales activities of the user's open opportunities still to do, when
    the owner turned activity reminders on (Customize ▸ Sales stages): each
    activity with a duration in the opportunity's current stage, not ticked
    done, due on the day ``Opportunity.activity_checklist`` shows (the same
    rule: ``due_offset_sql``). One row per opportunity and activity."""
    from crm.reminders import AddDays

    today = timezone.localdate(now)
    # Later expressions name the activity by these annotations: a path through
    # the stage's activities would join them once more.
    rows = (Opportunity.objects
            .filter(Exists(SalesSettings.objects.filter(pk=1, activity_reminders=True)),
                    assigned_to=user, stage__kind=SalesStage.Kind.OPEN, **{f"{ACTIVITY}__duration_days__gt": 0})
            .annotate(reminder_object=F("pk"), reminder_detail=F(f"{ACTIVITY}__id"),
                      activity_name=F(f"{ACTIVITY}__name"), due_offset=due_offset_sql(ACTIVITY))
            .annotate(reminder_due=AddDays(Coalesce("stage_entered_on", Value(today)), F("due_offset")))
            .exclude(Exists(ActivityDone.objects.filter(opportunity=OuterRef("pk"), activity=OuterRef("reminder_detail")))))
    if until is not None and until <= today:
        # Due by today at the latest (the count, the Reminders page): as a range of
        # the index (assigned_to, stage, stage_entered_on). An opportunity without
        # the date counts as entering today, so none of its activities is due yet.
        rows = rows.filter(stage_entered_on__lte=AddDays(Value(until), -F("due_offset")))
    elif until is not None:
        rows = rows.filter(reminder_due__lte=until)
    if since is not None:
        rows = rows.filter(reminder_due__gte=since)
    return rows.only("pk", "title")


def describe_activity_reminder(opportunity) -> tuple[str, str, str]:
    return opportunity.activity_name, opportunity.title, opportunity.get_absolute_url()
