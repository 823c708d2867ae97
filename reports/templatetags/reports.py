from django import template

from reports.charts import format_figure

register = template.Library()


@register.filter
def figure(cell) -> str:
    """A report cell's value as text (money, count, percentage), as the chart labels it."""
    return format_figure(cell.value, cell.kind)
