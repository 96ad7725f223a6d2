"""Lines of effort: the models' constraints, the pages, the API, the exports, the search and the
migration that adds them."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from rest_framework.test import APIClient

from contributions import tables
from contributions.models import Citation, LineLead, LineOfEffort
from contributions.search import Search
from tests.factories import CarefulAPIClient, LineOfEffortFactory, token_for

API = "/api/v1"


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def editor_api(editor):
    client = CarefulAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")
    return client


def rejected_by_database(save):
    try:
        with transaction.atomic():
            save()
    except IntegrityError:
        return True
    return False


# --- The models -------------------------------------------------------------------------------------


def test_a_partner_leads_a_line_only_once(cast):
    assert rejected_by_database(lambda: LineLead.objects.create(line=cast.police_line, partner=cast.italy))
    # Another partner, or the same partner on another line, is fine.
    LineLead.objects.create(line=cast.police_line, partner=cast.germany)
    LineLead.objects.create(line=cast.campaign_line, partner=cast.italy)


def test_the_duplicate_lead_is_refused_by_validation_naming_the_reason(cast):
    with pytest.raises(ValidationError, match="already leads this line"):
        LineLead(line=cast.police_line, partner=cast.italy).full_clean()


def test_two_lines_cannot_share_a_slug_and_a_line_needs_a_name(cast):
    assert rejected_by_database(lambda: LineOfEffort.objects.create(slug="military-campaign", name="Again"))
    assert rejected_by_database(lambda: LineOfEffort.objects.create(slug="nameless", name=""))
    with pytest.raises(ValidationError) as error:
        LineOfEffort(slug="blank", name="  ").full_clean()
    assert "name" in error.value.message_dict


def test_a_citation_of_a_lead_supports_exactly_that_lead(cast):
    citation = cast.italy_leads_police.citations.get()
    assert citation.target_type == "line_lead"
    assert citation.target == cast.italy_leads_police
    assert (
        cast.italy_leads_police.get_absolute_url() == f"/lines/iraqi-police-training/#lead-{cast.italy_leads_police.pk}"
    )
    assert citation.get_absolute_url() == f"/lines/iraqi-police-training/#citation-{citation.pk}"
    # A quote supporting a line and one of its leads at once is ambiguous.
    citation.line_of_effort = cast.police_line
    assert rejected_by_database(citation.save)


def test_a_line_names_itself_and_links_to_its_page(cast):
    assert str(cast.police_line) == "Training the Iraqi police"
    assert str(cast.italy_leads_police) == "Italy leads Training the Iraqi police"
    assert cast.police_line.get_absolute_url() == "/lines/iraqi-police-training/"
    assert list(cast.police.lines_of_effort.all()) == [cast.police_line]


# --- The pages --------------------------------------------------------------------------------------


def test_the_list_shows_each_line_with_its_leads_and_counts(client, cast, django_assert_num_queries):
    # The lines with their counts of contributions and requests (1); their leads with partners (1).
    with django_assert_num_queries(2):
        response = client.get(reverse("line-list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert [line.slug for line in response.context["lines"]] == ["military-campaign", "iraqi-police-training"]
    police = response.context["lines"][1]
    assert (police.contribution_count, police.request_count) == (1, 1)
    assert 'Led by <a href="/partners/it/">Italy</a>' in content
    assert "3 contributions · 0 capability requests" in content


def test_the_page_of_a_line_shows_its_quotes_leads_contributions_and_requests(client, cast, django_assert_num_queries):
    # The line (1); its leads with partners (1) and their citations (1); its citations (1); its
    # contributions, their citations and theatres (3); its requests and their citations (2).
    with django_assert_num_queries(9):
        response = client.get(reverse("line-detail", args=["iraqi-police-training"]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "An effort to train Iraqi police forces." in content
    assert f'id="lead-{cast.italy_leads_police.pk}"' in content
    assert "An effort led by Italy is underway." in content
    assert response.context["contributions"] == [cast.police]
    assert cast.police.description in content
    assert response.context["requests"] == [cast.police_request]
    assert "/contributions/?line=iraqi-police-training" in content


def test_an_unknown_line_is_a_404(client, cast):
    assert client.get("/lines/no-such-line/").status_code == 404


def test_the_contribution_page_says_which_lines_it_serves_and_the_nation_page_which_it_leads(client, cast):
    contribution_page = client.get(reverse("contribution-detail", args=[cast.police.pk])).content.decode()
    assert 'Serves</dt><dd><a href="/lines/iraqi-police-training/">Training the Iraqi police</a>' in contribution_page
    nation_page = client.get(reverse("nation-detail", args=["it"])).content.decode()
    assert 'Leads</dt><dd><a href="/lines/iraqi-police-training/">Training the Iraqi police</a>' in nation_page
    assert "<dt>Leads</dt>" not in client.get(reverse("nation-detail", args=["fr"])).content.decode()


def test_the_navigation_links_the_lines(client, cast):
    content = client.get(reverse("line-list")).content.decode()
    assert '<a href="/lines/" aria-current="page">Lines of effort</a>' in content


def test_the_contribution_list_filters_by_line_and_shows_it_as_a_chip(client, cast):
    response = client.get("/contributions/?line=iraqi-police-training")
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [cast.police]
    assert {"what": "Line of effort", "value": "Training the Iraqi police", "url": "?"} in response.context["chips"]


def test_an_unknown_line_on_the_contribution_list_is_a_400_naming_it(client, cast):
    response = client.get("/contributions/?line=no-such-line")
    assert response.status_code == 400
    assert "Line of effort" in dict(response.context["errors"])


# --- The API ----------------------------------------------------------------------------------------


def test_the_api_lists_lines_with_leads_counts_and_what_serves_them(anonymous, cast, django_assert_num_queries):
    # The data version; COUNT; the page with its counts; leads with partners; contributions; requests.
    with django_assert_num_queries(6):
        response = anonymous.get(f"{API}/lines/")
    assert response.status_code == 200
    police = response.json()["results"][1]
    assert police["slug"] == "iraqi-police-training"
    assert [lead["partner"]["code"] for lead in police["leads"]] == ["IT"]
    assert [row["id"] for row in police["contributions"]] == [cast.police.pk]
    assert [row["id"] for row in police["requests"]] == [cast.police_request.pk]
    assert (police["contribution_count"], police["request_count"]) == (1, 1)
    assert police["contributions_url"].endswith("/api/v1/contributions/?line=iraqi-police-training")
    assert police["web_url"] == "http://testserver/lines/iraqi-police-training/"


def test_the_api_filters_lines_by_lead_partner(anonymous, cast):
    rows = anonymous.get(f"{API}/lines/?partner=it").json()["results"]
    assert [row["slug"] for row in rows] == ["iraqi-police-training"]
    response = anonymous.get(f"{API}/lines/?partner=zz")
    assert response.status_code == 400
    assert "partner" in response.json()


def test_the_api_detail_of_a_line_embeds_its_citations(anonymous, cast, django_assert_num_queries):
    # The line with its counts; leads with partners; contributions; requests; citations with sources.
    with django_assert_num_queries(5):
        response = anonymous.get(f"{API}/lines/iraqi-police-training/")
    assert response.status_code == 200
    assert [c["quote"] for c in response.json()["citations"]] == ["An effort to train Iraqi police forces."]
    lead = anonymous.get(f"{API}/line-leads/{cast.italy_leads_police.pk}/").json()
    assert lead["line"]["slug"] == "iraqi-police-training"
    assert [c["quote"] for c in lead["citations"]] == ["An effort led by Italy is underway."]


def test_contribution_rows_name_the_lines_they_serve_and_filter_by_them(anonymous, cast):
    row = anonymous.get(f"{API}/contributions/{cast.carrier.pk}/").json()
    assert row["lines_of_effort"] == ["military-campaign"]
    rows = anonymous.get(f"{API}/contributions/?line=military-campaign,iraqi-police-training").json()["results"]
    assert {row["id"] for row in rows} == {c.pk for c in (cast.carrier, cast.uk_strikes, cast.us_strikes, cast.police)}
    response = anonymous.get(f"{API}/contributions/?line=no-such-line")
    assert response.status_code == 400
    assert "line" in response.json()


def test_an_editor_records_a_line_its_lead_and_the_lead_s_citation_through_the_api(editor_api, cast):
    made = editor_api.post(
        f"{API}/lines/",
        {
            "slug": "foreign-fighters",
            "name": "Stopping the flow of foreign terrorist fighters",
            "order": 3,
            "contributions": [cast.dutch_strikes.pk],
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made["Location"].endswith("/api/v1/lines/foreign-fighters/")
    lead = editor_api.post(f"{API}/line-leads/", {"line": "foreign-fighters", "partner": "nl"}, format="json")
    assert lead.status_code == 201, lead.json()
    quote = "Stopping the flow of foreign terrorist fighters (led by the Netherlands and Turkey)."
    cited = editor_api.post(
        f"{API}/citations/", {"source": cast.voa.slug, "quote": quote, "line_lead": lead.json()["id"]}, format="json"
    )
    assert cited.status_code == 201, cited.json()
    assert cited.json()["target_type"] == "line_lead"
    line = LineOfEffort.objects.get(slug="foreign-fighters")
    assert [lead.partner for lead in line.leads.all()] == [cast.netherlands]
    assert list(line.contributions.all()) == [cast.dutch_strikes]
    assert Search("terrorist fighters Netherlands").counts() == {"line_of_effort": 1}


def test_a_second_lead_of_the_same_partner_is_a_400_and_nothing_is_saved(editor_api, cast):
    response = editor_api.post(f"{API}/line-leads/", {"line": "iraqi-police-training", "partner": "IT"}, format="json")
    assert response.status_code == 400
    assert "already leads this line" in str(response.json())
    assert cast.police_line.leads.count() == 1


def test_readers_cannot_write_lines(anonymous, cast):
    response = anonymous.post(f"{API}/lines/", {"slug": "x", "name": "X"}, format="json")
    assert response.status_code in (401, 403)
    assert not LineOfEffort.objects.filter(slug="x").exists()


# --- Exports and search -----------------------------------------------------------------------------


def test_the_contribution_csv_has_a_lines_of_effort_column(client, cast):
    response = client.get("/contributions/?format=csv&line=military-campaign")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {row["lines_of_effort"] for row in rows} == {"military-campaign"}
    assert len(rows) == 3


def test_the_full_export_and_its_dictionary_hold_lines_and_leads(anonymous, cast):
    exported = anonymous.get(f"{API}/export/").json()["tables"]
    assert [row["slug"] for row in exported["lines_of_effort"]] == ["military-campaign", "iraqi-police-training"]
    assert exported["line_leads"] == [
        {
            "id": cast.italy_leads_police.pk,
            "line": "iraqi-police-training",
            "partner_code": "IT",
            "updated": exported["line_leads"][0]["updated"],
        }
    ]
    police_row = next(row for row in exported["contributions"] if row["id"] == cast.police.pk)
    assert police_row["lines_of_effort"] == "iraqi-police-training"
    lead_quote = next(row for row in exported["citations"] if row["target_type"] == "line_lead")
    assert lead_quote["target"] == cast.italy_leads_police.pk
    dictionary = {table["name"] for table in anonymous.get(f"{API}/export/dictionary/").json()["tables"]}
    assert {"lines_of_effort", "line_leads"} <= dictionary
    assert tables.CONTRIBUTIONS.column("lines_of_effort").meaning.startswith("Slugs of the lines of effort")


def test_search_finds_a_line_by_its_name_its_lead_and_its_quotes(cast):
    assert Search("police training").counts().get("line_of_effort") == 1
    assert Search("Italy underway").counts() == {"line_of_effort": 1}
    [hit] = Search("underway", "line_of_effort").page(0, 5)
    assert (hit.title, hit.url) == ("Training the Iraqi police", "/lines/iraqi-police-training/")


def test_search_follows_a_renamed_line_a_new_lead_and_a_renamed_partner(cast):
    line = LineOfEffortFactory(name="Countering the financing")
    assert Search("financing").counts() == {"line_of_effort": 1}
    line.name = "Halting the flow of funds"
    line.save()
    assert Search("financing").counts() == {}
    LineLead.objects.create(line=line, partner=cast.saudi)
    assert Search("funds Saudi").counts() == {"line_of_effort": 1}
    cast.saudi.name = "Kingdom of Saudi Arabia"
    cast.saudi.save()
    assert Search("funds kingdom").counts() == {"line_of_effort": 1}
    Citation.objects.create(source=cast.voa, line_lead=line.leads.get(), quote="Riyadh chokes the money.")
    assert Search("riyadh").counts() == {"line_of_effort": 1}
    line.delete()
    assert "line_of_effort" not in Search("funds").counts()


# --- The migration ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_citations_and_the_search_index_and_adds_the_new_targets():
    executor = MigrationExecutor(connection)
    executor.migrate([("contributions", "0011_meeting_series")])
    old = executor.loader.project_state([("contributions", "0011_meeting_series")]).apps
    source = old.get_model("contributions", "Source").objects.create(
        slug="s", outlet="Outlet", headline="Headline", published="2016-02-11", url="https://example.org/s"
    )
    nation = old.get_model("contributions", "Nation").objects.create(country="IT", name="Italy", role="military")
    old.get_model("contributions", "Citation").objects.create(source=source, nation=nation, quote="Italy leads.")
    old.get_model("contributions", "SearchEntry").objects.create(
        kind="nation", object_id=nation.pk, title="Italy", url="/nations/it/", text="Carabinieri instructors"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    citation = Citation.objects.get()
    assert (citation.quote, citation.target_type) == ("Italy leads.", "nation")
    # The index still finds what it held, and keeps up with new entries (SQLite's triggers are back).
    assert Search("carabinieri").counts() == {"nation": 1}
    line = LineOfEffort.objects.create(slug="police", name="Gendarmerie training")
    assert Search("gendarmerie").counts() == {"line_of_effort": 1}
    assert rejected_by_database(
        lambda: Citation.objects.create(source_id=source.pk, nation_id=nation.pk, line_of_effort=line, quote="Two.")
    )
