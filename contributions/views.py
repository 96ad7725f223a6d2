"""The researchers' pages. Each is server-rendered, keeps its filters in the URL and runs a fixed
number of queries however much data there is (tests/test_web.py pins every count)."""

from django import forms
from django.core.paginator import EmptyPage
from django.db import DatabaseError, connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from . import cache
from .cache import CachedCountPaginator, cached_page
from .exports import CONTRIBUTION_FIELDNAMES, iter_rows, stream_csv, stream_json
from .filters import ContributionFilter, MeetingFilter, NationFilter, OfficialFilter, count_limit, split_values
from .models import (
    CITATION_TARGETS,
    Capability,
    CapabilityRequest,
    Category,
    Citation,
    Contribution,
    ContributionStatus,
    Figure,
    Meeting,
    Nation,
    Official,
    Participation,
    Source,
)
from .templatetags.tracker import STATUS_ORDER

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
PAGE_SIZES = [25, 50, 100, 200, 500]
# Contributions listed on a nation's profile; the list page has the rest.
PROFILE_CONTRIBUTIONS = 50

STATUS_CHOICES = [(value, ContributionStatus(value).label) for value in STATUS_ORDER]

# For the matrix cells, where "pledged or offered" would not fit; the legend gives the full labels.
STATUS_SHORT = {
    "delivered": "delivered",
    "pledged": "pledged",
    "under_consideration": "considering",
    "requested": "requested",
    "unlikely": "unlikely",
    "declined": "declined",
}

CONTRIBUTION_ORDERINGS = [
    ("", "Earliest first"),
    ("-announced", "Latest first"),
    ("nation", "Nation, A to Z"),
    ("-nation", "Nation, Z to A"),
    ("category", "Category"),
    ("status", "Status"),
    ("-quantity", "Largest quantity"),
    ("-amount", "Largest amount"),
]
NATION_ORDERINGS = [
    ("", "Name, A to Z"),
    ("-name", "Name, Z to A"),
    ("role", "Role"),
    ("joined", "Date joined"),
    ("-contributions", "Most contributions first"),
]
MEETING_ORDERINGS = [
    ("", "Date, earliest first"),
    ("-date", "Date, latest first"),
    ("title", "Title"),
    ("kind", "Kind"),
]
OFFICIAL_ORDERINGS = [("", "Name, A to Z"), ("-name", "Name, Z to A"), ("nation", "Nation")]

MEETING_LEGEND = [("meeting-held", "Held"), ("meeting-planned", "Planned")]

# The kinds of record a citation supports, in the order a source's page lists them: heading, one, several.
CITATION_KINDS = {
    "contribution": ("Contributions", "contribution", "contributions"),
    "capability_request": ("Capability requests", "capability request", "capability requests"),
    "figure": ("Reported figures", "reported figure", "reported figures"),
    "meeting": ("Meetings", "meeting", "meetings"),
    "participation": ("Meeting attendance", "nation at a meeting", "nations at meetings"),
    "official": ("Officials", "official", "officials"),
    "nation": ("Nations", "nation", "nations"),
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


# --- Helpers -------------------------------------------------------------------------------------


class ListOptionsForm(forms.Form):
    """Paging and download format: not filters, but checked as strictly."""

    page = forms.IntegerField(required=False, min_value=1, label="Page")
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE, label="Rows per page")
    format = forms.ChoiceField(
        required=False, choices=[("html", "Web page"), ("csv", "CSV"), ("json", "JSON")], label="Format"
    )


def cited():
    """Prefetch a record's citations with their sources: one query for a whole list of records."""
    return Prefetch("citations", queryset=Citation.objects.select_related("source"))


def count_of(model, field):
    """A correlated COUNT. Unlike Count() over joins, several on one query do not multiply each other's rows."""
    rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(rows.annotate(n=Count("*")).values("n")), 0)


def form_errors(*forms_):
    """Every error of the given forms as (label, message), for the summary at the top of a page."""
    errors = []
    for form in forms_:
        for name, messages in form.errors.items():
            field = form.fields.get(name)
            label = field.label if field is not None and field.label else name
            errors.extend((label, message) for message in messages)
    return errors


def selected_values(request, *names):
    """The values the URL asks for, per parameter, so a form redraws its state even when it is invalid."""
    selected = {name: split_values(request.GET.getlist(name)) or [] for name in names}
    if "nation" in selected:
        selected["nation"] = [code.lower() for code in selected["nation"]]
    return selected


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


def choice_options(choices, selected, counts=None):
    """Checkbox options for a fixed set of choices, with a count each when counts are given."""
    return [
        {
            "value": value,
            "label": label,
            "checked": value in selected,
            "count": None if counts is None else counts.get(value, 0),
        }
        for value, label in choices
    ]


def contributions_url(**params):
    return reverse("contribution-list") + "?" + urlencode(params)


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
    totals = {}
    for (category, _), n in counts.items():
        totals[category] = totals.get(category, 0) + n
    return [
        {"value": value, "label": Category(value).label, "contributions": items, "count": totals.get(value, 0)}
        for value, items in groups.items()
        if items
    ]


def category_bars(counts, url_params):
    """Rows for a status bar chart by category, each linking to the list; counts maps (category, status) to n."""
    rows = {}
    for (category, status_), n in counts.items():
        rows.setdefault(category, {})[status_] = n
    return [
        {"label": label, "url": contributions_url(category=value, **url_params), "counts": rows[value]}
        for value, label in Category.choices
        if value in rows
    ]


# --- Overview ------------------------------------------------------------------------------------


@cached_page
def home(request):
    # Queries: the data version, which keys the cached page (1); nations, officials, sources, requests
    # counted (4); contributions by category and status (1),
    # by nation and status (1); meetings (1); coalition-wide figures and their citations (2).
    per_category = {}
    for row in Contribution.objects.order_by().values("category", "status").annotate(n=Count("*")):
        per_category.setdefault(row["category"], {})[row["status"]] = row["n"]
    per_nation = {}
    rows = Contribution.objects.order_by().values("nation__name", "nation__country", "status")
    for row in rows.annotate(n=Count("*")):
        per_nation.setdefault((row["nation__name"], row["nation__country"]), {})[row["status"]] = row["n"]

    category_chart = [
        {"label": label, "url": contributions_url(category=value), "counts": per_category[value]}
        for value, label in Category.choices
        if value in per_category
    ]
    nation_chart = [
        {"label": name, "url": contributions_url(nation=code.lower()), "counts": counts}
        for (name, code), counts in per_nation.items()
    ]
    nation_chart.sort(key=lambda row: (-sum(row["counts"].values()), row["label"]))
    statuses = [
        {
            "value": value,
            "label": label,
            "count": sum(counts.get(value, 0) for counts in per_category.values()),
            "url": contributions_url(status=value),
        }
        for value, label in STATUS_CHOICES
    ]
    meetings = list(Meeting.objects.all())
    figures = Figure.objects.with_disputes().filter(meeting=None).prefetch_related(cited())
    context = {
        "nation_count": Nation.objects.count(),
        "official_count": Official.objects.count(),
        "source_count": Source.objects.count(),
        "request_count": CapabilityRequest.objects.count(),
        "contribution_count": sum(status["count"] for status in statuses),
        "statuses": statuses,
        "meetings": meetings,
        "held_count": sum(1 for m in meetings if m.status == Meeting.Status.HELD),
        "meetings_timeline": [{"date": m.date, "css": f"meeting-{m.status}"} for m in meetings],
        "meetings_legend": MEETING_LEGEND,
        "category_chart": category_chart,
        # The fifteen with most contributions; the matrix has them all.
        "nation_chart": nation_chart[:15],
        "nation_chart_total": len(nation_chart),
        "figure_groups": group_figures(figures),
    }
    return render(request, "contributions/home.html", context)


# --- Nations -------------------------------------------------------------------------------------


@cached_page
def nation_list(request):
    # Queries: the data version, which keys the cached page (1); the filtered nations with their counts (1);
    # which categories each has contributed (1).
    # Meta.ordering does not apply to a query with GROUP BY, which with_counts() adds.
    filterset = NationFilter(request.GET, queryset=Nation.objects.with_counts().order_by("name"))
    selected = selected_values(request, "role", "category")
    context = {
        "filterset": filterset,
        "role_options": choice_options(Nation.Role.choices, selected["role"]),
        "category_options": choice_options(Category.choices, selected["category"]),
        "orderings": NATION_ORDERINGS,
        "ordering": request.GET.get("ordering", ""),
    }
    if not filterset.is_valid():
        context["errors"] = form_errors(filterset.form)
        return render(request, "contributions/nation_list.html", context, status=400)

    nations = list(filterset.qs.annotate(meeting_count=count_of(Participation, "nation")))
    given = {}
    for nation_id, category in Contribution.objects.order_by().values_list("nation_id", "category").distinct():
        given.setdefault(nation_id, set()).add(category)
    for nation in nations:
        nation.categories = [
            {"value": value, "label": label, "url": contributions_url(nation=nation.slug, category=value)}
            for value, label in Category.choices
            if value in given.get(nation.pk, ())
        ]
    context["nations"] = nations
    context["sort"] = sort_headers(request, context["ordering"], ["name", "role", "joined", "contributions"], "name")
    return render(request, "contributions/nation_list.html", context)


@cached_page
def nation_detail(request, iso2):
    if iso2 != iso2.lower():
        return redirect("nation-detail", iso2=iso2.lower(), permanent=True)
    # Queries: the nation (1) and its citations (1); the data version (1) and, until the next write, its
    # contributions counted by category and status (1); the first of its contributions and their citations
    # (2); its meetings (1); its officials (1); the capabilities it asked others for (1).
    nation = get_object_or_404(Nation.objects.prefetch_related(cited()), country=iso2.upper())
    counts = nation.contributions.order_by().values_list("category", "status").annotate(n=Count("*"))
    counts = {(category, status_): n for category, status_, n in cache.cached("profile", counts, lambda: list(counts))}
    # A leading nation has hundreds of thousands of rows at scale: the profile lists the first ones, counts
    # them all, and links to the full list.
    contributions = list(nation.contributions.with_related()[:PROFILE_CONTRIBUTIONS])
    participations = list(nation.participations.select_related("meeting").order_by("meeting__date"))
    statuses = {c.status for c in contributions}
    context = {
        "nation": nation,
        "groups": group_by_category(contributions, counts),
        "contributions": contributions,
        "contribution_count": sum(counts.values()),
        "chart": category_bars(counts, {"nation": nation.slug}),
        "timeline": [
            {"date": c.announced, "css": f"status-{c.status}"} for c in contributions if c.announced is not None
        ]
        + [{"date": p.meeting.date, "css": "meeting"} for p in participations],
        "timeline_legend": [(f"status-{s}", ContributionStatus(s).label) for s in STATUS_ORDER if s in statuses]
        + [("meeting", "Meeting attended")],
        "participations": participations,
        "officials": list(nation.officials.all()),
        "requests": list(nation.capability_requests.select_related("meeting", "official")),
        "list_url": contributions_url(nation=nation.slug),
    }
    return render(request, "contributions/nation_detail.html", context)


# --- Contributions -------------------------------------------------------------------------------


@cached_page
def contribution_list(request):
    """The main research list: filters, facet counts, sorting, paging, and the same rows as CSV or JSON."""
    # Queries, with no filter given: meetings and officials for the form (2); the data version (1); a count
    # per facet (3) and the total (1), each cached until the next write; the page of rows and their
    # citations (2). Each nation, meeting or official parameter adds one query to check its values.
    filterset = ContributionFilter(request.GET, queryset=Contribution.objects.all())
    options = ListOptionsForm(request.GET)
    filters_valid = filterset.is_valid()
    options_valid = options.is_valid()
    selected = selected_values(request, "nation", "category", "capability", "status", "meeting", "official")
    context = {
        "filterset": filterset,
        "selected": selected,
        "q": request.GET.get("q", ""),
        "announced_after": request.GET.get("announced_after", ""),
        "announced_before": request.GET.get("announced_before", ""),
        "orderings": CONTRIBUTION_ORDERINGS,
        "ordering": request.GET.get("ordering", ""),
        "page_sizes": page_sizes(options),
        "page_size": request.GET.get("page_size", str(DEFAULT_PAGE_SIZE)),
        "meeting_options": [
            {"value": m.slug, "label": f"{m.title} ({m.date_display})", "checked": m.slug in selected["meeting"]}
            for m in Meeting.objects.all()
        ],
        "official_options": [
            {"value": o.slug, "label": o.name, "checked": o.slug in selected["official"]}
            for o in Official.objects.all()
        ],
        "capability_options": choice_options(Capability.choices, selected["capability"]),
    }
    if not (filters_valid and options_valid):
        return invalid_contribution_list(request, context, filterset, options)

    rows = filterset.qs.with_related()
    download = options.cleaned_data["format"]
    if download == "csv":
        return stream_csv(iter_rows(rows), CONTRIBUTION_FIELDNAMES, "contributions.csv")
    if download == "json":
        return stream_json(iter_rows(rows), "contributions.json")

    paginator = CachedCountPaginator(
        rows, options.cleaned_data["page_size"] or DEFAULT_PAGE_SIZE, count_limit=count_limit(request.GET)
    )
    number = options.cleaned_data["page"] or 1
    try:
        page = paginator.page(number)
    except EmptyPage:
        pages = f"{paginator.num_pages} page" + ("s" if paginator.num_pages != 1 else "")
        options.add_error("page", f"There is no page {number}: these results fill {pages}.")
        return invalid_contribution_list(request, context, filterset, options)

    context.update(facets(filterset, selected))
    context.update(
        {
            "page": page,
            "paginator": paginator,
            "chips": filter_chips(request, filterset, context),
            "sort": sort_headers(
                request, context["ordering"], ["announced", "nation", "category", "status", "quantity"], "announced"
            ),
            "csv_url": url_for_download(request, "csv"),
            "json_url": url_for_download(request, "json"),
        }
    )
    return render(request, "contributions/contribution_list.html", context)


def page_sizes(options):
    # A size typed into the address is offered too, so submitting the form does not quietly change it.
    size = options.cleaned_data.get("page_size") if options.is_valid() else None
    return sorted({*PAGE_SIZES, size}) if size else PAGE_SIZES


def invalid_contribution_list(request, context, filterset, options):
    context["errors"] = form_errors(filterset.form, options)
    context["field_errors"] = {**filterset.form.errors, **options.errors}
    context.update(invalid_facets(context["selected"]))
    return render(request, "contributions/contribution_list.html", context, status=400)


def facets(filterset, selected):
    """Nation, category and status options, each counted over the rows that all the *other* filters select.

    Counting a facet under its own filter would show zero beside every option not yet ticked.
    """
    # Each count groups every matching row, so they are cached until the next write.
    rows = filterset.queryset_without("nation").values("nation__country", "nation__name").annotate(n=Count("*"))
    rows = cache.cached("facet", rows, lambda: [(r["nation__country"], r["nation__name"], r["n"]) for r in rows])
    nation_counts = {(code.lower(), name): n for code, name, n in rows}
    # A ticked nation that the other filters leave empty still needs its box, to be unticked.
    for nation in filterset.form.cleaned_data.get("nation") or []:
        nation_counts.setdefault((nation.slug, nation.name), 0)
    rows = filterset.queryset_without("category").values_list("category").annotate(n=Count("*"))
    category_counts = dict(cache.cached("facet", rows, lambda: list(rows)))
    rows = filterset.queryset_without("status").values_list("status").annotate(n=Count("*"))
    status_counts_ = dict(cache.cached("facet", rows, lambda: list(rows)))
    return {
        "nation_options": [
            {"value": code, "label": name, "count": count, "checked": code in selected["nation"]}
            for (code, name), count in sorted(nation_counts.items(), key=lambda item: item[0][1])
        ],
        "category_options": choice_options(Category.choices, selected["category"], category_counts),
        "status_options": choice_options(STATUS_CHOICES, selected["status"], status_counts_),
    }


def invalid_facets(selected):
    """The options without counts, since invalid filters select nothing: every nation, so the form can be fixed."""
    known = [(nation.slug, nation.name) for nation in Nation.objects.all()]
    unknown = [(code, code.upper()) for code in selected["nation"] if code not in dict(known)]
    return {
        "nation_options": choice_options(unknown + known, selected["nation"]),
        "category_options": choice_options(Category.choices, selected["category"]),
        "status_options": choice_options(STATUS_CHOICES, selected["status"]),
    }


def filter_chips(request, filterset, context):
    """The active filters in words, each with a link that drops it."""
    data = filterset.form.cleaned_data
    chips = []
    for nation in data.get("nation") or []:
        chips.append(("Nation", nation.name, url_without(request, "nation", nation.slug)))
    for name, choices in (("category", Category), ("capability", Capability), ("status", ContributionStatus)):
        for value in data.get(name) or []:
            chips.append((name.capitalize(), choices(value).label, url_without(request, name, value)))
    for meeting in data.get("meeting") or []:
        chips.append(("Meeting", meeting.title, url_without(request, "meeting", meeting.slug)))
    for official in data.get("official") or []:
        chips.append(("Official", official.name, url_without(request, "official", official.slug)))
    if data.get("announced_after"):
        chips.append(("Announced on or after", context["announced_after"], url_without(request, "announced_after")))
    if data.get("announced_before"):
        chips.append(("Announced on or before", context["announced_before"], url_without(request, "announced_before")))
    if data.get("q", "").strip():
        chips.append(("Text", f"“{data['q'].strip()}”", url_without(request, "q")))
    return [{"what": what, "value": value, "url": url} for what, value, url in chips]


def url_for_download(request, kind):
    # Every matching row, not only this page: paging is for reading, the download is for working with.
    params = request.GET.copy()
    for name in ("page", "page_size", "format"):
        params.pop(name, None)
    params["format"] = kind
    return "?" + params.urlencode()


def contribution_detail(request, pk):
    # Queries: the contribution with its nation, meeting and official (1); its citations (1);
    # the requests for the same capability (1).
    contribution = get_object_or_404(Contribution.objects.with_related(), pk=pk)
    requests = []
    if contribution.capability:
        requests = list(
            CapabilityRequest.objects.filter(capability=contribution.capability).select_related("requested_by")
        )
    context = {
        "contribution": contribution,
        "requests": requests,
        "same_kind_url": contributions_url(nation=contribution.nation.slug, category=contribution.category),
    }
    return render(request, "contributions/contribution_detail.html", context)


# --- Meetings ------------------------------------------------------------------------------------


def meeting_list(request):
    # Queries: the filtered meetings with their host and counts (1); the nations for the form (1).
    # A nation parameter adds one query to check its codes.
    filterset = MeetingFilter(request.GET, queryset=Meeting.objects.select_related("host"))
    selected = selected_values(request, "kind", "status", "nation")
    context = {
        "filterset": filterset,
        "kind_options": choice_options(Meeting.Kind.choices, selected["kind"]),
        "status_options": choice_options(Meeting.Status.choices, selected["status"]),
        "nation_options": [
            {"value": n.slug, "label": n.name, "checked": n.slug in selected["nation"]}
            for n in Nation.objects.filter(Exists(Participation.objects.filter(nation=OuterRef("pk"))))
        ],
        "q": request.GET.get("q", ""),
        "date_after": request.GET.get("date_after", ""),
        "date_before": request.GET.get("date_before", ""),
        "orderings": MEETING_ORDERINGS,
        "ordering": request.GET.get("ordering", ""),
    }
    if not filterset.is_valid():
        context["errors"] = form_errors(filterset.form)
        return render(request, "contributions/meeting_list.html", context, status=400)
    meetings = filterset.qs.annotate(
        nation_count=count_of(Participation, "meeting"),
        contribution_count=count_of(Contribution, "meeting"),
        request_count=count_of(CapabilityRequest, "meeting"),
    )
    context["meetings"] = list(meetings)
    context["timeline"] = [{"date": m.date, "css": f"meeting-{m.status}"} for m in context["meetings"]]
    context["timeline_legend"] = MEETING_LEGEND
    return render(request, "contributions/meeting_list.html", context)


def meeting_detail(request, slug):
    # Queries: the meeting and host (1); its nations and their citations (2); its figures and their
    # citations (2); its officials (1); its pledges and their citations (2); its capability requests
    # and their citations (2); its own citations (1).
    participations = Participation.objects.select_related("nation").prefetch_related(cited())
    meeting = get_object_or_404(
        Meeting.objects.select_related("host").prefetch_related(Prefetch("participations", queryset=participations)),
        slug=slug,
    )
    figures = meeting.figures.with_disputes().prefetch_related(cited())
    context = {
        "meeting": meeting,
        "figure_groups": group_figures(figures),
        "officials": list(meeting.officials.select_related("nation")),
        "contributions": list(meeting.contributions.with_related()),
        "requests": list(
            meeting.capability_requests.select_related("requested_by", "official").prefetch_related(cited())
        ),
        "citations": list(meeting.citations.select_related("source")),
    }
    return render(request, "contributions/meeting_detail.html", context)


# --- Officials -----------------------------------------------------------------------------------


def official_list(request):
    # Queries: the filtered officials with their nation and counts (1); the nations for the form (1).
    # A nation parameter adds one query to check its codes.
    filterset = OfficialFilter(request.GET, queryset=Official.objects.select_related("nation"))
    selected = selected_values(request, "nation")
    context = {
        "filterset": filterset,
        "nation_options": [
            {"value": n.slug, "label": n.name, "checked": n.slug in selected["nation"]}
            for n in Nation.objects.filter(Exists(Official.objects.filter(nation=OuterRef("pk"))))
        ],
        "q": request.GET.get("q", ""),
        "orderings": OFFICIAL_ORDERINGS,
        "ordering": request.GET.get("ordering", ""),
    }
    if not filterset.is_valid():
        context["errors"] = form_errors(filterset.form)
        return render(request, "contributions/official_list.html", context, status=400)
    officials = filterset.qs.annotate(
        contribution_count=count_of(Contribution, "official"),
        meeting_count=count_of(Meeting.officials.through, "official"),
        quote_count=count_of(Citation, "official"),
        request_count=count_of(CapabilityRequest, "official"),
    )
    context["officials"] = list(officials)
    return render(request, "contributions/official_list.html", context)


def official_detail(request, slug):
    # Queries: the official and nation (1); their meetings (1); their contributions and citations (2);
    # the capabilities they asked for, and citations (2); their quotes (1).
    official = get_object_or_404(Official.objects.select_related("nation"), slug=slug)
    context = {
        "official": official,
        "variants": split_values(official.name_variants),
        "meetings": list(official.meetings.select_related("host")),
        "contributions": list(official.contributions.with_related()),
        "requests": list(
            official.capability_requests.select_related("requested_by", "meeting").prefetch_related(cited())
        ),
        "citations": list(official.citations.select_related("source")),
    }
    return render(request, "contributions/official_detail.html", context)


# --- Capability matrix ---------------------------------------------------------------------------


@cached_page
def matrix(request):
    """Nations against categories, and what was requested against what was offered, capability by capability."""
    # Queries: the data version, which keys the cached page (1); contributions counted by nation, category,
    # capability and status (1); the nations with
    # contributions (1); the capability requests and their citations (2); the contributions offering a
    # requested capability (1).
    rows = Contribution.objects.order_by().values("nation_id", "category", "capability", "status")
    cells = {}
    for row in rows.annotate(n=Count("*")):
        cell = cells.setdefault((row["nation_id"], row["category"]), {"total": 0, "statuses": {}, "capabilities": {}})
        cell["total"] += row["n"]
        cell["statuses"][row["status"]] = cell["statuses"].get(row["status"], 0) + row["n"]
        if row["capability"]:
            cell["capabilities"][row["capability"]] = cell["capabilities"].get(row["capability"], 0) + row["n"]

    categories = [(value, label) for value, label in Category.choices if any(key[1] == value for key in cells)]
    nations = Nation.objects.filter(Exists(Contribution.objects.filter(nation=OuterRef("pk"))))
    table = []
    for nation in nations:
        row = {"nation": nation, "cells": []}
        for value, label in categories:
            cell = cells.get((nation.pk, value))
            if cell:
                cell = {
                    "total": cell["total"],
                    "statuses": [
                        {"value": s, "label": STATUS_SHORT[s], "count": cell["statuses"][s]}
                        for s in STATUS_ORDER
                        if s in cell["statuses"]
                    ],
                    "capabilities": [Capability(c).label for c in cell["capabilities"]],
                    "lead": next(s for s in STATUS_ORDER if s in cell["statuses"]),
                    "url": contributions_url(nation=nation.slug, category=value),
                }
            row["cells"].append({"category": label, "data": cell})
        table.append(row)

    requests = list(
        CapabilityRequest.objects.select_related("requested_by", "official", "meeting").prefetch_related(cited())
    )
    offers = Contribution.objects.filter(capability__in=CapabilityRequest.objects.values("capability"))
    offered = {}
    for contribution in offers.select_related("nation").order_by("nation__name", "announced", "pk"):
        offered.setdefault(contribution.capability, []).append(contribution)
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
        "categories": categories,
        "table": table,
        "matches": matches,
        "statuses": [(s, ContributionStatus(s).label) for s in STATUS_ORDER],
    }
    return render(request, "contributions/matrix.html", context)


# --- Sources -------------------------------------------------------------------------------------


def source_list(request):
    # Queries: the sources, each with its citations counted by the kind of record they support (1).
    # Distinct records, not citations: three quotes about one contribution support one contribution.
    counts = {f"{kind}_count": Count(f"citations__{kind}", distinct=True) for kind in CITATION_KINDS}
    sources = Source.objects.annotate(citation_count=Count("citations", distinct=True), **counts)
    sources = list(sources.order_by("published", "slug"))
    for source in sources:
        source.kinds = []
        for kind, (_, one, several) in CITATION_KINDS.items():
            count = getattr(source, f"{kind}_count")
            if count:
                source.kinds.append({"kind": kind, "count": count, "label": one if count == 1 else several})
    return render(request, "contributions/source_list.html", {"sources": sources})


def source_detail(request, slug):
    # Queries: the source (1); its citations with the records they support (1); which of those
    # records are disputed figures (1).
    source = get_object_or_404(Source, slug=slug)
    citations = source.citations.select_related(
        "nation",
        "official",
        "meeting",
        "participation__meeting",
        "participation__nation",
        "figure__meeting",
        "contribution__nation",
        "capability_request__requested_by",
    )
    disputed = set(
        Figure.objects.with_disputes().filter(citations__source=source, disputed=True).values_list("pk", flat=True)
    )
    groups = {kind: {} for kind in CITATION_KINDS}
    for citation in citations:
        kind = next(name for name in CITATION_TARGETS if getattr(citation, f"{name}_id"))
        record = citation.target
        entry = groups[kind].setdefault(record.pk, {"record": record, "citations": []})
        entry["citations"].append(citation)
        entry["disputed"] = kind == "figure" and record.pk in disputed
    context = {
        "source": source,
        "groups": [
            {"kind": kind, "label": CITATION_KINDS[kind][0], "records": list(records.values())}
            for kind, records in groups.items()
            if records
        ],
    }
    return render(request, "contributions/source_detail.html", context)


def server_error(request):
    """The 500 page, static so it cannot fail itself; API clients get JSON. Neither says what went wrong."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error. The problem has been logged."}, status=500)
    return render(request, "500.html", status=500)
