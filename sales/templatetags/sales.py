"""Template helpers of the sales pages."""
from django import template

register = template.Library()


@register.simple_tag
def opportunities_of(record, limit: int = 10) -> dict:
    """An account's or business contact's first opportunities (with their stages,
    in one query) and how many it has, for its record page."""
    opportunities = record.opportunities.select_related("stage")
    return {"rows": list(opportunities[:limit]), "count": opportunities.count(), "limit": limit}
