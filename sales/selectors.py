"""Reads of the sales workspace that span relations."""
from sales.models import SalesActivity


def activity_delete_effect(activity: SalesActivity) -> dict[str, int]:
    """What deleting ``activity`` does, for its confirmation page: it leaves the
    checklist of every opportunity in its stage (``in_stage``), and its done
    marks go with it (``done``; an opportunity that moved on to another stage
    keeps its marks until then)."""
    return {"in_stage": activity.stage.opportunities.count(), "done": activity.done_on_opportunities.count()}
