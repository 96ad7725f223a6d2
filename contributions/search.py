"""Search across every kind of record: what each record's entry holds, keeping the entries in step with
the records, and the database's own full-text search over them.

PostgreSQL ranks with ts_rank over each entry's stored, GIN-indexed vector (SEARCH_VECTOR: English
stemming, titles weighted above the rest) and cuts snippets with ts_headline; SQLite does the same
with FTS5 (porter stemming, bm25 with the title weighted, snippet()). Every matching word must
appear: "carrier france" finds the records that mention both.
"""

import re
import threading
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection, transaction
from django.db.models import Count, F, Prefetch
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import (
    CapabilityRequest,
    Citation,
    Contribution,
    Figure,
    LineLead,
    LineOfEffort,
    Meeting,
    Nation,
    Official,
    Participation,
    RoleStatement,
    SearchEntry,
    SearchKind,
    Source,
    StatusEvent,
)

# More words than this is not a search but a pasted paragraph; the rest are ignored.
MAX_WORDS = 12
MAX_QUERY_LENGTH = 200
# Marks around the matching words in a snippet. Text fields refuse control characters, so no stored
# text contains these, and the snippet can be escaped first and marked up after.
START, STOP = "\x02", "\x03"
SNIPPET_WORDS = 24
# Records indexed per query: within SQLite's limit on parameters, and a bounded amount in memory.
INDEX_BATCH = 500


# A record's citations as its entry reads them: with the words of those that share another's.
CITED = Prefetch("citations", queryset=Citation.objects.with_words())


def _quotes(record):
    return [part for citation in record.citations.all() for part in (citation.words, citation.note) if part]


def _lines(*parts):
    return "\n".join(str(part) for part in parts if part)


# What each kind of record is found by: its model, the queryset that loads what the entry needs, and
# (title, text) for one record. A record's citations are part of it: their quotes and notes are its words.
DOCUMENTS = {
    SearchKind.CONTRIBUTION: (
        Contribution,
        lambda: Contribution.objects.select_related("nation", "official", "meeting").prefetch_related(
            CITED, Prefetch("events__citations", queryset=Citation.objects.with_words())
        ),
        # Found by what its status events quote and note too: "rose from 12 to 38" finds France's jets.
        lambda c: (
            # As the record names itself (str), with the capability where one is given.
            f"{c.nation.name}: {c.get_category_display()}"
            + (f", {c.get_capability_display().lower()}" if c.capability else ""),
            _lines(
                c.description,
                c.official and c.official.name,
                c.meeting and c.meeting.title,
                *_quotes(c),
                *(part for event in c.events.all() for part in (event.note, *_quotes(event))),
            ),
        ),
    ),
    SearchKind.MEETING: (
        Meeting,
        lambda: Meeting.objects.prefetch_related(CITED),
        lambda m: (m.title, _lines(m.city, m.venue, m.description, *_quotes(m))),
    ),
    SearchKind.OFFICIAL: (
        Official,
        lambda: Official.objects.select_related("nation").prefetch_related(CITED),
        lambda o: (o.name, _lines(o.title, o.nation.name, o.name_variants, o.spelling_note, *_quotes(o))),
    ),
    SearchKind.FIGURE: (
        Figure,
        lambda: Figure.objects.select_related("meeting").prefetch_related(CITED),
        lambda f: (str(f), _lines(f.get_metric_display(), f.meeting and f.meeting.title, *_quotes(f))),
    ),
    SearchKind.CAPABILITY_REQUEST: (
        CapabilityRequest,
        lambda: CapabilityRequest.objects.select_related("requested_by").prefetch_related(CITED),
        lambda r: (
            f"{r.get_capability_display()}, asked by {r.requested_by.name}",
            _lines(r.description, *_quotes(r)),
        ),
    ),
    SearchKind.NATION: (
        Nation,
        lambda: Nation.objects.prefetch_related(
            CITED, Prefetch("role_statements__citations", queryset=Citation.objects.with_words())
        ),
        # Found by its slug too (eu, arab-league), and by what its role statements quote.
        lambda n: (
            n.name,
            _lines(
                n.get_kind_display(),
                n.slug,
                n.get_role_display(),
                n.notes,
                *_quotes(n),
                *(quote for statement in n.role_statements.all() for quote in _quotes(statement)),
            ),
        ),
    ),
    SearchKind.PARTICIPATION: (
        Participation,
        lambda: Participation.objects.select_related("nation", "meeting").prefetch_related(CITED),
        lambda p: (f"{p.nation.name} at {p.meeting.title}", _lines(p.get_role_display(), *_quotes(p))),
    ),
    SearchKind.SOURCE: (
        Source,
        lambda: Source.objects.all(),
        lambda s: (s.headline, _lines(s.outlet, s.publisher, s.agency, s.report_number, s.author, s.date_note)),
    ),
    # A lead's quote is the line's words too: "led by Germany and the UAE" finds the line.
    SearchKind.LINE_OF_EFFORT: (
        LineOfEffort,
        lambda: LineOfEffort.objects.prefetch_related("citations", "leads__partner", "leads__citations"),
        lambda line: (
            line.name,
            _lines(
                line.description,
                *(lead.partner.name for lead in line.leads.all()),
                *_quotes(line),
                *(part for lead in line.leads.all() for part in _quotes(lead)),
            ),
        ),
    ),
}
KIND_OF_MODEL = {model: kind for kind, (model, _, _) in DOCUMENTS.items()}
# Records found as part of another, and the field naming it: a role statement's quotes are its partner's
# words, a lead's (and its partner's name) its line's, an event's its contribution's.
PART_OF = {
    RoleStatement: (Nation, "partner_id"),
    LineLead: (LineOfEffort, "line_id"),
    StatusEvent: (Contribution, "contribution_id"),
}


def _entry(kind, record):
    title, text = DOCUMENTS[kind][2](record)
    return SearchEntry(kind=kind, object_id=record.pk, title=title[:400], url=record.get_absolute_url(), text=text)


# The records waiting to be indexed while deferred() is open, by model; per thread, like a transaction.
_waiting = threading.local()


@contextmanager
def deferred():
    """Index each record touched inside the block once, at its end, rather than on every save.

    A record saved, cited and cited again is written once, as it stands at the end. Nested blocks
    index at the outermost one's end. The block is one transaction with its indexing: a block left by
    an exception is rolled back and indexes nothing, so no record is left without its entry.
    """
    if getattr(_waiting, "pks", None) is not None:
        yield
        return
    with transaction.atomic():
        _waiting.pks = defaultdict(set)
        try:
            yield
            waiting = _waiting.pks
        finally:
            _waiting.pks = None
        for model, pks in waiting.items():
            index(model, pks)


def index(model, pks):
    """Rewrite the entries of these records (of one model), and drop those of records that are gone."""
    if model in PART_OF:
        whole, link = PART_OF[model]
        return index(whole, model.objects.filter(pk__in=pks).values_list(link, flat=True))
    pks = {pk for pk in pks if pk is not None}
    waiting = getattr(_waiting, "pks", None)
    if waiting is not None:
        waiting[model] |= pks
        return
    kind = KIND_OF_MODEL[model]
    # In batches: renaming a nation rewrites the entries of all its contributions, which may be many
    # more than memory should hold at once.
    batches = [sorted(pks)[start : start + INDEX_BATCH] for start in range(0, len(pks), INDEX_BATCH)]
    for batch in batches:
        records = list(DOCUMENTS[kind][1]().filter(pk__in=batch))
        SearchEntry.objects.filter(kind=kind, object_id__in=batch).delete()
        SearchEntry.objects.bulk_create(_entry(kind, record) for record in records)


def rebuild(batch=2000):
    """Every entry again, from the records: after a fixture load or a bulk import, which send no signals."""
    SearchEntry.objects.all().delete()
    for kind, (_, queryset, _) in DOCUMENTS.items():
        entries = (_entry(kind, record) for record in queryset().order_by("pk").iterator(chunk_size=batch))
        SearchEntry.objects.bulk_create(entries, batch_size=batch)


def words(query):
    """The words of a query, at most MAX_WORDS: punctuation and search syntax are not the user's to send."""
    return re.findall(r"\w+", query or "")[:MAX_WORDS]


def highlight(snippet):
    """A snippet as safe HTML: escaped, with the matching words in <mark>."""
    return mark_safe(escape(snippet).replace(START, "<mark>").replace(STOP, "</mark>"))


@dataclass
class Hit:
    kind: str
    object_id: int
    title: str
    url: str
    snippet: str

    @property
    def kind_label(self):
        return SearchKind(self.kind).label

    @property
    def snippet_html(self):
        return highlight(self.snippet)

    @property
    def snippet_text(self):
        return self.snippet.replace(START, "").replace(STOP, "")


# SQLite: the FTS5 table of migration 0010, joined to the entries it indexes.
FTS = "contributions_searchentry_fts"
SQLITE_MATCH = f"FROM {FTS} JOIN contributions_searchentry e ON e.id = {FTS}.rowid WHERE {FTS} MATCH %s"
SQLITE_HIT = f"e.kind, e.object_id, e.title, e.url, snippet({FTS}, -1, char(2), char(3), '…', {SNIPPET_WORDS})"
SQLITE_RANK = f"bm25({FTS}, 10.0, 1.0)"


class Search:
    """One query's results: counts per kind, the best few of each kind, or a page of one kind's (or all)."""

    def __init__(self, query, kind=None):
        self.words = words(query)
        self.kind = kind or None

    def counts(self):
        """{kind: number of matching records}, in the order the kinds are shown."""
        if not self.words:
            return {}
        if connection.vendor == "postgresql":
            rows = self._postgres()[0].order_by().values_list("kind").annotate(n=Count("id"))
        else:
            rows = self._sqlite("SELECT e.kind, count(*) {match} GROUP BY e.kind")
        found = dict(rows)
        return {kind: found[kind] for kind in SearchKind.values if found.get(kind)}

    def best_of_each_kind(self, per_kind, kinds=tuple(SearchKind.values)):
        """The best `per_kind` results of each of `kinds` (those counts() found, say), in the order the
        kinds are shown and best first within each: one query."""
        if not self.words or not kinds:
            return []
        if connection.vendor == "postgresql":
            entries, query = self._postgres()
            # A ranked LIMIT per kind, in one UNION ALL: each keeps its best few as it scans (a top-N
            # sort), where numbering every match of every kind sorts them all (1.8 s for "carrier" at 1M).
            parts = [
                self._with_headline(entries.filter(kind=kind).order_by("-rank", "id")[:per_kind], query, "rank", "id")
                for kind in kinds
            ]
            rows = parts[0] if len(parts) == 1 else parts[0].union(*parts[1:], all=True)
            shown = {kind: place for place, kind in enumerate(SearchKind.values)}
            rows = [row[:-2] for row in sorted(rows, key=lambda row: (shown[row[0]], -row[-2], row[-1]))]
        else:
            # FTS5's rank and snippet functions work only in a plain full-text query: rank in one, pick
            # the best of each kind with a window, and cut snippets for those alone in another.
            rows = self._sqlite(
                "WITH ranked AS MATERIALIZED (SELECT e.id, e.kind, {rank} AS rank {match}), "
                "best AS (SELECT id, row_number() OVER (PARTITION BY kind ORDER BY rank, id) AS place FROM ranked) "
                "SELECT {hit} {match} AND e.id IN (SELECT id FROM best WHERE place <= %s) ORDER BY e.kind, {rank}",
                [per_kind],
                matches=2,
            )
        return [Hit(*row) for row in rows]

    def page(self, offset, limit):
        """Results best first, from `offset`."""
        if not self.words:
            return []
        if connection.vendor == "postgresql":
            entries, query = self._postgres()
            rows = self._with_headline(entries.order_by("-rank", "id")[offset : offset + limit], query)
        else:
            rows = self._sqlite("SELECT {hit} {match} ORDER BY {rank}, e.id LIMIT %s OFFSET %s", [limit, offset])
        return [Hit(*row) for row in rows]

    def _postgres(self):
        query = SearchQuery(" ".join(self.words), search_type="plain", config="english")
        entries = SearchEntry.objects.filter(vector=query)
        if self.kind:
            entries = entries.filter(kind=self.kind)
        return entries.annotate(rank=SearchRank(F("vector"), query)), query

    def _with_headline(self, entries, query, *extra):
        headline = SearchHeadline(
            "text",
            query,
            config="english",
            start_sel=START,
            stop_sel=STOP,
            max_words=SNIPPET_WORDS,
            min_words=SNIPPET_WORDS // 2,
            max_fragments=1,
            fragment_delimiter=" … ",
        )
        return entries.annotate(snippet=headline).values_list("kind", "object_id", "title", "url", "snippet", *extra)

    def _sqlite(self, template, params=(), matches=1):
        """Run a query built on SQLITE_MATCH ({match}, `matches` times), with the kind filter when one is chosen."""
        match = SQLITE_MATCH + (" AND e.kind = %s" if self.kind else "")
        sql = template.format(hit=SQLITE_HIT, rank=SQLITE_RANK, match=match)
        # Each word quoted: FTS5 reads it as a plain term, never as an operator or a column filter.
        terms = " ".join(f'"{word}"' for word in self.words)
        with connection.cursor() as cursor:
            match_params = [terms, *([self.kind] if self.kind else [])] * matches
            cursor.execute(sql, [*match_params, *params])
            return cursor.fetchall()


class Results:
    """One query's results as a sequence a paginator can count and slice: a page is one query."""

    def __init__(self, search, count):
        self.search = search
        self.total = count

    def count(self):
        return self.total

    def __getitem__(self, part):
        return self.search.page(part.start, part.stop - part.start)
