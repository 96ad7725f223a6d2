"""Aggregate queries: counts by category and status, facets, the summary, the matrix and the home
page's totals. The pages and the API both read these; each grouping over many rows is cached under
the data version (cache.py), so it costs one query until the next write.
"""

import datetime

from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from . import cache
from .forms import PARTNER_PARAMS
from .models.choices import STATUS_ORDER, Category, ContributionStatus
from .models.citations import CITATION_TARGETS, Citation
from .models.contributions import Contribution, known_on
from .models.events import StatusEvent, in_force
from .models.lines import LineOfEffort
from .models.meetings import Meeting, Participation
from .models.nations import Nation, Official
from .models.requests import CapabilityRequest
from .models.sources import Source


def count_of(model, field, where=None):
    """A correlated COUNT, of the rows meeting `where` if given. Unlike Count() over joins, several on one
    query do not multiply each other's rows."""
    rows = model.objects.filter(**{field: OuterRef("pk")})
    if where is not None:
        rows = rows.filter(where)
    rows = rows.order_by().values(field)
    return Coalesce(Subquery(rows.annotate(n=Count("*")).values("n")), 0)


def known(as_of, prefix=""):
    """Which contributions (at the path `prefix`) an as-of count counts: those known on the date, or all
    of them without one."""
    return known_on(as_of, prefix) if as_of else None


def requests_known(as_of, prefix=""):
    """Which capability requests an as-of count counts: those not announced after the date. One undated
    stays, as nothing says it came later."""
    if not as_of:
        return None
    return Q(**{f"{prefix}announced__isnull": True}) | Q(**{f"{prefix}announced__lte": as_of})


def held(as_of, prefix="meeting__"):
    """Which meeting attendances an as-of count counts: those at meetings dated by then (Meeting.held_by)."""
    return Q(**{f"{prefix}date__lte": as_of}) if as_of else None


def meetings_with_counts(meetings, as_of=None):
    """Annotate how many nations took part in each meeting, and the contributions and requests made there
    (those known on `as_of` where given)."""
    return meetings.annotate(
        nation_count=count_of(Participation, "meeting"),
        contribution_count=count_of(Contribution, "meeting", known(as_of)),
        request_count=count_of(CapabilityRequest, "meeting", requests_known(as_of)),
    )


def lines_with_counts(lines, as_of=None):
    """Annotate how many contributions and capability requests serve each line of effort (those known on
    `as_of` where given)."""
    return lines.annotate(
        contribution_count=count_of(LineOfEffort.contributions.through, "lineofeffort", known(as_of, "contribution__")),
        request_count=count_of(
            LineOfEffort.requests.through, "lineofeffort", requests_known(as_of, "capabilityrequest__")
        ),
    )


def source_dates(field, aggregate):
    """A correlated MIN or MAX of the publication dates of the sources that quote a record."""
    rows = Citation.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Subquery(rows.annotate(day=aggregate("source__published")).values("day"))


def officials_with_counts(officials, as_of=None):
    """Annotate each official's contributions, meetings attended, quotes and requests (as far as they were
    known on `as_of` where given), and the dates of the sources quoting them: two people with one title
    are told apart by when they spoke."""
    return officials.annotate(
        contribution_count=count_of(Contribution, "official", known(as_of)),
        meeting_count=count_of(Meeting.officials.through, "official", held(as_of)),
        quote_count=count_of(Citation, "official"),
        request_count=count_of(CapabilityRequest, "official", requests_known(as_of)),
        first_quoted=source_dates("official", Min),
        last_quoted=source_dates("official", Max),
    )


def grouped(name, queryset, *fields):
    """{(field values...): n} over the queryset's rows, one GROUP BY, cached until the next write."""
    rows = queryset.order_by().values_list(*fields).annotate(n=Count("*"))
    return {tuple(row[:-1]): row[-1] for row in cache.versioned(name, rows, lambda: list(rows))}


def status_counts(contributions):
    """{(category, status): n} for these contributions."""
    return grouped("status-counts", contributions, "category", contributions.state_field("status"))


def by_category(counts):
    """{category: {status: n}} from status_counts(), in the order the categories are defined."""
    rows = {}
    for (category, status), n in counts.items():
        rows.setdefault(category, {})[status] = n
    return {value: rows[value] for value in Category.values if value in rows}


def status_totals(counts):
    """{status: n} from status_counts(), in the order a stack of statuses reads."""
    totals = dict.fromkeys(STATUS_ORDER, 0)
    for (_, status), n in counts.items():
        totals[status] += n
    return totals


def by_nation_and_status(contributions=None):
    """[(code, name, {status: n})] per partner with contributions (of these, or all), the partners with
    most first. The code is a country's ISO code (upper case) or an organization's slug, as Nation.code
    gives it."""
    contributions = Contribution.objects.all() if contributions is None else contributions
    fields = ("nation__slug", "nation__country", "nation__name", contributions.state_field("status"))
    counts = grouped("nation-status", contributions, *fields)
    rows = {}
    for (slug, country, name, status), n in counts.items():
        rows.setdefault((country or slug, name), {})[status] = n
    result = [(code, name, statuses) for (code, name), statuses in rows.items()]
    result.sort(key=lambda row: (-sum(row[2].values()), row[1]))
    return result


# The campaign's quarters, from the first strikes (August 2014) to the sources' last months: the dates
# the "over time" tables and charts read the state on.
QUARTERS = [datetime.date(year, month, 1) for year in (2014, 2015, 2016) for month in (1, 4, 7, 10)][2:]


def quarters_until(as_of=None):
    """The dates an "over time" table reads the state on: the quarters, or as of a date, those up to it
    and the date itself."""
    if not as_of:
        return QUARTERS
    return [day for day in QUARTERS if day < as_of] + [as_of]


def pledged_and_delivered(contributions, dates=QUARTERS):
    """[(date, pledged, delivered)]: how many of these contributions stood pledged, and delivered or
    ongoing, on each date, as their status events say. One query, cached until the next write."""
    events = StatusEvent.objects.filter(contribution__in=contributions.values("pk")).order_by()
    counts = {}
    for index, day in enumerate(dates):
        for status in (ContributionStatus.PLEDGED, ContributionStatus.DELIVERED):
            counts[f"{status}_{index}"] = Count("pk", filter=in_force(day) & Q(status=status))
    material = (events.query.sql_with_params(), dates)
    totals = cache.versioned("over-time", material, lambda: events.aggregate(**counts))
    return [(day, totals[f"pledged_{i}"], totals[f"delivered_{i}"]) for i, day in enumerate(dates)]


def record_totals(as_of=None):
    """How many nations, officials, sources and capability requests there are, or were on `as_of`: the
    home page's figures. The records each list shows on that date (NationFilter, OfficialFilter)."""
    nations, officials = Nation.objects.all(), Official.objects.all()
    sources, requests = Source.objects.all(), CapabilityRequest.objects.all()
    if as_of:
        nations, officials = nations.partners_on(as_of), officials.in_office_by(as_of)
        sources, requests = sources.filter(published__lte=as_of), requests.filter(requests_known(as_of))
    return {
        "nation_count": nations.count(),
        "official_count": officials.count(),
        "source_count": sources.count(),
        "request_count": requests.count(),
    }


def facets(filterset):
    """Nation, category and status counts, each over the rows that all the *other* filters select.

    Counting a facet under its own filter would show zero beside every option not yet ticked.
    Returns {"nation": {code: (name, n)}, "category": {value: n}, "status": {value: n}}.
    """
    # Only the status facet reads the state on the as-of date; the others count the rows known then.
    rows = filterset.queryset_without(*PARTNER_PARAMS, state=False)
    nations = partner_counts(rows, "nation")
    # A ticked partner that the other filters leave empty still needs its box, to be unticked.
    for nation in ticked_partners(filterset):
        nations.setdefault(nation.slug, (nation.name, 0))
    return {
        "nation": nations,
        "category": category_counts(filterset.queryset_without("category", state=False)),
        "status": status_facet(filterset.queryset_without("status")),
        "theatre": theatre_counts(filterset.queryset_without("theatre", state=False)),
    }


def record_choices(queryset, label="name"):
    """[(slug, label)] of these records, for a filter's checkboxes; `label` names a field, or None for
    the record's str(). Kept in the process until the next write: the contribution list offers every
    meeting and official on each page, and making the records again took a tenth of it."""
    material = (str(queryset.query), label)

    def choices():
        return [(record.slug, getattr(record, label) if label else str(record)) for record in queryset]

    return cache.remembered("choices", material, choices)


def category_counts(contributions):
    """{category: n} for these contributions."""
    return {k[0]: n for k, n in grouped("facet", contributions, "category").items()}


def status_facet(contributions):
    """{status: n}, as of the filter's date where it has one."""
    return {k[0]: n for k, n in grouped("facet", contributions, contributions.state_field("status")).items()}


def theatre_counts(contributions):
    """{theatre code: n}, a contribution counted under each of its theatres, and under "" for none stated."""
    rows = grouped("theatre-counts", contributions, "theatres__code")
    return {(code or ""): n for (code,), n in rows.items()}


def host_facet(filterset):
    """{slug: (name, n)} of the partners hosting the contributions the other filters select."""
    return partner_counts(filterset.queryset_without("host", state=False).filter(host__isnull=False), "host")


def partner_counts(contributions, field):
    """{slug: (name, n)} of the partners these contributions name in `field` (nation or host), keyed as
    the filters take them: an organization by its slug, a country by its code in lower case."""
    rows = grouped("facet", contributions, f"{field}__slug", f"{field}__name")
    return {slug: (name, n) for (slug, name), n in rows.items()}


def ticked_partners(filterset):
    """The partners chosen under either name of the filter (?nation= or ?partner=)."""
    data = filterset.form.cleaned_data
    return [partner for name in PARTNER_PARAMS for partner in data.get(name) or []]


def categories_given(as_of=None):
    """{nation id: set of categories it has contributed in}, by `as_of` where given."""
    given = {}
    contributions = Contribution.objects.known_on(as_of) if as_of else Contribution.objects.all()
    for nation_id, category in contributions.order_by().values_list("nation_id", "category").distinct():
        given.setdefault(nation_id, set()).add(category)
    return given


def summary(contributions):
    """[(nation, category, status, n)] for the API's summary, by nation name, category and status.

    Grouped by the nation's id alone, a million rows are read off the (nation, category, status) index
    in order; grouping by the nation's name as well would join and sort them all first.
    """
    status = contributions.state_field("status")
    counts = (
        contributions.order_by()
        .values_list("nation_id", "category", status)
        .annotate(count=Count("*"))
        .order_by("nation_id", "category", status)
    )
    rows = list(counts)
    nations = Nation.objects.only("kind", "slug", "country", "name").in_bulk({nation_id for nation_id, *_ in rows})
    cells = [(nations[nation_id], category, status, n) for nation_id, category, status, n in rows]
    return sorted(cells, key=lambda cell: (cell[0].name, cell[0].pk, cell[1], cell[2]))


def matrix_cells(split=None, as_of=None):
    """{(nation id, category): {"total", "statuses": {status: n}, "capabilities": {capability: n}}}.

    Split by theatre, the keys are (nation id, theatre code, category): a contribution in Iraq and Syria
    counts under each, and one with no theatre stated under "". With a date, as the tracker stood then.
    """
    cells = {}
    contributions = Contribution.objects.as_of(as_of) if as_of else Contribution.objects.all()
    status = contributions.state_field("status")
    fields = ("nation_id", "category", "capability", status)
    if split == "theatre":
        fields = ("nation_id", "theatres__code", "category", "capability", status)
    for values, n in grouped("matrix", contributions, *fields).items():
        *key, capability, status = values
        if split == "theatre":
            key[1] = key[1] or ""
        cell = cells.setdefault(tuple(key), {"total": 0, "statuses": {}, "capabilities": {}})
        cell["total"] += n
        cell["statuses"][status] = cell["statuses"].get(status, 0) + n
        if capability:
            cell["capabilities"][capability] = cell["capabilities"].get(capability, 0) + n
    return cells


def offers_by_capability(capabilities):
    """{capability: [contributions offering it]}, by nation name and date."""
    offers = Contribution.objects.filter(capability__in=capabilities).select_related("nation")
    offered = {}
    for contribution in offers.order_by("nation__name", "announced", "pk"):
        offered.setdefault(contribution.capability, []).append(contribution)
    return offered


def citations_by_kind(sources):
    """Annotate each source with how many distinct records of each kind its citations support.

    Distinct records, not citations: three quotes about one contribution support one contribution.
    """
    counts = {f"{kind}_count": Count(f"citations__{kind}", distinct=True) for kind in CITATION_TARGETS}
    return sources.annotate(citation_count=Count("citations", distinct=True), **counts)
