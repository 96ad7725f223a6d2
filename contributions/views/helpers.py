"""Helpers the pages share: citations prefetched, errors summarised, URLs that add or drop a filter,
and records grouped for display."""

from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from .. import queries
from ..forms import split_values
from ..models.choices import Category
from ..models.citations import Citation
from ..models.nations import Nation

PROFILE_CONTRIBUTIONS = 50


MEETING_LEGEND = [("meeting-held", "Held"), ("meeting-planned", "Planned")]


CITATION_KINDS = {
    "contribution": ("Contributions", "contribution", "contributions"),
    "status_event": ("Contributions' status changes", "status change", "status changes"),
    "capability_request": ("Capability requests", "capability request", "capability requests"),
    "figure": ("Reported figures", "reported figure", "reported figures"),
    "meeting": ("Meetings", "meeting", "meetings"),
    "participation": ("Meeting attendance", "nation at a meeting", "nations at meetings"),
    "official": ("Officials", "official", "officials"),
    "nation": ("Partners", "partner", "partners"),
    "role_statement": ("Partners' roles", "role statement", "role statements"),
    "line_of_effort": ("Lines of effort", "line of effort", "lines of effort"),
    "line_lead": ("Leads of lines of effort", "lead of a line of effort", "leads of lines of effort"),
}


def cited():
    """Prefetch a record's citations with their sources: one query for a whole list of records."""
    return Prefetch("citations", queryset=Citation.objects.with_words())


def group_by_citations(records):
    """Records that cite exactly the same quotes, together: a sentence naming twelve nations is shown
    once with the twelve, not twelve times. Needs the citations prefetched (cited())."""
    groups = {}
    for record in records:
        key = tuple(c.origin.pk for c in record.citations.all()) or ("uncited", record.pk)
        groups.setdefault(key, []).append(record)
    return [{"records": members, "citations": members[0].citations.all()} for members in groups.values()]


def form_errors(*forms_):
    """Every error of the given forms as (label, message), for the summary at the top of a page."""
    errors = []
    for form in forms_:
        for name, messages in form.errors.items():
            field = form.fields.get(name)
            label = field.label if field is not None and field.label else name
            errors.extend((label, message) for message in messages)
    return errors


def render_list(request, template, filterset, orderings, rows, name):
    """A filtered list page: its 400 page when a filter is invalid, else the context rows(filterset.qs) adds,
    whose list `name` is the table's rows."""
    context = {"filterset": filterset, "orderings": orderings, "ordering": request.GET.get("ordering", "")}
    if not filterset.is_valid():
        context["errors"] = form_errors(filterset.form)
        return render(request, template, context, status=400)
    # The date the list stands on, for its links to keep.
    context["as_of"] = filterset.form.cleaned_data.get("as_of")
    context.update(rows(filterset.qs, context["ordering"]))
    context["rows"] = context[name]
    return render(request, template, context)


def offer_nations_of(form, model):
    """Offer in the nation checkboxes only the nations that some `model` row refers to."""
    offer_only(form, "nation", [(n.slug, n.name) for n in Nation.objects.named_by(model)])


def url_without(request, name, value=None):
    """The current URL's query without one parameter, or without one of its values; back to page one."""
    params = request.GET.copy()
    params.pop("page", None)
    if value is None:
        params.pop(name, None)
    else:
        kept = [v for v in split_values(params.getlist(name)) if v.lower() != value.lower()]
        params.setlist(name, kept)
    return "?" + params.urlencode()


def sort_headers(request, current, fields, default):
    """Column headers that sort by their field, or reverse the order when it is already sorted by it."""
    current = current or default
    headers = {}
    for field in fields:
        if current == field:
            target, state = f"-{field}", "ascending"
        elif current == f"-{field}":
            target, state = field, "descending"
        else:
            target, state = field, ""
        params = request.GET.copy()
        params.pop("page", None)
        params["ordering"] = target
        headers[field] = {"url": "?" + params.urlencode(), "state": state}
    return headers


def contributions_url(**params):
    return reverse("contribution-list") + "?" + urlencode(params)


def offer_only(form, name, choices):
    """Offer only these choices in a filter's checkboxes (the values stay valid, and ticked ones stay)."""
    form.fields[name].widget.choices = choices


def show_counts(form, name, counts, choices=None):
    widget = form.fields[name].widget
    widget.counts = counts
    widget.noun = "contributions"
    if choices is not None:
        widget.choices = choices


def group_figures(figures):
    """Figures grouped by what they count, so sources that disagree can be shown side by side."""
    groups = {}
    for figure in figures:
        groups.setdefault(figure.metric, []).append(figure)
    return [
        {"label": items[0].get_metric_display(), "figures": items, "disputed": any(f.disputed for f in items)}
        for items in groups.values()
    ]


def group_by_category(contributions, counts):
    """Contributions grouped by category, in the order the categories are defined, with each category's total.

    `counts` maps (category, status) to a count over all the record's contributions, which may be more
    than the ones listed.
    """
    groups = {value: [] for value in Category.values}
    for contribution in contributions:
        groups[contribution.category].append(contribution)
    totals = {category: sum(statuses.values()) for category, statuses in queries.by_category(counts).items()}
    return [
        {"value": value, "label": Category(value).label, "contributions": items, "count": totals.get(value, 0)}
        for value, items in groups.items()
        if items
    ]


def category_bars(counts, **url_params):
    """Rows for a status bar chart by category, each linking to the list."""
    return [
        {"label": Category(value).label, "url": contributions_url(category=value, **url_params), "counts": statuses}
        for value, statuses in queries.by_category(counts).items()
    ]
