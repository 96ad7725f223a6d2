"""The OpenAPI schema: valid, complete for the filters, served with local docs, and honoured by the API."""

import os
import re
from collections import Counter

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from rest_framework.throttling import AnonRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contributions.filters import ContributionFilter
from contributions.models import Capability, Category, Contribution
from contributions.models.choices import TheatreCode
from tests.factories import token_for

SCHEMA_URL = "/api/v1/schema/?format=json"


@pytest.fixture
def schema(client, db):
    response = client.get(SCHEMA_URL)
    assert response.status_code == 200
    return response.json()


def parameters(schema, path, method="get"):
    return {p["name"]: p for p in schema["paths"][path][method].get("parameters", [])}


def test_the_schema_is_valid_openapi(schema):
    assert schema["openapi"].startswith("3.")
    validate(schema)


def test_drf_spectacular_validates_it_without_a_warning(db, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_drawing_the_schema_leaves_the_shared_filtersets_untouched(schema):
    # The web pages label their errors with the FilterSet's form labels.
    assert ContributionFilter().form.fields["category"].label == "Category"


def test_the_schema_is_also_served_as_yaml(client, db):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3")


def test_every_resource_is_documented(schema):
    paths = set(schema["paths"])
    for resource in ("contributions", "citations", "figures", "participations", "capability-requests"):
        assert {f"/api/v1/{resource}/", f"/api/v1/{resource}/{{id}}/"} <= paths
    assert {"/api/v1/nations/{code}/", "/api/v1/officials/{slug}/", "/api/v1/meetings/{slug}/"} <= paths
    assert {"/api/v1/sources/{slug}/", "/api/v1/summary/", "/api/v1/export/", "/api/v1/export/dictionary/"} <= paths


CHOICES = {
    "category": Category.values,
    "capability": Capability.values,
    "status": Contribution.Status.values,
    "theatre": TheatreCode.values,
}


@pytest.mark.parametrize("path", ["/api/v1/contributions/", "/api/v1/summary/"])
def test_every_contribution_filter_is_documented_with_its_type_and_allowed_values(schema, path):
    documented = parameters(schema, path)
    for name in ContributionFilter.base_filters:
        assert name in documented, name
        parameter = documented[name]
        assert parameter["in"] == "query"
        assert parameter.get("description"), name
        kind = parameter["schema"]
        if name in CHOICES:
            assert kind["type"] == "array"
            assert sorted(kind["items"]["enum"]) == sorted(CHOICES[name])
            assert parameter["explode"] is True  # ?status=a&status=b
        elif name in ("nation", "partner", "host", "meeting", "official", "line"):
            assert kind["type"] == "array"
            assert kind["items"]["type"] == "string"
            key = "fr" if name in ("nation", "partner", "host") else "brussels-2016"
            assert re.fullmatch(kind["items"]["pattern"], key)
        elif name in ("announced_after", "announced_before"):
            assert kind == {"type": "string", "format": "date"}
        elif name == "ordering":
            assert {"announced", "-announced", "nation", "-id"} <= set(kind["items"]["enum"])
        elif name == "verified":
            assert kind["type"] == "boolean"
        else:
            assert kind["type"] == "string", name


def test_pagination_and_formats_are_documented(schema):
    contributions = parameters(schema, "/api/v1/contributions/")
    assert contributions["page"]["schema"]["oneOf"][0] == {"type": "integer", "minimum": 1}
    assert "500" in contributions["page_size"]["description"]
    assert contributions["pagination"]["schema"]["enum"] == ["page", "cursor"]
    assert contributions["cursor"]["schema"]["type"] == "string"
    assert contributions["format"]["schema"]["enum"] == ["csv", "json"]
    assert "cursor" not in parameters(schema, "/api/v1/nations/")
    listed = schema["paths"]["/api/v1/contributions/"]["get"]["responses"]["200"]["content"]
    assert set(listed) == {"application/json", "text/csv"}
    assert parameters(schema, "/api/v1/export/")["format"]["schema"]["enum"] == ["json", "zip"]


def test_conditional_requests_and_errors_are_documented(schema):
    detail = schema["paths"]["/api/v1/contributions/{id}/"]
    assert "If-None-Match" in parameters(schema, "/api/v1/contributions/{id}/")
    assert {"200", "304", "404"} <= set(detail["get"]["responses"])
    assert "ETag" in detail["get"]["responses"]["200"]["headers"]
    for method in ("put", "patch", "delete"):
        assert "If-Match" in parameters(schema, "/api/v1/contributions/{id}/", method)
        assert {"401", "403", "404", "412"} <= set(detail[method]["responses"])
    assert "409" in detail["delete"]["responses"]
    assert "400" in detail["patch"]["responses"]
    assert set(schema["components"]["securitySchemes"]) == {"knoxApiToken", "cookieAuth"}
    assert {} in detail["get"]["security"]  # reading needs no credentials
    assert {} not in detail["put"]["security"]


def test_writes_take_related_records_by_key_and_reads_return_them_compact(schema):
    components = schema["components"]["schemas"]
    assert components["ContributionDetailRequest"]["properties"]["nation"]["type"] == "string"
    nation = components["ContributionDetail"]["properties"]["nation"]
    assert nation["allOf"] == [{"$ref": "#/components/schemas/NationRef"}]
    assert set(components["NationRef"]["properties"]) == {"code", "name", "kind", "url"}


# --- The documentation pages --------------------------------------------------------------------


@pytest.fixture
def plain_static(settings):
    # Manifest storage needs collectstatic, which the test run does not do; the references are what is tested.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_docs_pages_render_from_local_static_files(client, db, plain_static, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any("drf_spectacular_sidecar" in asset for asset in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), "a page loads something from another site"


def test_swagger_ui_starts_from_a_script_file_that_names_the_schema(client, db):
    html = client.get("/api/v1/docs/").content.decode()
    assert "<script>" not in html  # an inline script would need the site's Content-Security-Policy widened
    script = client.get(re.search(r'<script src="(/api/v1/docs/\?script=[^"]*)"', html).group(1))
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()


@pytest.mark.browser
def test_swagger_ui_works_in_a_browser_without_another_site(page, plain_static):
    # The page fixture also fails the test on any Content-Security-Policy violation.
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(page.base_url + "/api/v1/docs/")
    page.wait_for_selector(".opblock-tag", timeout=15000)
    assert "Coalition Contributions Tracker API" in page.inner_text(".info .title")
    assert all(url.startswith((page.base_url, "data:")) for url in requested), requested


@pytest.mark.browser
def test_redoc_works_in_a_browser_and_its_one_outside_image_is_blocked(chromium, live_server, plain_static):
    # ReDoc's bundle always shows a Redocly logo from cdn.redoc.ly; the site's policy stops that request,
    # so the shared page fixture, which fails on any violation, cannot be used here.
    context = chromium.new_context()
    page = context.new_page()
    violations, fetched = [], []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("response", lambda response: fetched.append(response.url))
    page.goto(live_server.url + "/api/v1/redoc/")
    page.wait_for_selector("h1", timeout=15000)
    assert "Coalition Contributions Tracker API" in page.inner_text("h1")
    page.wait_for_selector("[role=search] input, input[placeholder='Search...']", timeout=15000)
    context.close()
    assert all(url.startswith((live_server.url, "blob:", "data:")) for url in fetched), fetched
    assert all("cdn.redoc.ly" in message for message in violations), violations


# --- Schemathesis -------------------------------------------------------------------------------

# Examples per operation; with about 60 operations this keeps the run near a minute.
READ_EXAMPLES = 25
WRITE_EXAMPLES = 15

# The same cases on every run, so `make test` is repeatable; nothing written to .hypothesis/.
HYPOTHESIS = {"deadline": None, "database": None, "derandomize": True, "suppress_health_check": list(HealthCheck)}

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

CASES = Counter()


@pytest.fixture
def api_data(curated, monkeypatch):
    """The curated dataset to read and write through the WSGI app, with anonymous throttling off."""
    # Hundreds of anonymous requests in one test would otherwise meet the hourly limit.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": None})
    # As Django's test client does: "closing old connections" after a request would end the test's
    # transaction on PostgreSQL, and with it the curated data.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def editor_token(editor):
    return token_for(editor)


@pytest.fixture(scope="session", autouse=True)
def report_cases(request):
    """Say how many cases Schemathesis generated, once, at the end of the run."""
    yield
    if CASES:
        reads = sum(count for label, count in CASES.items() if label.startswith("GET "))
        line = f"schemathesis: {sum(CASES.values())} cases over {len(CASES)} operations ({reads} in reads)"
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter and capture:
            with capture.global_and_fixture_disabled():
                reporter.ensure_newline()
                reporter.write_line(line)


# Loaded from the app itself at collection: drawing the schema needs no database.
# (schemathesis.pytest.from_fixture would load it per test, but it does not run under pytest 9.2.)
api = schemathesis.openapi.from_wsgi(SCHEMA_URL, WSGIHandler())


@api.include(method="GET").parametrize()
@settings(max_examples=READ_EXAMPLES, **HYPOTHESIS)
def test_every_read_operation_answers_as_documented(case, api_data):
    CASES[case.operation.label] += 1
    case.call_and_validate(checks=CHECKS)


@api.exclude(method="GET").parametrize()
@settings(max_examples=WRITE_EXAMPLES, **HYPOTHESIS)
def test_every_write_operation_answers_an_editor_as_documented(case, api_data, editor_token):
    CASES[case.operation.label] += 1
    case.call_and_validate(headers={"Authorization": f"Token {editor_token}"}, checks=CHECKS)


# --- Opt-in: a heavier run ----------------------------------------------------------------------
# Not part of `make test`. Before a release, or after a change to the API, run hundreds of random cases
# per operation, reads and an editor's writes alike (about 20 minutes at 500):
#
#     FUZZ_BUDGET=500 DATABASE_URL=… .venv/bin/python -m pytest tests/test_schema.py -k budget
#
# Unlike the regular run, the cases are random, so each run looks somewhere new; Hypothesis prints
# the seed of a failure. Each case runs in a savepoint that is rolled back, so a DELETE does not leave
# the cases after it only 404s to look at.

FUZZ_BUDGET = int(os.environ.get("FUZZ_BUDGET", "0"))
BUDGET_HYPOTHESIS = {"deadline": None, "database": None, "suppress_health_check": list(HealthCheck)}


@pytest.mark.skipif(not FUZZ_BUDGET, reason="opt-in: set FUZZ_BUDGET to the examples per operation")
@api.parametrize()
@settings(max_examples=max(FUZZ_BUDGET, 1), **BUDGET_HYPOTHESIS)
def test_on_a_budget_every_operation_answers_an_editor_as_documented(case, api_data, editor_token):
    CASES[case.operation.label] += 1
    with transaction.atomic():
        case.call_and_validate(headers={"Authorization": f"Token {editor_token}"}, checks=CHECKS)
        transaction.set_rollback(True)
