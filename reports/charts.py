"""Report charts drawn on the server as SVG.

The same SVG goes into the page and into the PDF (WeasyPrint draws inline
SVG; it runs no JavaScript, so a browser chart library could not print), the
page needs no script and no style exceptions under the Content-Security-Policy
(only presentation attributes), and it prints sharp in black and white too:
every bar and point carries its figure as text. The table beside the chart
has the same figures for screen readers; the chart is one labelled image.

Four kinds: ``funnel`` (the pipeline), ``bar`` (groups across, stacked when
the report has a second grouping), ``column`` (periods along, stacked), and
``line`` (periods along, one line per series).
"""
from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .base import ReportResult

PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac"]
WIDTH = 760
FONT = "DejaVu Sans, Segoe UI, Helvetica, Arial, sans-serif"
MAX_BARS = 30  # more groups than this make an unreadable chart: the first ones are drawn, the table has all


def format_figure(value, kind: str) -> str:
    """A figure as text, as the report's table shows it."""
    if value is None:
        return "—"
    if kind == "count":
        return number_format(value, 0, force_grouping=True)
    if kind == "money":
        from crm.templatetags.crm import money

        return money(value)
    return f"{number_format(value, 1, force_grouping=True)} %" if kind == "percent" else number_format(
        value, 1, force_grouping=True)


def _short(text: str, length: int = 28) -> str:
    return text if len(text) <= length else text[:length - 1] + "…"


def _text(x, y, text, anchor="start", size=12, weight="normal", fill="#212529", **extra) -> str:
    attrs = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in extra.items())
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
            f'fill="{fill}" font-family="{FONT}"{attrs}>{escape(text)}</text>')


def _svg(height: float, title: str, body: list[str]) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" role="img" aria-label="{escape(title)}" data-testid="report-chart">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def _series(result: ReportResult) -> tuple[list[str], list[tuple[str, list]], str]:
    """(series names, [(group label, [value per series])], kind) of what the chart draws."""
    rows = result.rows[:MAX_BARS]
    if result.series:
        count = len(result.series)
        return result.series, [(r.label, [c.value or 0 for c in r.cells[:count]]) for r in rows], \
            result.chart_measure.kind
    index = next(i for i, c in enumerate(result.columns) if c.key == result.chart_measure.key)
    return [result.chart_measure.label], [(r.label, [r.cells[index].value]) for r in rows], result.chart_measure.kind


def _legend(names: list[str], y: float) -> list[str]:
    body, x = [], 10.0
    for index, name in enumerate(names):
        label = _short(name, 22)
        width = 24 + 7.2 * len(label)
        if x + width > WIDTH - 10:
            x, y = 10.0, y + 18
        body.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{PALETTE[index % len(PALETTE)]}"/>')
        body.append(_text(x + 16, y, label, size=11))
        x += width
    return body


def chart_svg(result: ReportResult, title: str) -> SafeString | None:
    """The report's chart, or None when it has none (or nothing to draw)."""
    if not result.chart_kind or not result.chart_measure or not result.rows:
        return None
    names, groups, kind = _series(result)
    if not any(v for _label, values in groups for v in values if v):
        return None
    draw = {"funnel": _funnel, "bar": _bars, "column": _columns, "line": _lines}[result.chart_kind]
    return draw(names, groups, kind, f"{title}: {result.chart_measure.label}")


def _funnel(names, groups, kind, title) -> SafeString:
    """One centred bar per stage, as wide as its figure, narrowing down the pipeline."""
    row, label_width, value_width = 34, 190, 150
    area = WIDTH - label_width - value_width
    top = max(float(v[0] or 0) for _l, v in groups) or 1
    body = []
    for index, (label, values) in enumerate(groups):
        value = values[0] or 0
        width = max(2.0, area * float(value) / top) if value else 0
        x = label_width + (area - width) / 2
        y = 8 + index * row
        if width:
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{row - 8}" rx="3" '
                        f'fill="{PALETTE[index % len(PALETTE)]}"><title>{escape(label)}: '
                        f'{escape(format_figure(value, kind))}</title></rect>')
        body.append(_text(label_width - 10, y + row / 2, _short(label), anchor="end"))
        body.append(_text(WIDTH - value_width + 10, y + row / 2, format_figure(value, kind), weight="bold"))
    return _svg(16 + len(groups) * row, title, body)


def _bars(names, groups, kind, title) -> SafeString:
    """Horizontal bars, one per group, stacked by series."""
    row, label_width, value_width = 28, 200, 130
    legend = len(names) > 1
    offset = 30 if legend else 6
    area = WIDTH - label_width - value_width
    top = max(sum(float(v or 0) for v in values) for _l, values in groups) or 1
    body = _legend(names, 16) if legend else []
    for index, (label, values) in enumerate(groups):
        y = offset + index * row
        x = float(label_width)
        for series, value in enumerate(values):
            if not value:
                continue
            width = max(1.5, area * float(value) / top)
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{row - 8}" '
                        f'fill="{PALETTE[series % len(PALETTE)]}"><title>{escape(label)} · {escape(names[series])}: '
                        f'{escape(format_figure(value, kind))}</title></rect>')
            x += width
        body.append(_text(label_width - 8, y + (row - 8) / 2 + 4, _short(label), anchor="end"))
        body.append(_text(x + 6, y + (row - 8) / 2 + 4, format_figure(sum(v or 0 for v in values), kind), size=11))
    return _svg(offset + len(groups) * row + 4, title, body)


def _axis(top: float, kind: str, left: int, bottom: float, plot_height: float) -> list[str]:
    body = []
    for step in range(5):
        value = top * step / 4
        y = bottom - plot_height * step / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - 10}" y2="{y:.1f}" stroke="#dee2e6" stroke-width="1"/>')
        shown = Decimal(str(round(value, 2))) if kind != "count" else int(round(value))
        body.append(_text(left - 6, y + 4, format_figure(shown, kind), anchor="end", size=10, fill="#6c757d"))
    return body


def _nice_top(value: float) -> float:
    """A round top for the axis (1, 2, 2.5 or 5 times a power of ten) above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10.0 * power


def _columns(names, groups, kind, title) -> SafeString:
    """Vertical bars along the periods, stacked by series, with a value axis."""
    legend = len(names) > 1
    top_margin, left, bottom_margin = (40 if legend else 14), 110, 40
    height = 300
    bottom = height - bottom_margin
    plot = bottom - top_margin
    top = _nice_top(max(sum(float(v or 0) for v in values) for _l, values in groups))
    slot = (WIDTH - 10 - left) / len(groups)
    width = min(60.0, slot * 0.7)
    body = (_legend(names, 16) if legend else []) + _axis(top, kind, left, bottom, plot)
    for index, (label, values) in enumerate(groups):
        x = left + index * slot + (slot - width) / 2
        y = bottom
        for series, value in enumerate(values):
            if not value:
                continue
            size = plot * float(value) / top
            y -= size
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{size:.1f}" '
                        f'fill="{PALETTE[series % len(PALETTE)]}"><title>{escape(label)} · {escape(names[series])}: '
                        f'{escape(format_figure(value, kind))}</title></rect>')
        body.append(_text(x + width / 2, y - 4, format_figure(sum(v or 0 for v in values), kind), anchor="middle",
                          size=10, weight="bold"))
        body.append(_text(x + width / 2, bottom + 16, _short(label, 16), anchor="middle", size=11))
    return _svg(height, title, body)


def _lines(names, groups, kind, title) -> SafeString:
    """A line per series along the periods, each point labelled with its figure."""
    legend = len(names) > 1
    top_margin, left, bottom_margin = (40 if legend else 18), 110, 40
    height = 280
    bottom = height - bottom_margin
    plot = bottom - top_margin
    values_max = max((float(v) for _l, values in groups for v in values if v is not None), default=0)
    top = 100.0 if kind == "percent" and values_max <= 100 else _nice_top(values_max)
    slot = (WIDTH - 10 - left) / len(groups)
    body = (_legend(names, 16) if legend else []) + _axis(top, kind, left, bottom, plot)
    for series in range(len(names)):
        colour = PALETTE[series % len(PALETTE)]
        points = []
        for index, (label, values) in enumerate(groups):
            value = values[series]
            if value is None:
                continue
            x = left + index * slot + slot / 2
            y = bottom - plot * float(value) / top
            points.append((x, y, label, value))
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _l, _v in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for x, y, label, value in points:
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"><title>{escape(label)}: '
                        f'{escape(format_figure(value, kind))}</title></circle>')
            body.append(_text(x, y - 8, format_figure(value, kind), anchor="middle", size=10, weight="bold"))
    for index, (label, _values) in enumerate(groups):
        body.append(_text(left + index * slot + slot / 2, bottom + 16, _short(label, 16), anchor="middle", size=11))
    if not any(v is not None for _l, values in groups for v in values):
        body.append(_text(WIDTH / 2, height / 2, gettext("Nothing to draw yet."), anchor="middle"))
    return _svg(height, title, body)

