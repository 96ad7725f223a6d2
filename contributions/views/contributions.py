"""The main research list of contributions, its downloads, and a contribution's page."""

from django.core.paginator import EmptyPage
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from .. import queries, tables
from ..cache import cached_page
from ..exports import stream_table
from ..filters import ContributionFilter
from ..forms import CONTRIBUTION_ORDERINGS, PARTNER_PARAMS, ListOptionsForm
from ..geo import world_map
from ..models.choices import STATUS_ORDER, Capability, Category, ContributionStatus, TheatreCode
from ..models.contributions import Contribution
from ..models.lines import LineOfEffort
from ..models.meetings import Meeting
from ..models.nations import Official
from ..models.requests import CapabilityRequest
from ..pagination import CachedCountPaginator, count_limit
from .helpers import contributions_url, form_errors, offer_only, show_counts, sort_headers, url_without


@cached_page
def contribution_list(request):
    """The main research list: filters, facet counts, sorting, paging, and the same rows as CSV or JSON."""
    # Queries, with no filter given: meetings, officials and lines of effort for the form (3, kept in the
    # process until the next write); the data
    # version (1); a count per facet (nation, category, status, theatre, host: 5) and the total (1), each
    # cached until the next write; the page of rows, their citations and their theatres (3). Each nation,
    # host, meeting, official or line parameter adds one query to check its values.
    filterset = ContributionFilter(request.GET, queryset=Contribution.objects.all())
    options = ListOptionsForm(request.GET)
    form = filterset.form
    offer_only(form, "status", [(s, ContributionStatus(s).label) for s in STATUS_ORDER])
    offer_only(form, "meeting", queries.record_choices(Meeting.objects.all(), label=None))
    offer_only(form, "official", queries.record_choices(Official.objects.all()))
    offer_only(form, "line", queries.record_choices(LineOfEffort.objects.all(), label=None))
    context = {
        "filterset": filterset,
        "options": options,
        "orderings": CONTRIBUTION_ORDERINGS,
        "ordering": request.GET.get("ordering", ""),
    }
    if not (filterset.is_valid() and options.is_valid()):
        return invalid_contribution_list(request, context, filterset, options)

    download = options.cleaned_data["format"]
    if download in ("csv", "json"):
        return stream_table(tables.CONTRIBUTIONS, filterset.qs, download, f"contributions.{download}")
    rows = filterset.qs.with_related()

    paginator = CachedCountPaginator(
        rows,
        options.cleaned_data["page_size"],
        count_limit=count_limit(request.GET),
        rows_to_count=filterset.rows_to_count(),
    )
    number = options.cleaned_data["page"] or 1
    try:
        page = paginator.page(number)
    except EmptyPage:
        pages = f"{paginator.num_pages} page" + ("s" if paginator.num_pages != 1 else "")
        options.add_error("page", f"There is no page {number}: these results fill {pages}.")
        return invalid_contribution_list(request, context, filterset, options)

    facets = queries.facets(filterset)
    nations = sorted(facets["nation"].items(), key=lambda item: item[1][0])
    show_counts(form, "nation", {code: n for code, (_, n) in nations}, [(code, name) for code, (name, _) in nations])
    show_counts(form, "category", facets["category"])
    show_counts(form, "status", facets["status"])
    show_counts(form, "theatre", {code: n for code, n in facets["theatre"].items() if code})
    hosts = sorted(queries.host_facet(filterset).items(), key=lambda item: item[1][0])
    show_counts(form, "host", {code: n for code, (_, n) in hosts}, [(code, name) for code, (name, _) in hosts])
    # The partner facet counts under every other filter; keeping the ticked partners applies this one too.
    ticked = {nation.slug for nation in queries.ticked_partners(filterset)}
    map_rows = [
        (slug.upper(), name, reverse("partner-detail", args=[slug]), n)
        for slug, (name, n) in nations
        if n and (not ticked or slug in ticked)
    ]
    context.update(
        {
            "page": page,
            "paginator": paginator,
            "chips": filter_chips(request, filterset),
            "sort": sort_headers(
                request, context["ordering"], ["announced", "nation", "category", "status", "quantity"], "announced"
            ),
            "csv_url": url_for_download(request, "csv"),
            "json_url": url_for_download(request, "json"),
            "world_map": world_map(map_rows),
        }
    )
    return render(request, "contributions/contribution_list.html", context)


def invalid_contribution_list(request, context, filterset, options):
    # Invalid filters select nothing, so the options go without counts; every nation is offered.
    context["errors"] = form_errors(filterset.form, options)
    return render(request, "contributions/contribution_list.html", context, status=400)


def filter_chips(request, filterset):
    """The active filters in words, each with a link that drops it."""
    data = filterset.form.cleaned_data
    chips = []
    for name in PARTNER_PARAMS:
        for nation in data.get(name) or []:
            chips.append(("Partner", nation.name, url_without(request, name, nation.slug)))
    for nation in data.get("host") or []:
        chips.append(("Hosted by", nation.name, url_without(request, "host", nation.slug)))
    vocabularies = [("category", Category), ("capability", Capability), ("status", ContributionStatus)]
    for name, choices in [*vocabularies, ("theatre", TheatreCode)]:
        for value in data.get(name) or []:
            chips.append((name.capitalize(), choices(value).label, url_without(request, name, value)))
    for meeting in data.get("meeting") or []:
        chips.append(("Meeting", meeting.title, url_without(request, "meeting", meeting.slug)))
    for official in data.get("official") or []:
        chips.append(("Official", official.name, url_without(request, "official", official.slug)))
    for line in data.get("line") or []:
        chips.append(("Line of effort", line.name, url_without(request, "line", line.slug)))
    for name in ("as_of", "announced_after", "announced_before"):
        if data.get(name):
            chips.append((filterset.filters[name].label, request.GET[name], url_without(request, name)))
    if data.get("verified") is not None:
        chips.append(("Quotes", "verified" if data["verified"] else "none verified", url_without(request, "verified")))
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
    # Queries: the contribution with its nation, host, meeting and official (1); its citations (1) and
    # theatres (1); the lines of effort it serves (1); its status events (1) and their citations (1);
    # the requests for the same capability (1).
    contribution = get_object_or_404(Contribution.objects.with_related().with_lines().with_events(), pk=pk)
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
