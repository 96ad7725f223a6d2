"""Template helpers for the researchers' pages: quantities in words, navigation state, and charts
drawn as inline SVG on the server, so they need no script and no external library."""

import datetime

from django import template
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from ..models import STATUS_ORDER, ContributionStatus
from ..models.fields import EARLIEST_DATE, LATEST_DATE

register = template.Library()


# Bars stop short of the full width to leave room for the total printed after them.
BAR_SPAN = 88.0
BAR_ROW = 44
BAR_HEIGHT = 16

TIMELINE_STEP = 11
TIMELINE_AXIS = 28


@register.simple_tag(takes_context=True)
def nav_current(context, prefix):
    """aria-current on the navigation link of the section the page belongs to."""
    match = getattr(context.get("request"), "resolver_match", None)
    name = getattr(match, "url_name", None) or ""
    current = name == prefix if prefix == "home" else name.startswith(f"{prefix}-") or name == prefix
    return mark_safe(' aria-current="page"') if current else ""


@register.filter
def on(url, day):
    """The URL as of `day` (a date, or None for today): how a page's links keep its date control's value."""
    if not day:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'as_of': day.isoformat()})}"


@register.filter
def quantity(contribution):
    """'12 → 38 aircraft', 'about 1,830 personnel', as far as the sources give numbers."""
    return contribution.quantity_display


@register.filter
def money(contribution):
    """'US$1,000,000 (one-off)'."""
    if contribution.amount is None:
        return ""
    amount = contribution.amount
    text = f"US${amount:,.0f}" if amount == amount.to_integral_value() else f"US${amount:,.2f}"
    if contribution.amount_basis:
        text += f" ({contribution.get_amount_basis_display().lower()})"
    if contribution.original_amount is not None:
        text += (
            f", converted from {contribution.original_currency} {contribution.original_amount:,.2f}"
            f" at {contribution.exchange_rate.normalize():f} on {contribution.rate_date:%-d %B %Y}"
        )
    return text


@register.filter
def cited_sources(record):
    """Each source that a record's (prefetched) citations come from, once, with how many quotes it gives."""
    sources = {}
    for citation in record.citations.all():
        entry = sources.setdefault(citation.source_id, {"source": citation.source, "first": citation.pk, "count": 0})
        entry["count"] += 1
    return list(sources.values())


@register.filter
def capability_detail(record):
    """The capability's label, unless it only repeats the category's ("Medical · Medical")."""
    label = record.get_capability_display() if record.capability else ""
    return "" if label == record.get_category_display() else label


@register.inclusion_tag("contributions/_status_bars.html")
def status_bars(rows, title, caption=""):
    """A horizontal bar per row, stacked by status, with the same numbers as a table.

    rows: dicts with label, url and counts ({status: n}).
    """
    biggest = max((sum(row["counts"].values()) for row in rows), default=0) or 1
    used = [s for s in STATUS_ORDER if any(row["counts"].get(s) for row in rows)]
    bars = []
    for index, row in enumerate(rows):
        top = index * BAR_ROW
        x = 0.0
        segments = []
        for status in STATUS_ORDER:
            count = row["counts"].get(status, 0)
            if count:
                width = BAR_SPAN * count / biggest
                segments.append({"status": status, "x": f"{x:.3f}", "width": f"{width:.3f}"})
                x += width
        bars.append(
            {
                "label": row["label"],
                "url": row["url"],
                "total": sum(row["counts"].values()),
                "segments": segments,
                "cells": [row["counts"].get(status, 0) for status in used],
                "end": f"{x:.3f}",
                "label_y": top + 14,
                "bar_y": top + 20,
                "value_y": top + 20 + BAR_HEIGHT - 3,
            }
        )
    return {
        "id": slugify(title),
        "title": title,
        "caption": caption,
        "bars": bars,
        "height": len(rows) * BAR_ROW,
        "bar_height": BAR_HEIGHT,
        "statuses": [{"value": s, "label": ContributionStatus(s).label} for s in used],
    }


def _add_months(day, months):
    """The first of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@register.inclusion_tag("contributions/_timeline.html")
def timeline(items, title, legend):
    """Dated markers on a time axis, stacked where several fall in the same month.

    items: dicts with date and css (the marker's class); legend: (css, label) pairs.
    The page lists the same items as text; the chart only shows how they spread over time.
    """
    # Clamped to the range the models allow, so a row saved before the range was enforced cannot
    # push the axis out of the calendar (year 9999 + 1) or squeeze every other marker into a dot.
    dated = sorted(
        ({**item, "date": min(max(item["date"], EARLIEST_DATE), LATEST_DATE)} for item in items if item.get("date")),
        key=lambda item: item["date"],
    )
    if not dated:
        return {"empty": True}
    # The axis fits the data: from the first item's month to the end of the last one's.
    start = dated[0]["date"].replace(day=1)
    end = _add_months(dated[-1]["date"].replace(day=1), 1)
    span = (end - start).days

    def position(day):
        # Inset from both edges so a marker on the first day is not cut in half.
        return f"{2 + 96 * (day - start).days / span:.3f}"

    stacks = {}
    markers = []
    for item in dated:
        month = (item["date"].year, item["date"].month)
        level = stacks.get(month, 0)
        stacks[month] = level + 1
        markers.append({"x": position(item["date"]), "level": level, "css": item["css"]})
    height = TIMELINE_AXIS + TIMELINE_STEP * max(stacks.values()) + 6
    axis_y = height - TIMELINE_AXIS
    for marker in markers:
        marker["y"] = axis_y - 8 - marker["level"] * TIMELINE_STEP
    # A year's tick and label stand on its 1 January; an axis that starts within a year names that
    # year at its start, without a tick.
    years = [
        {"x": position(datetime.date(year, 1, 1)), "label": year, "anchor": "middle"}
        for year in range(start.year, end.year + 1)
        if start <= datetime.date(year, 1, 1) < end
    ]
    if start.month != 1:
        years.insert(0, {"x": position(start), "label": start.year, "anchor": "start", "edge": True})
    # Minor ticks on the first of each month, or of each quarter on an axis longer than about two years.
    step = 1 if span <= 800 else 3
    minor = []
    month = _add_months(start, 1)
    while month < end:
        if month.month != 1 and (month.month - 1) % step == 0:
            minor.append(position(month))
        month = _add_months(month, 1)
    return {
        "id": slugify(title),
        "title": title,
        "quarters": minor,
        "markers": markers,
        "years": years,
        "height": height,
        "axis_y": axis_y,
        "label_y": axis_y + 20,
        "legend": legend,
    }


OVER_TIME_HEIGHT = 120
OVER_TIME_STEP = 24


@register.simple_tag
def over_time_chart(rows):
    """Paired columns, pledged and delivered, one pair per date: rows from queries.pledged_and_delivered.

    Drawn for sight only (aria-hidden): the table beside it holds the same numbers.
    """
    biggest = max((max(pledged, delivered) for _, pledged, delivered in rows), default=0) or 1
    shapes = []
    for index, (day, pledged, delivered) in enumerate(rows):
        x = index * OVER_TIME_STEP
        for offset, status, count in ((2, "pledged", pledged), (11, "delivered", delivered)):
            height = OVER_TIME_HEIGHT * count / biggest
            shapes.append(
                format_html(
                    '<rect class="bar status-{}" x="{}" y="{}" width="9" height="{}"></rect>',
                    status,
                    x + offset,
                    f"{OVER_TIME_HEIGHT - height:.2f}",
                    f"{height:.2f}",
                )
            )
        if day.month == 1:
            shapes.append(
                format_html('<text class="axis-label" x="{}" y="{}">{}</text>', x, OVER_TIME_HEIGHT + 14, day.year)
            )
    width = len(rows) * OVER_TIME_STEP
    return format_html(
        '<svg class="over-time-svg" viewBox="0 0 {} {}" role="presentation" aria-hidden="true">{}</svg>',
        width,
        OVER_TIME_HEIGHT + 18,
        mark_safe("".join(shapes)),
    )
