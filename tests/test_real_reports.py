"""What a research report and an agency story list, recorded end to end as an editor would: partners
and forces through the admin's import, a line of effort, its lead, a role and a shared sentence through
the API; then read back from the list, the profiles, the matrix split by theatre and the API."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from contributions.models import Citation, Contribution, Nation, Source, SourceText
from tests.factories import token_for
from tests.test_admin import admin_url

REPORT = (
    "Coalition contributions by country and capability. "
    "Australia has eight F/A-18 Hornets based in the United Arab Emirates, flying strikes in Iraq. "
    "Belgium has six F-16s and 120 troops based in Jordan. "
    "The United States has around 1,830 soldiers in Iraq. "
    "The European Union pledged EUR 10 million for stabilisation, about US$11 million. "
    "The Arab League takes part alongside the coalition's states. "
    "The Netherlands and Turkey lead the effort to stop the flow of foreign terrorist fighters. "
    "Belgium flies strikes and is a military partner."
)
AUSTRALIA = "Australia has eight F/A-18 Hornets based in the United Arab Emirates, flying strikes in Iraq."
BELGIUM = "Belgium has six F-16s and 120 troops based in Jordan."
US_TROOPS = "The United States has around 1,830 soldiers in Iraq."
EU_MONEY = "The European Union pledged EUR 10 million for stabilisation, about US$11 million."
ARAB_LEAGUE = "The Arab League takes part alongside the coalition's states."
LEADS = "The Netherlands and Turkey lead the effort to stop the flow of foreign terrorist fighters."


@pytest.fixture
def report(cast):
    source = Source.objects.create(
        slug="research-report-2016",
        kind=Source.Kind.RESEARCH_REPORT,
        outlet="A research institute",
        headline="Coalition contributions by country and capability",
        published=datetime.date(2016, 3, 1),
    )
    SourceText.objects.create(source=source, text=REPORT)
    return source


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def api(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")
    return client


def imported(client, model, rows):
    """Upload a CSV through the admin's import page and confirm its preview."""
    content = "\n".join(",".join(f'"{cell}"' for cell in row) for row in rows)
    preview = client.post(
        admin_url(model._meta.model_name, "import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("file.csv", content.encode())},
    )
    result = preview.context.get("result")
    errors = result and [(row.number, row.error_dict) for row in result.invalid_rows]
    assert preview.status_code == 200 and "confirm_form" in preview.context, errors
    form = preview.context["confirm_form"]
    done = client.post(
        admin_url(model._meta.model_name, "process_import"), {name: form[name].value() for name in form.fields}
    )
    assert done.status_code == 302, done.content.decode()[:2000]


def test_a_report_is_recorded_through_the_import_and_the_api_and_read_back_everywhere(
    report, editor_client, api, client
):
    # Partners: three countries and an organization, each cited, through the nation import.
    imported(
        editor_client,
        Nation,
        [
            ["code", "name", "role", "kind", "slug", "source", "quote"],
            ["AU", "Australia", "military", "country", "", report.slug, AUSTRALIA],
            ["BE", "Belgium", "military", "country", "", report.slug, BELGIUM],
            ["JO", "Jordan", "member", "country", "", report.slug, BELGIUM],
            ["", "Arab League", "non_military", "organization", "arab-league", report.slug, ARAB_LEAGUE],
        ],
    )
    arab_league = Nation.objects.get(slug="arab-league")
    assert arab_league.kind == "organization" and not arab_league.country

    # Forces, with theatres, hosts and approximate numbers, through the contribution import; the EU's
    # pledge under its partner slug, in euros beside dollars.
    header = ["partner", "category", "capability", "status", "description", "quantity", "unit"]
    header += ["quantity_qualifier", "theatres", "host_code", "amount", "currency", "original_amount"]
    header += ["original_currency", "exchange_rate", "rate_date", "source", "quote"]
    imported(
        editor_client,
        Contribution,
        [
            header,
            ["au", "military", "aircraft", "delivered", "Eight F/A-18 Hornets", "8", "aircraft", "exact", "iraq"]
            + ["ae", "", "", "", "", "", "", report.slug, AUSTRALIA],
            ["be", "military", "aircraft", "delivered", "Six F-16s", "6", "aircraft", "exact", ""]
            + ["jo", "", "", "", "", "", "", report.slug, BELGIUM],
            ["us", "military", "ground_troops", "delivered", "Soldiers in Iraq", "1830", "personnel", "about"]
            + ["iraq", "", "", "", "", "", "", "", report.slug, US_TROOPS],
            ["eu", "financial", "funding", "pledged", "Stabilisation funds", "", "", "exact", "", ""]
            + ["11000000.00", "USD", "10000000.00", "EUR", "1.1", "2016-03-01", report.slug, EU_MONEY],
        ],
    )
    jets = Contribution.objects.get(nation__slug="au")
    assert (jets.host.slug, [t.code for t in jets.theatres.all()]) == ("ae", ["iraq"])
    troops = Contribution.objects.get(nation__slug="us", quantity=1830)
    assert troops.quantity_display == "about 1,830 personnel"
    eu_money = Contribution.objects.get(nation__slug="eu")
    assert (eu_money.original_currency, eu_money.amount) == ("EUR", 11_000_000)

    # The Belgian sentence supports three records, and the first status event of the contribution among
    # them, and is stored once.
    belgium_quotes = Citation.objects.filter(source=report).quoting(report, BELGIUM)
    assert belgium_quotes.count() == 4 and belgium_quotes.filter(quote=BELGIUM).count() == 1
    assert belgium_quotes.filter(status_event__isnull=False).count() == 1

    # A line of effort with its cited leads, and Belgium's role as of the report, through the API.
    line = api.post(
        "/api/v1/lines/",
        {"slug": "foreign-fighters", "name": "Stopping foreign terrorist fighters", "order": 3},
        format="json",
    )
    assert line.status_code == 201, line.json()
    for partner in ("nl", "eu"):
        lead = api.post("/api/v1/line-leads/", {"line": "foreign-fighters", "partner": partner}, format="json")
        assert lead.status_code == 201, lead.json()
        cited = api.post(
            "/api/v1/citations/",
            {"source": report.slug, "quote": LEADS, "line_lead": lead.json()["id"]},
            format="json",
        )
        assert cited.status_code == 201, cited.json()
    etag = api.get("/api/v1/lines/foreign-fighters/")["ETag"]
    served = api.patch(
        "/api/v1/lines/foreign-fighters/", {"contributions": [jets.pk]}, format="json", HTTP_IF_MATCH=etag
    )
    assert served.status_code == 200, served.json()
    role = api.post(
        "/api/v1/role-statements/",
        {"partner": "be", "role": "military", "as_of": "2016-03-01", "as_of_precision": "month"},
        format="json",
    )
    assert role.status_code == 201, role.json()
    cited = api.post(
        "/api/v1/citations/",
        {
            "source": report.slug,
            "quote": "Belgium flies strikes and is a military partner.",
            "role_statement": role.json()["id"],
        },
        format="json",
    )
    assert cited.status_code == 201, cited.json()

    # The list, filtered by theatre and by line.
    page = client.get("/contributions/?theatre=iraq").content.decode()
    assert "Australia" in page and "United Arab Emirates" in page and "about 1,830 personnel" in page
    assert "Belgium" not in page  # its theatre is not stated
    assert "Australia" in client.get("/contributions/?line=foreign-fighters").content.decode()

    # The profiles: the host lists what it hosts, the organization its pledge and the line it leads.
    assert "Eight F/A-18 Hornets" in client.get("/partners/ae/").content.decode()
    assert "Six F-16s" in client.get("/partners/jo/").content.decode()
    eu_page = client.get("/partners/eu/").content.decode()
    assert "Stabilisation funds" in eu_page and "Stopping foreign terrorist fighters" in eu_page
    assert client.get("/nations/au/").status_code == 200
    line_page = client.get("/lines/foreign-fighters/").content.decode()
    assert "Netherlands" in line_page and LEADS in line_page and "Eight F/A-18 Hornets" in line_page

    # The matrix split by theatre: Australia and the US under Iraq, Belgium under "not stated".
    matrix = client.get("/matrix/?split=theatre").content.decode()
    for partner in ("au", "us"):
        assert f'href="/contributions/?nation={partner}&amp;theatre=iraq&amp;category=military"' in matrix
    assert "Theatre not stated" in matrix and 'href="/contributions/?nation=be&amp;theatre=iraq' not in matrix

    # The API, by partner of either kind, by theatre and by line.
    rows = client.get("/api/v1/contributions/?partner=au,eu&format=json").json()["results"]
    assert len(rows) == 2
    australian = next(row for row in rows if row["description"] == "Eight F/A-18 Hornets")
    assert australian["theatres"] == ["iraq"] and australian["lines_of_effort"] == ["foreign-fighters"]
    us_rows = client.get("/api/v1/contributions/?theatre=iraq&nation=us&format=json").json()["results"]
    assert any(row["quantity_qualifier"] == "about" and row["quantity"] == 1830 for row in us_rows)
    belgium = client.get("/api/v1/partners/be/").json()
    assert belgium["role"] == "military" and belgium["kind"] == "country"
    league = client.get("/api/v1/nations/arab-league/").json()
    assert (league["kind"], league["slug"]) == ("organization", "arab-league")
