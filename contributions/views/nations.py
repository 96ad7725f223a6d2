"""Partners (countries and organizations) and officials: their lists and profiles."""

from django.shortcuts import get_object_or_404, redirect, render

from .. import queries
from ..cache import cached_page
from ..filters import NationFilter, OfficialFilter, as_of_date
from ..forms import NATION_ORDERINGS, OFFICIAL_ORDERINGS, AsOfForm, split_values
from ..models.choices import STATUS_ORDER, Category, ContributionStatus
from ..models.lines import LineOfEffort
from ..models.meetings import Participation
from ..models.nations import Nation, Official
from .helpers import (
    PROFILE_CONTRIBUTIONS,
    category_bars,
    cited,
    contributions_url,
    form_errors,
    group_by_category,
    offer_nations_of,
    render_list,
    sort_headers,
)


@cached_page
def nation_list(request):
    # Queries: the data version, which keys the cached page (1); the filtered nations with their counts (1);
    # which categories each has contributed (1).
    # Meta.ordering does not apply to a query with GROUP BY, which with_counts() adds.
    filterset = NationFilter(request.GET, queryset=Nation.objects.with_counts().order_by("name"))

    def rows(nations, ordering):
        as_of = as_of_date(filterset)
        dated = {"as_of": as_of.isoformat()} if as_of else {}
        nations = list(nations.annotate(meeting_count=queries.count_of(Participation, "nation", queries.held(as_of))))
        given = queries.categories_given(as_of)
        for nation in nations:
            nation.categories = [
                {"value": value, "label": label, "url": contributions_url(nation=nation.slug, category=value, **dated)}
                for value, label in Category.choices
                if value in given.get(nation.pk, ())
            ]
        sort = sort_headers(request, ordering, ["name", "role", "joined", "contributions"], "name")
        return {"nations": nations, "sort": sort}

    return render_list(request, "contributions/nation_list.html", filterset, NATION_ORDERINGS, rows, "nations")


@cached_page
def nation_detail(request, slug):
    if slug != slug.lower():
        return redirect(request.resolver_match.url_name, slug=slug.lower(), permanent=True)
    # Queries: the partner (1) and its citations (1); the data version (1) and, until the next write, its
    # contributions counted by category and status (1); the first of its contributions and their citations
    # (2); its meetings (1); its officials (1); the capabilities it asked others for (1); the lines of
    # effort it leads (1); the partners' deployments it hosts (1); its role statements and their citations (2);
    # pledged and delivered over time, until the next write (1). As of a date, the same queries.
    nation = get_object_or_404(Nation.objects.prefetch_related(cited()), slug=slug)
    as_of_form = AsOfForm(request.GET)
    if not as_of_form.is_valid():
        context = {"nation": nation, "as_of_form": as_of_form, "errors": form_errors(as_of_form)}
        return render(request, "contributions/nation_detail.html", context, status=400)
    as_of = as_of_form.cleaned_data["as_of"]
    dated = as_of_form.as_params()
    state = nation.contributions.as_of(as_of) if as_of else nation.contributions.all()
    counts = queries.status_counts(state)
    # A leading nation has hundreds of thousands of rows at scale: the profile lists the first ones, counts
    # them all, and links to the full list.
    contributions = list(state.with_related()[:PROFILE_CONTRIBUTIONS])
    participations = nation.participations.select_related("meeting").order_by("meeting__date")
    participations = list(participations.filter(queries.held(as_of)) if as_of else participations)
    hosted = nation.hosted_contributions.as_of(as_of) if as_of else nation.hosted_contributions.all()
    statements = nation.role_statements.latest_first().prefetch_related(cited())
    requests = nation.capability_requests.select_related("meeting", "official")
    statuses = {c.status for c in contributions}
    context = {
        "nation": nation,
        "as_of": as_of,
        "as_of_form": as_of_form,
        "not_yet": bool(as_of and nation.joined and nation.joined > as_of),
        "groups": group_by_category(contributions, counts),
        "contributions": contributions,
        "contribution_count": sum(counts.values()),
        "chart": category_bars(counts, nation=nation.slug, **dated),
        "timeline": [
            {"date": c.announced, "css": f"status-{c.status}"} for c in contributions if c.announced is not None
        ]
        + [{"date": p.meeting.date, "css": "meeting"} for p in participations],
        "timeline_legend": [(f"status-{s}", ContributionStatus(s).label) for s in STATUS_ORDER if s in statuses]
        + [("meeting", "Meeting attended")],
        "participations": participations,
        "officials": list(nation.officials.in_office_by(as_of) if as_of else nation.officials.all()),
        "requests": list(requests.filter(queries.requests_known(as_of)) if as_of else requests),
        "hosted": list(hosted.select_related("nation").order_by("nation__name", "announced", "pk")),
        "list_url": contributions_url(nation=nation.slug, **dated),
        "led_lines": list(LineOfEffort.objects.filter(leads__partner=nation)),
        "role_statements": list(statements.filter(as_of__lte=as_of) if as_of else statements),
        "over_time": queries.pledged_and_delivered(nation.contributions.all(), queries.quarters_until(as_of)),
        "over_time_url": contributions_url(nation=nation.slug),
    }
    return render(request, "contributions/nation_detail.html", context)


def official_list(request):
    # Queries: the filtered officials with their nation and counts (1); the nations for the form (1).
    # A nation parameter adds one query to check its codes.
    filterset = OfficialFilter(request.GET, queryset=Official.objects.select_related("nation"))
    offer_nations_of(filterset.form, Official)

    def rows(officials, ordering):
        return {"officials": list(queries.officials_with_counts(officials, as_of_date(filterset)))}

    return render_list(request, "contributions/official_list.html", filterset, OFFICIAL_ORDERINGS, rows, "officials")


def official_detail(request, slug):
    # Queries: the official and nation (1); their meetings (1); the figures they gave, with their meetings,
    # and citations (2); their contributions and citations (2); the capabilities they asked for, and
    # citations (2); their quotes (1).
    official = get_object_or_404(Official.objects.select_related("nation"), slug=slug)
    context = {
        "official": official,
        "variants": split_values(official.name_variants),
        "meetings": list(official.meetings.select_related("host")),
        "figures": list(official.figures.with_disputes().select_related("meeting").prefetch_related(cited())),
        "contributions": list(official.contributions.with_related()),
        "requests": list(official.capability_requests.with_related()),
        "citations": list(official.citations.with_words()),
    }
    return render(request, "contributions/official_detail.html", context)
