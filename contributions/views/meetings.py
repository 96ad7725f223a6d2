"""Meetings and sources: their lists and pages."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from .. import queries
from ..filters import MeetingFilter, as_of_date
from ..forms import MEETING_ORDERINGS
from ..models.meetings import Figure, Meeting, Participation
from ..models.sources import Source
from .helpers import (
    CITATION_KINDS,
    MEETING_LEGEND,
    cited,
    group_by_citations,
    group_figures,
    offer_nations_of,
    render_list,
)


def meeting_list(request):
    # Queries: the filtered meetings with their host and counts (1); the nations for the form (1).
    # A nation parameter adds one query to check its codes.
    filterset = MeetingFilter(request.GET, queryset=Meeting.objects.select_related("host"))
    offer_nations_of(filterset.form, Participation)

    def rows(meetings, ordering):
        meetings = list(queries.meetings_with_counts(meetings, as_of_date(filterset)))
        mark_same_days(meetings)
        timeline = [{"date": m.date, "css": f"meeting-{m.status}"} for m in meetings]
        return {"meetings": meetings, "timeline": timeline, "timeline_legend": MEETING_LEGEND}

    return render_list(request, "contributions/meeting_list.html", filterset, MEETING_ORDERINGS, rows, "meetings")


def mark_same_days(meetings):
    """Give each meeting `same_days_as`: the others in the list on any of its days, to tell them apart."""
    for meeting in meetings:
        meeting.same_days_as = [
            other for other in meetings if other is not meeting and meeting.shares_a_day_with(other)
        ]


def meeting_detail(request, slug):
    # Queries: the meeting, its host and where it was announced (1); its nations and their citations (2);
    # its figures, who gave them, and their citations (2); its officials (1); its pledges and their citations (2); its
    # capability requests and their citations (2); its own citations (1); the meetings announced at it (1)
    # and those on the same days (1); in a series, its meetings (1).
    participations = Participation.objects.select_related("nation").prefetch_related(cited())
    meeting = get_object_or_404(
        Meeting.objects.select_related("host", "announced_at").prefetch_related(
            Prefetch("participations", queryset=participations)
        ),
        slug=slug,
    )
    figures = meeting.figures.with_disputes().select_related("official").prefetch_related(cited())
    context = {
        "meeting": meeting,
        "figure_groups": group_figures(figures),
        "participation_groups": group_by_citations(meeting.participations.all()),
        "series_neighbours": meeting.neighbours_in_series(),
        "announced_meetings": list(meeting.announced_meetings.all()),
        "same_days": list(meeting.same_days()),
        "officials": list(meeting.officials.select_related("nation")),
        "contributions": list(meeting.contributions.with_related()),
        "requests": list(meeting.capability_requests.with_related()),
        "citations": list(meeting.citations.with_words()),
    }
    return render(request, "contributions/meeting_detail.html", context)


def source_list(request):
    # Queries: the sources, each with its citations counted by the kind of record they support (1).
    sources = list(queries.citations_by_kind(Source.objects.all()).order_by("published", "slug"))
    for source in sources:
        source.kinds = []
        for kind, (_, one, several) in CITATION_KINDS.items():
            count = getattr(source, f"{kind}_count")
            if count:
                source.kinds.append({"kind": kind, "count": count, "label": one if count == 1 else several})
    return render(request, "contributions/source_list.html", {"sources": sources})


def source_detail(request, slug):
    # Queries: the source (1); its citations with the records they support and the citations whose words
    # they share (1); which of those records are disputed figures (1).
    # The archive's date and fingerprint, never its text.
    source = get_object_or_404(Source.objects.select_related("archive").defer("archive__text"), slug=slug)
    citations = source.citations.select_related(
        "shares",
        "nation",
        "official",
        "meeting",
        "participation__meeting",
        "participation__nation",
        "figure__meeting",
        "contribution__nation",
        "capability_request__requested_by",
        "line_of_effort",
        "line_lead__line",
        "line_lead__partner",
        "role_statement__partner",
        "status_event__contribution__nation",
    )
    disputed = set(
        Figure.objects.with_disputes().filter(citations__source=source, disputed=True).values_list("pk", flat=True)
    )
    groups = {kind: {} for kind in CITATION_KINDS}
    for citation in citations:
        kind, record = citation.target_type, citation.target
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
