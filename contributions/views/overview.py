"""The overview pages: the home page, the capability matrix, and the health and error answers."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from .. import queries
from ..cache import cached_page
from ..forms import AsOfForm
from ..geo import world_map
from ..models.choices import STATUS_ORDER, Capability, Category, ContributionStatus, TheatreCode
from ..models.contributions import Contribution
from ..models.meetings import Figure, Meeting
from ..models.nations import Nation
from ..models.requests import CapabilityRequest
from .helpers import MEETING_LEGEND, category_bars, cited, contributions_url, form_errors, group_figures

STATUS_SHORT = {
    "delivered": "delivered",
    "ended": "ended",
    "pledged": "pledged",
    "under_consideration": "considering",
    "requested": "requested",
    "unlikely": "unlikely",
    "declined": "declined",
}


@never_cache
def healthz(request):
    """Liveness and database check for load balancers and the Docker HEALTHCHECK."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@cached_page
def home(request):
    # Queries: the data version, which keys the cached page (1); nations, officials, sources, requests
    # counted (4); contributions by category and status (1), by nation and status (1); meetings (1);
    # coalition-wide figures and their citations (2); partners' spending (1); pledged and delivered over
    # time (1). As of a date, the same queries.
    as_of_form = AsOfForm(request.GET)
    if not as_of_form.is_valid():
        context = {"as_of_form": as_of_form, "errors": form_errors(as_of_form)}
        return render(request, "contributions/home.html", context, status=400)
    as_of = as_of_form.cleaned_data["as_of"]
    dated = as_of_form.as_params()
    contributions = Contribution.objects.as_of(as_of) if as_of else Contribution.objects.all()
    counts = queries.status_counts(contributions)
    totals = queries.status_totals(counts)
    by_nation = queries.by_nation_and_status(contributions)
    nation_chart = [
        {"label": name, "url": contributions_url(nation=code.lower(), **dated), "counts": statuses}
        for code, name, statuses in by_nation
    ]
    map_rows = [
        (code, name, reverse("partner-detail", args=[code.lower()]), sum(s.values())) for code, name, s in by_nation
    ]
    meetings = list(Meeting.objects.held_by(as_of) if as_of else Meeting.objects.all())
    figures = Figure.objects.with_disputes().filter(meeting=None).select_related("official").prefetch_related(cited())
    context = {
        **queries.record_totals(as_of),
        "as_of": as_of,
        "as_of_form": as_of_form,
        "contribution_count": sum(totals.values()),
        "statuses": [
            {
                "value": s,
                "label": ContributionStatus(s).label,
                "count": totals[s],
                "url": contributions_url(status=s, **dated),
            }
            for s in STATUS_ORDER
        ],
        "meetings": meetings,
        "held_count": sum(1 for m in meetings if m.status == Meeting.Status.HELD),
        "meetings_timeline": [{"date": m.date, "css": f"meeting-{m.status}"} for m in meetings],
        "meetings_legend": MEETING_LEGEND,
        "category_chart": category_bars(counts, **dated),
        # The fifteen with most contributions; the matrix has them all.
        "nation_chart": nation_chart[:15],
        "nation_chart_total": len(nation_chart),
        "figure_groups": group_figures(figures.known_on(as_of) if as_of else figures),
        "spending": contributions.spending(),
        "world_map": world_map(map_rows),
        "over_time": queries.pledged_and_delivered(Contribution.objects.all(), queries.quarters_until(as_of)),
    }
    return render(request, "contributions/home.html", context)


# How the matrix's rows can be split: ?split=theatre gives each nation a row per theatre.
MATRIX_SPLITS = {"theatre"}


def matrix_cell(cell, **url_params):
    """One cell of the matrix, ready to show: its statuses in order, capabilities and link."""
    if not cell:
        return None
    return {
        "total": cell["total"],
        "statuses": [
            {"value": s, "label": STATUS_SHORT[s], "count": cell["statuses"][s]}
            for s in STATUS_ORDER
            if s in cell["statuses"]
        ],
        "capabilities": [Capability(c).label for c in cell["capabilities"]],
        "lead": next(s for s in STATUS_ORDER if s in cell["statuses"]),
        "url": contributions_url(**url_params),
    }


@cached_page
def matrix(request):
    """Nations against categories, and what was requested against what was offered, capability by capability."""
    # Queries: the data version, which keys the cached page (1); contributions counted by nation, category,
    # capability and status (1), and by theatre too when split; the nations with contributions (1); the
    # capability requests and their citations (2); the contributions offering a requested capability (1).
    split = request.GET.get("split", "")
    as_of_form = AsOfForm(request.GET)
    if split and split not in MATRIX_SPLITS:
        context = {
            "split_error": f"“{split}” is not a way to split the matrix; use split=theatre.",
            "as_of_form": as_of_form,
        }
        return render(request, "contributions/matrix.html", context, status=400)
    if not as_of_form.is_valid():
        return render(request, "contributions/matrix.html", {"as_of_form": as_of_form}, status=400)
    as_of = as_of_form.cleaned_data["as_of"]
    cells = queries.matrix_cells(split or None, as_of)
    categories = [(value, label) for value, label in Category.choices if any(key[-1] == value for key in cells)]
    # Each nation's theatres in the vocabulary's order, "not stated" last.
    theatres = [*((code, label) for code, label in TheatreCode.choices), ("", "Theatre not stated")]
    table = []
    for nation in Nation.objects.named_by(Contribution):
        splits = [
            (code, label) for code, label in theatres if split and any(key[:2] == (nation.pk, code) for key in cells)
        ]
        for code, label in splits or [(None, "")]:
            key = (nation.pk,) if code is None else (nation.pk, code)
            params = {"nation": nation.slug} | ({"theatre": code} if code else {}) | as_of_form.as_params()
            row = {"nation": nation, "theatre": label, "cells": []}
            for value, category_label in categories:
                data = matrix_cell(cells.get((*key, value)), **params, category=value)
                row["cells"].append({"category": category_label, "data": data})
            table.append(row)

    requests = list(CapabilityRequest.objects.with_related())
    offered = queries.offers_by_capability(CapabilityRequest.objects.values("capability"))
    asked = {}
    for capability_request in requests:
        asked.setdefault(capability_request.capability, []).append(capability_request)
    matches = [
        {
            "capability": capability,
            "label": Capability(capability).label,
            "requests": items,
            "offers": offered.get(capability, []),
            "url": contributions_url(capability=capability),
        }
        for capability, items in asked.items()
    ]
    context = {
        "split": split,
        "keep": [("split", split)] if split else [],
        "as_of_form": as_of_form,
        "categories": categories,
        "table": table,
        "matches": matches,
        "statuses": [(s, ContributionStatus(s).label) for s in STATUS_ORDER],
    }
    return render(request, "contributions/matrix.html", context)


def server_error(request):
    """The 500 page, static so it cannot fail itself; API clients get JSON. Neither says what went wrong."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error. The problem has been logged."}, status=500)
    return render(request, "500.html", status=500)
