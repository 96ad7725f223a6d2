"""Arbitrary input never breaks the app: every filter of every list, and the admin's CSV import.

Hypothesis throws strings at each parameter (any unicode, NULs included, huge numbers, odd dates,
commas, percent-encodings, and valid values mixed in so that deeper code runs too). A list answers
200, 400 or, for a page past the end of an API list, 404: never a 500, and never the 503 that would
hide a database error. An import either saves the whole file or, when it reports any error, nothing.

The examples are derandomized, so `make test` is repeatable. FUZZ_SCALE=10 runs ten times as many,
from a fresh random seed each time, to look further.
"""

import base64
import csv
import io
import json
import os
import sys
import warnings
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.paginator import UnorderedObjectListWarning
from django.db import transaction
from django.http import QueryDict
from django_countries import countries
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from contributions.api.urls import router
from contributions.api.views import ContributionViewSet
from contributions.filters import ContributionFilter, MeetingFilter, NationFilter, OfficialFilter
from contributions.models import Citation, Contribution, LineOfEffort, Nation
from contributions.resources import CitationResource, ContributionResource, NationResource
from tests.factories import token_for
from tests.test_admin import admin_url

ROOT = Path(__file__).resolve().parent.parent
SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
FUZZ = {
    "deadline": None,
    "database": None,
    "derandomize": SCALE == 1,
    # The fixtures hold data that each example only reads, or changes inside a rolled-back savepoint.
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
}
EXAMPLES = Counter()
IMPORTED = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_examples(request):
    """Say how many examples each fuzz test ran, once the module is done."""
    yield
    if EXAMPLES:
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter and capture:
            with capture.global_and_fixture_disabled():
                reporter.ensure_newline()
                reporter.write_line(f"fuzz: {sum(EXAMPLES.values())} examples")
                for name, count in sorted(EXAMPLES.items()):
                    imported = f" ({IMPORTED[name]} of them imported)" if name in IMPORTED else ""
                    reporter.write_line(f"  {count:6}  {name}{imported}")
                for method in WRITE_METHODS:
                    answered = sorted((status, n) for (m, status), n in WRITE_STATUSES.items() if m == method)
                    if answered:
                        statuses = ", ".join(f"{n} × {status}" for status, n in answered)
                        reporter.write_line(f"  write {method} answered: {statuses}")


def curated_values(fixture, field):
    rows = json.loads((ROOT / "fixtures" / f"{fixture}.json").read_text())
    return sorted({str(row["fields"][field]) for row in rows if field in row["fields"]})


# --- What to throw ------------------------------------------------------------------------------

PYTHON_INT_DIGITS = sys.get_int_max_str_digits()
# Every code point but the surrogates, which no UTF-8 request can carry; NUL included.
ANY_TEXT = st.text(max_size=40)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    # Python refuses to parse integers of more digits than this.
    st.integers(min_value=1, max_value=PYTHON_INT_DIGITS + 700).map(lambda n: "9" * n),
    st.floats().map(str),
    st.sampled_from(["0", "-0", "+1", " 7 ", "1e308", "0x10", "1_000", "١٢", "²", "9223372036854775808", "-1"]),
)
DATES = st.one_of(
    st.dates().map(str),
    st.dates().map(lambda day: day.strftime("%d/%m/%Y")),
    st.tuples(st.integers(-99999, 99999), st.integers(-99, 99), st.integers(-99, 99)).map(
        lambda parts: "{}-{}-{}".format(*parts)
    ),
    st.sampled_from(["0000-00-00", "2016-02-30", "2016-13-01", "10000-01-01", "2016-01-01T00:00:00", " 2016-01-01"]),
)
COUNTRY_CODES = sorted(code for code, _ in countries)
SEPARATORS = st.sampled_from([",", ", ", ",,", " , ", "\x00", ";", "+"])


def mixed(known):
    """Known-good values, now and then in the wrong case, among arbitrary ones."""
    good = st.sampled_from(known) if known else st.nothing()
    return st.one_of(good, good.map(str.upper), good.map(lambda v: "-" + v), ANY_TEXT, NUMBERS, DATES)


def joined(values):
    """One value, or several joined by commas and other separators, as a hand-typed URL might."""
    several = st.lists(st.tuples(values, SEPARATORS), min_size=2, max_size=4).map(
        lambda parts: "".join(value + separator for value, separator in parts)
    )
    return st.one_of(values, several)


def cursors():
    """Cursors well-formed enough to get past the base64 check, with arbitrary positions inside."""
    fields = st.fixed_dictionaries(
        {},
        optional={
            "o": st.one_of(NUMBERS, ANY_TEXT),
            "r": st.one_of(NUMBERS, ANY_TEXT),
            "p": st.one_of(NUMBERS, ANY_TEXT),
        },
    )
    encoded = fields.map(lambda tokens: base64.b64encode(urlencode(tokens).encode()).decode())
    return st.one_of(
        encoded,
        encoded.map(lambda cursor: cursor.rstrip("=")),
        st.binary().map(lambda raw: base64.b64encode(raw).decode()),
        ANY_TEXT,
    )


def orderings(filterset_class):
    names = sorted(filterset_class.base_filters["ordering"].param_map)
    return names + [f"-{name}" for name in names]


# Known values per parameter name; every other parameter gets the generic mix.
KNOWN = {
    "nation": [code.lower() for code in curated_values("nations", "country")] + COUNTRY_CODES[:20],
    "meeting": curated_values("meetings", "slug"),
    "official": curated_values("officials", "slug"),
    "source": curated_values("sources", "slug"),
    "category": curated_values("contributions", "category"),
    "capability": curated_values("contributions", "capability"),
    "role": ["lead", "military", "non_military", "member", "non_member", "host", "participant", "observer"],
    "kind": curated_values("meetings", "kind"),
    "page": ["1", "2", "last", "0", "99999"],
    "page_size": ["1", "5", "500", "501", "0"],
    "format": ["json", "csv", "html", "api", "zip", "xml", "JSON"],
    "pagination": ["page", "cursor", "offset"],
    "target_type": list(Citation.TARGETS),
    "contribution": ["1", "2", "24", "0"],
    "announced_after": ["2016-02-11"],
    "announced_before": ["2016-02-11"],
    "date_after": ["2015-12-01"],
    "date_before": ["2015-12-01"],
    "q": ["carrier", "police", "%", "_", "'"],
}


def query_params(names, known=None):
    """A query as (name, value) pairs: some of the names, each once or repeated, plus a stray one now and then."""
    known = {**KNOWN, **(known or {})}

    def values_for(name):
        if name == "cursor":
            return cursors()
        return joined(mixed(known.get(name, [])))

    pairs = st.lists(
        st.sampled_from(sorted(names)).flatmap(lambda name: st.tuples(st.just(name), values_for(name))),
        max_size=6,
    )
    stray = st.lists(st.tuples(ANY_TEXT, ANY_TEXT), max_size=1)
    return st.tuples(pairs, stray).map(lambda both: both[0] + both[1])


def encoded(pairs):
    return urlencode(pairs)


# Percent-encodings a browser would never send: truncated, non-hex, invalid UTF-8, overlong forms.
RAW_PIECES = st.one_of(
    st.sampled_from(["%", "%0", "%00", "%ZZ", "%FF", "%C3", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "%2C", "%25"]),
    st.sampled_from(["&", "=", ";", "+", ",", "%26", "%3D", "%u2019", "&&", "=="]),
    st.text(alphabet=st.characters(codec="ascii", exclude_characters="#"), max_size=8),
)


def raw_query(names):
    """A query string assembled by hand: known names with values made of odd percent-encodings."""
    value = st.lists(RAW_PIECES, max_size=6).map("".join)
    pair = st.tuples(st.sampled_from(sorted(names)), value).map(lambda p: f"{p[0]}={p[1]}")
    return st.lists(pair, min_size=1, max_size=4).map("&".join)


# --- Lists --------------------------------------------------------------------------------------

LIST_PARAMS = {"page", "page_size", "ordering", "format"}
WEB_LISTS = {
    "/contributions/": ContributionFilter,
    "/nations/": NationFilter,
    "/meetings/": MeetingFilter,
    "/officials/": OfficialFilter,
}


def api_lists():
    """Every API list with the parameters it reads: its FilterSet's, the pagination's and format."""
    lists = {}
    for prefix, viewset, _ in router.registry:
        names = set(viewset.filterset_class.base_filters) | LIST_PARAMS
        if viewset is ContributionViewSet:
            names |= {"cursor", "pagination"}
        lists[f"/api/v1/{prefix}/"] = (viewset.filterset_class, names)
    return lists


API_LISTS = api_lists()


def consume(response):
    # A streamed download fails while streaming, after the status is sent; read it to the end.
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def get(client, url):
    # Its own savepoint, so a query that fails on PostgreSQL cannot poison the examples after it.
    with transaction.atomic():
        return consume(client.get(url))


@pytest.fixture
def anyone(curated, monkeypatch):
    """An anonymous client over the curated data, with the anonymous throttle off."""
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": None})
    return APIClient()


def web_names(filterset_class):
    return set(filterset_class.base_filters) | LIST_PARAMS


@pytest.mark.parametrize("path", sorted(WEB_LISTS))
def test_a_web_list_answers_any_query_with_a_page_or_a_400(anyone, path):
    names = web_names(WEB_LISTS[path])
    known = {"ordering": orderings(WEB_LISTS[path])}

    @settings(max_examples=400 * SCALE, **FUZZ)
    @given(query=st.one_of(query_params(names, known).map(encoded), raw_query(names)))
    def check(query):
        EXAMPLES[f"web {path}"] += 1
        response = get(anyone, f"{path}?{query}")
        assert response.status_code in (200, 400), (query, response.status_code)

    check()


@pytest.mark.parametrize("path", sorted(API_LISTS))
def test_an_api_list_answers_any_query_with_json_a_400_or_a_404(anyone, path):
    filterset_class, names = API_LISTS[path]
    known = {"ordering": orderings(filterset_class)}

    @settings(max_examples=150 * SCALE, **FUZZ)
    @given(query=st.one_of(query_params(names, known).map(encoded), raw_query(names)))
    def check(query):
        EXAMPLES[f"api {path}"] += 1
        response = get(anyone, f"{path}?{query}")
        assert response.status_code in (200, 400, 404), (query, response.status_code)
        # Errors are JSON whatever the format, except in the browsable API, which a person reads.
        if response.status_code != 200 and QueryDict(query).get("format") != "api":
            assert response["Content-Type"] == "application/json", (query, response["Content-Type"])

    check()


# --- Writes to real records --------------------------------------------------------------------
# Updates and deletes only get past the lookup for an id that exists, and past If-Match only with the
# record's current ETag: the examples aim at the curated contributions, and fetch the ETag first.

WRITE_METHODS = ["patch", "put", "delete"]
# What an editor might send in If-Match: the record's current ETag (fetched with GET), the same one
# weak, another record's, one made up, "*", or no header at all.
PRECONDITIONS = ["current", "current", "current", "none", "weak", "another", "made-up", "star"]
WRITE_VALUES = {
    "nation": [code.lower() for code in curated_values("nations", "country")] + ["FR", "zz", ""],
    "category": curated_values("contributions", "category"),
    "capability": ["", *curated_values("contributions", "capability")],
    "status": curated_values("contributions", "status"),
    "description": ["Updated by the fuzzer", ""],
    "quantity": ["6", "38", "0", "-1"],
    "quantity_before": ["12", "-1"],
    "unit": ["", "aircraft", "personnel"],
    "amount": ["1000000.00", "NaN", "1E+400", "-5"],
    "currency": ["", "USD", "EUR"],
    "amount_basis": ["", "one_off", "per_year"],
    "announced": ["2016-02-11", "2016-02-30"],
    "announced_precision": ["day", "month", "season", "year"],
    "meeting": ["", *curated_values("meetings", "slug")],
    "official": ["", *curated_values("officials", "slug")],
}
WRITE_STATUSES = Counter()


def writable(contribution):
    """A contribution as a PUT body: what a GET returns, with related records by key."""
    return {
        "nation": contribution.nation.code,
        "category": contribution.category,
        "capability": contribution.capability,
        "status": contribution.status,
        "description": contribution.description,
        "quantity": contribution.quantity,
        "quantity_before": contribution.quantity_before,
        "unit": contribution.unit,
        "amount": None if contribution.amount is None else str(contribution.amount),
        "currency": contribution.currency,
        "amount_basis": contribution.amount_basis,
        "announced": None if contribution.announced is None else str(contribution.announced),
        "announced_precision": contribution.announced_precision,
        "meeting": contribution.meeting.slug if contribution.meeting else None,
        "official": contribution.official.slug if contribution.official else None,
    }


def write_value(field):
    good = st.sampled_from(WRITE_VALUES[field])
    return st.one_of(good, good, good, st.none(), ANY_TEXT, NUMBERS, DATES, st.integers(-(10**20), 10**20))


@st.composite
def changes(draw):
    """A few fields set to plausible or arbitrary values: valid changes, and some that must be refused."""
    fields = draw(st.lists(st.sampled_from(sorted(WRITE_VALUES)), max_size=3, unique=True))
    return {field: draw(write_value(field)) for field in fields}


@pytest.fixture
def editor_api(curated, editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")
    return client


def test_it_fuzzes_updates_and_deletes_of_real_contributions_sent_with_their_etags(editor_api):
    ids = sorted(Contribution.objects.values_list("pk", flat=True))
    assert len(ids) == 24
    missing = max(ids) + 1

    @settings(max_examples=200 * SCALE, **FUZZ)
    @given(
        method=st.sampled_from(WRITE_METHODS),
        # Mostly real records; now and then one that is not there.
        pk=st.one_of(st.sampled_from(ids), st.sampled_from(ids), st.sampled_from(ids), st.just(missing)),
        other=st.sampled_from(ids),
        precondition=st.sampled_from(PRECONDITIONS),
        body=changes(),
    )
    def check(method, pk, other, precondition, body):
        EXAMPLES[f"write {method} /api/v1/contributions/{{id}}/"] += 1
        url = f"/api/v1/contributions/{pk}/"
        # Each example starts from the curated data: whatever it writes or deletes is rolled back.
        with transaction.atomic():
            read = editor_api.get(url)
            assert read.status_code == (404 if pk == missing else 200)
            etag = read.get("ETag", '"none"')
            headers = {
                "current": {"HTTP_IF_MATCH": etag},
                "none": {},
                "weak": {"HTTP_IF_MATCH": f"W/{etag}"},
                "another": {"HTTP_IF_MATCH": editor_api.get(f"/api/v1/contributions/{other}/")["ETag"]},
                "made-up": {"HTTP_IF_MATCH": '"0123456789abcdef"'},
                "star": {"HTTP_IF_MATCH": "*"},
            }[precondition]
            serves = set(LineOfEffort.objects.filter(contributions=pk).values_list("pk", flat=True))
            if method == "put" and pk != missing:
                body = {**writable(Contribution.objects.get(pk=pk)), **body}
            if method == "delete":
                response = editor_api.delete(url, **headers)
            else:
                response = getattr(editor_api, method)(url, body, format="json", **headers)
            status = response.status_code
            WRITE_STATUSES[(method, status)] += 1
            assert status in (200, 204, 400, 404, 409, 412, 428), (method, pk, precondition, body, status)
            stale = precondition in ("weak", "made-up") or (precondition == "another" and other != pk)
            if pk == missing:
                assert status == 404
            elif precondition == "none":
                # If-Match is required: without it nothing is written, whatever the body.
                assert status == 428, (method, pk, body, status)
            else:
                # If-Match is checked before the body: a stale ETag is a 412 whatever was sent, a current one never.
                assert (status == 412) == stale, (method, pk, precondition, body, status)
            if status == 200:
                assert response["ETag"] == editor_api.get(url)["ETag"]
            if method == "delete" and status == 204:
                assert not Contribution.objects.filter(pk=pk).exists()
            # A contribution serving a line of effort is not deleted from under it: the 409 lists the lines.
            if method == "delete" and status in (204, 409):
                assert (status == 409) == bool(serves), (pk, serves, status)
            if status == 409:
                assert method == "delete"
                listed = {(d["kind"], d["id"]) for d in response.json()["dependents"]}
                assert listed == {("line of effort", line) for line in serves}, (pk, response.json())
                assert Contribution.objects.filter(pk=pk).exists()
            transaction.set_rollback(True)

    check()

    # The fuzzing reached real records: updates and deletes that went through, and ones refused.
    for method in WRITE_METHODS:
        answered = {status: n for (m, status), n in WRITE_STATUSES.items() if m == method}
        reached = sum(n for status, n in answered.items() if status != 404)
        assert reached >= 20, (method, answered)
        assert answered.get(204 if method == "delete" else 200, 0) >= 5, (method, answered)
        assert answered.get(412, 0) >= 3, (method, answered)
    assert sum(n for (m, status), n in WRITE_STATUSES.items() if m != "delete" and status == 400) >= 5, WRITE_STATUSES


# --- The admin's CSV import ---------------------------------------------------------------------

CSV_FORMAT, XLSX_FORMAT = "0", "1"  # positions in the admin's format list

# Values that fit each column, so that some files import and the saving code runs too.
CELLS = {
    "id": ["", "", "1", "2", "24", "0", "-1", "999999"],
    "code": ["fr", "FR", "de", "us", "xx", ""],
    "nation_code": ["", "FR", "it", "US", "zz"],
    "category": curated_values("contributions", "category"),
    "capability": ["", *curated_values("contributions", "capability")],
    "status": curated_values("contributions", "status"),
    "role": ["lead", "military", "non_military", "member", "non_member"],
    "unit": ["", "aircraft", "personnel", "ships"],
    "currency": ["", "USD", "usd", "EUR"],
    "amount_basis": ["", "one_off", "per_year"],
    "joined_precision": ["", "day", "month", "year"],
    "announced_precision": ["day", "month", "season", "year"],
    "meeting": ["", *curated_values("meetings", "slug")],
    "official": ["", *curated_values("officials", "slug")],
    "source": curated_values("sources", "slug"),
    "quantity": ["", "6", "38", "0"],
    "quantity_before": ["", "12"],
    "amount": ["", "1000000.00", "5e6", "1E+400", "NaN", "Infinity", "0.001", "99999999999999.99"],
    "announced": ["", "2016-02-11", "2016-02-30"],
    "joined": ["", "2014-09-01"],
    "participation": ["", "1", "2"],
    "figure": ["", "1", "2"],
    "contribution": ["", "1", "2", "24"],
    "capability_request": ["", "1"],
}


def cell(column):
    known = CELLS.get(column, [])
    good = st.sampled_from(known) if known else st.just("")
    # Mostly plausible values: a file where every cell is noise never gets past the first check.
    return st.one_of(good, good, good, ANY_TEXT, NUMBERS, DATES, good.map(lambda value: f" {value} "))


@st.composite
def csv_files(draw, resource_class, templates):
    """A CSV file of a few rows, each a valid exported row with some cells changed, under the
    resource's columns (now and then one missing or one unknown)."""
    columns = resource_class.column_names()
    dropped = draw(st.lists(st.sampled_from(columns), max_size=1, unique=True))
    extra = draw(st.lists(ANY_TEXT, max_size=1))
    header = [column for column in columns if column not in dropped] + extra
    rows = []
    for template in draw(st.lists(st.sampled_from(templates), min_size=1, max_size=4)):
        row = {column: template.get(column, "") for column in header}
        # A blank id makes the row a new record; the rest of an exported row is valid as it stands.
        if "id" in row and draw(st.booleans()):
            row["id"] = ""
        for column in draw(st.lists(st.sampled_from(header), max_size=3, unique=True)):
            row[column] = draw(cell(column))
        rows.append([row[column] for column in header])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig"])))


def exported_rows(resource_class):
    """The records as the admin exports them: rows that import back unchanged."""
    dataset = resource_class().export()
    return [{key: "" if value is None else str(value) for key, value in row.items()} for row in dataset.dict]


def any_file(resource_class):
    """What an editor might upload: a CSV with odd cells, one cut short with noise after, or any bytes."""
    files = csv_files(resource_class, exported_rows(resource_class))
    truncated = st.tuples(files, st.binary(max_size=40)).map(lambda both: both[0][: len(both[0]) // 2] + both[1])
    return st.one_of(
        st.tuples(st.just(CSV_FORMAT), files),
        st.tuples(st.just(CSV_FORMAT), files),
        st.tuples(st.just(CSV_FORMAT), truncated),
        st.tuples(st.sampled_from([CSV_FORMAT, XLSX_FORMAT]), st.binary(max_size=200)),
    )


# Each model the import writes, and what a half-saved import would leave behind.
STATE = [Contribution, Nation, Citation, Contribution.history.model, Nation.history.model, Citation.history.model]


def state():
    return [model.objects.count() for model in STATE] + [LogEntry.objects.count()]


def row_kinds(result):
    kinds = Counter(row.import_type for row in result.rows)
    return kinds["new"], kinds["update"]


@pytest.fixture
def editor_client(client, editor, curated):
    client.force_login(editor)
    return client


@pytest.mark.parametrize(
    ("model", "resource_class"),
    [("contribution", ContributionResource), ("nation", NationResource), ("citation", CitationResource)],
)
def test_an_import_of_any_file_saves_all_of_it_or_nothing(editor_client, model, resource_class):
    model_class = resource_class._meta.model

    @settings(max_examples=150 * SCALE, **FUZZ)
    @given(upload=any_file(resource_class))
    def check(upload):
        EXAMPLES[f"import {model}"] += 1
        file_format, data = upload
        # Each example starts from the curated data: whatever it saves is rolled back afterwards.
        with transaction.atomic():
            before = state()
            preview = editor_client.post(
                admin_url(model, "import"),
                {"resource": "0", "format": file_format, "import_file": SimpleUploadedFile("upload.csv", data)},
            )
            assert preview.status_code == 200
            assert state() == before, "the preview saved something"
            if "confirm_form" not in preview.context:
                transaction.set_rollback(True)
                return
            new, updated = row_kinds(preview.context["result"])
            form = preview.context["confirm_form"]
            confirmed = editor_client.post(
                admin_url(model, "process_import"), {name: form[name].value() for name in form.fields}
            )
            after = state()
            # The file did not change between preview and confirmation, so it must import.
            assert confirmed.status_code == 302
            assert confirmed["Location"] == admin_url(model, "changelist"), "the confirmed import failed"
            index = STATE.index(model_class)
            assert after[index] - before[index] == new
            assert after[index + 3] - before[index + 3] == new + updated
            IMPORTED[f"import {model}"] += 1
            transaction.set_rollback(True)

    check()


# --- What the fuzzing found ---------------------------------------------------------------------


def test_a_percent_sign_in_an_id_filter_is_a_400_naming_it(anyone):
    # The value was put into the message, which django-filter then %-formats: a TypeError and a 500.
    response = anyone.get("/api/v1/citations/?contribution=%25s")
    assert response.status_code == 400
    assert response.json() == {"contribution": ["“%s” is not an id."]}


def test_an_id_filter_too_long_for_python_to_read_is_a_400(anyone):
    response = anyone.get("/api/v1/citations/?contribution=" + "9" * (PYTHON_INT_DIGITS + 1))
    assert response.status_code == 400


@pytest.mark.parametrize("parameter", ["page", "page_size"])
def test_a_page_number_too_long_for_python_to_read_is_a_400(curated, parameter):
    client = APIClient(raise_request_exception=False)
    response = client.get(f"/api/v1/contributions/?{parameter}=" + "9" * (PYTHON_INT_DIGITS + 1))
    assert response.status_code == 400


@pytest.mark.parametrize("filterset_class", [ContributionFilter, NationFilter, MeetingFilter, OfficialFilter])
def test_an_ordering_of_only_commas_keeps_the_default_order(db, filterset_class):
    filterset = filterset_class(QueryDict("ordering=,"), queryset=filterset_class._meta.model.objects.all())
    assert filterset.is_valid()
    assert filterset.qs.ordered


@pytest.mark.parametrize("path", ["/api/v1/contributions/", "/api/v1/capability-requests/", "/api/v1/citations/"])
def test_an_api_page_is_cut_from_ordered_rows_whatever_the_ordering_parameter(anyone, path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        assert anyone.get(f"{path}?ordering=,").status_code == 200


def upload_contributions(client, content):
    return client.post(
        admin_url("contribution", "import"),
        {"resource": "0", "format": CSV_FORMAT, "import_file": SimpleUploadedFile("c.csv", content.encode())},
    )


@pytest.mark.parametrize(
    ("given_id", "message"),
    [
        ("999999", "No contribution with id 999999; leave it blank to add a new contribution."),
        ("0", "No contribution with id 0; leave it blank to add a new contribution."),
        ("-5", "“-5” is not an id. Leave it blank for a new record, or give an existing record's id."),
        ("1.5", "“1.5” is not an id. Leave it blank for a new record, or give an existing record's id."),
        ("1e3", "“1e3” is not an id. Leave it blank for a new record, or give an existing record's id."),
        ("abc", "“abc” is not an id. Leave it blank for a new record, or give an existing record's id."),
    ],
)
def test_an_import_row_whose_id_names_no_record_is_refused_on_the_id_column(editor_client, given_id, message):
    # It used to create a record under that id (999999, 0, -5, 1000) or update record 1 for "1.5"; "abc"
    # was an error with an exception's name instead of a message on the column.
    before = state()
    first = Contribution.objects.get(pk=1)
    response = upload_contributions(
        editor_client, f"id,nation_code,category,status,description\n{given_id},FR,military,pledged,Typo in the id\n"
    )
    (invalid,) = response.context["result"].invalid_rows
    assert invalid.field_specific_errors == {"id": [message]}
    assert "confirm_form" not in response.context
    assert state() == before
    assert Contribution.objects.get(pk=1).description == first.description


def test_an_import_row_with_the_id_of_an_existing_record_still_updates_it(editor_client):
    response = upload_contributions(
        editor_client, "id,nation_code,category,status,description\n 3 ,FR,military,pledged,Updated by id\n"
    )
    assert [row.import_type for row in response.context["result"].rows] == ["update"]
