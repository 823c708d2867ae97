"""Reads of the sales workspace that span relations."""
from sales.models import SalesActivity


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
