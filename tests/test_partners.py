"""Partners: international organizations beside countries, one concept, keyed by slug; and role
statements, the latest of which is a partner's current role."""

import datetime

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from rest_framework.test import APIClient

from contributions.models import Citation, Contribution, Nation, RoleStatement
from contributions.resources import ContributionResource, NationResource
from tests.factories import token_for

API = "/api/v1"


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")
    return client


@pytest.fixture
def eu_aid(cast):
    aid = Contribution.objects.create(
        nation=cast.eu, category="financial", status="pledged", description="Stabilisation funds"
    )
    Citation.objects.create(source=cast.reuters, contribution=aid, quote="The EU pledged stabilisation funds.")
    return aid


# --- The model ------------------------------------------------------------------------------------


def test_a_country_takes_its_code_as_slug_and_an_organization_keeps_its_own(cast):
    assert (cast.france.kind, cast.france.slug, cast.france.code) == ("country", "fr", "FR")
    assert (cast.eu.kind, cast.eu.slug, cast.eu.code, str(cast.eu)) == ("organization", "eu", "eu", "European Union")
    assert cast.eu.get_absolute_url() == "/partners/eu/"


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"slug": "e"}, "slug"),  # too short
        ({"slug": "fr"}, "slug"),  # a country's code
        ({"slug": "Arab League"}, "slug"),
        ({"slug": "arab-league", "country": "SA"}, "country"),
        ({"slug": "arab-league", "name": ""}, "name"),
    ],
)
def test_an_organization_is_refused_a_slug_that_could_be_a_country_code_or_a_country(db, fields, field):
    organization = Nation(**{"kind": "organization", "name": "Arab League", "role": "member", **fields})
    with pytest.raises(ValidationError) as error:
        organization.full_clean()
    assert field in error.value.message_dict


def test_the_database_refuses_an_organization_with_a_two_letter_slug_or_a_country_code(db):
    for fields in ({"slug": "xy", "country": ""}, {"slug": "arab-league", "country": "SA"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Nation.objects.bulk_create([Nation(kind="organization", name="Arab League", role="member", **fields)])


def test_the_database_refuses_a_country_whose_slug_is_not_its_code(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Nation.objects.bulk_create([Nation(kind="country", country="FR", slug="france", name="France", role="lead")])


def test_two_organizations_may_both_have_no_country_code(cast):
    Nation.objects.create(kind="organization", slug="arab-league", name="Arab League", role="member")
    assert Nation.objects.filter(kind="organization").count() == 2


# --- Role statements ------------------------------------------------------------------------------


def test_the_latest_role_statement_is_the_current_role(cast):
    cast.saudi.refresh_from_db()
    assert cast.saudi.role == "military"  # the strikes, 11 February 2016, after "member" in November 2015
    earlier = RoleStatement.objects.create(partner=cast.saudi, role="non_military", as_of=datetime.date(2015, 1, 1))
    cast.saudi.refresh_from_db()
    assert cast.saudi.role == "military"  # an older statement does not change it
    cast.saudi_strikes.delete()
    cast.saudi.refresh_from_db()
    assert cast.saudi.role == "member"
    earlier.as_of = datetime.date(2016, 3, 1)
    earlier.save()
    cast.saudi.refresh_from_db()
    assert cast.saudi.role == "non_military"


def test_of_two_statements_as_of_the_same_date_the_one_entered_last_wins(cast):
    day = datetime.date(2016, 5, 4)
    RoleStatement.objects.create(partner=cast.japan, role="member", as_of=day)
    RoleStatement.objects.create(partner=cast.japan, role="military", as_of=day)
    cast.japan.refresh_from_db()
    assert cast.japan.role == "military"
    assert [s.role for s in cast.japan.role_statements.latest_first()] == ["military", "member"]


def test_a_partner_without_statements_keeps_the_role_entered_and_the_change_is_in_its_history(cast):
    cast.canada.refresh_from_db()
    assert cast.canada.role == "military"
    before = cast.canada.history.count()
    statement = RoleStatement.objects.create(partner=cast.canada, role="non_military", as_of=datetime.date(2016, 2, 1))
    assert cast.canada.history.count() == before + 1
    statement.delete()
    cast.canada.refresh_from_db()
    assert cast.canada.role == "non_military"  # the last statement gone, the role stays as it was set


# --- Pages ----------------------------------------------------------------------------------------


def test_an_organizations_profile_shows_its_contributions_and_is_canonical_under_partners(client, cast, eu_aid):
    response = client.get("/partners/eu/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "European Union" in page and "International organization" in page
    assert "Stabilisation funds" in page
    assert '<link rel="canonical" href="http://testserver/partners/eu/">' in page


def test_a_nations_old_address_still_serves_its_profile_naming_the_partner_address_canonical(client, cast):
    response = client.get("/nations/fr/")
    assert response.status_code == 200
    assert '<link rel="canonical" href="http://testserver/partners/fr/">' in response.content.decode()
    assert client.get("/nations/FR/")["Location"] == "/nations/fr/"
    assert client.get("/partners/FR/")["Location"] == "/partners/fr/"


def test_the_profile_lists_the_role_history_latest_first_with_its_quotes(client, cast):
    page = client.get("/partners/sa/").content.decode()
    history = page[page.index("Role over time") :]
    assert history.index("11 February 2016") < history.index("23 November 2015")
    assert "Saudi Arabia flies strikes in Syria." in history
    assert "Saudi Arabia is a member." in history


def test_the_partner_list_holds_both_kinds_and_filters_by_kind(client, cast):
    page = client.get(reverse("partner-list")).content.decode()
    assert "European Union" in page and "France" in page
    organizations = client.get(reverse("partner-list"), {"kind": "organization"}).content.decode()
    assert "European Union" in organizations and ">France<" not in organizations
    assert client.get("/nations/").status_code == 200


def test_the_contribution_list_filters_by_partner_and_lists_organizations_beside_the_map(client, cast, eu_aid):
    response = client.get(reverse("contribution-list"), {"partner": "eu"})
    assert response.status_code == 200
    assert [c.pk for c in response.context["page"]] == [eu_aid.pk]
    page = response.content.decode()
    assert 'Organizations, which have no outline: <a href="/partners/eu/">European Union</a>' in page
    assert client.get(reverse("contribution-list"), {"partner": "atlantis"}).status_code == 400


def test_the_matrix_and_the_home_page_count_an_organizations_contributions(client, cast, eu_aid):
    assert "/partners/eu/" in client.get(reverse("home")).content.decode()
    assert "European Union" in client.get(reverse("matrix")).content.decode()


def test_the_site_search_finds_an_organization_by_name_and_slug(client, cast):
    from contributions.search import Search

    assert ("nation", cast.eu.pk) in {(hit.kind, hit.object_id) for hit in Search("european union").page(0, 20)}
    assert ("nation", cast.eu.pk) in {(hit.kind, hit.object_id) for hit in Search("eu").page(0, 20)}


# --- API ------------------------------------------------------------------------------------------


def test_the_api_lists_both_kinds_with_kind_slug_and_code(cast):
    body = APIClient().get(f"{API}/nations/", {"kind": "organization"}).json()
    [eu] = body["results"]
    assert (eu["kind"], eu["slug"], eu["code"], eu["name"]) == ("organization", "eu", "eu", "European Union")
    assert eu["url"] == "http://testserver/api/v1/nations/eu/"
    france = APIClient().get(f"{API}/nations/fr/").json()
    assert (france["kind"], france["slug"], france["code"]) == ("country", "fr", "FR")


@pytest.mark.parametrize("path", ["nations/fr/", "nations/FR/", "partners/fr/", "partners/Fr/"])
def test_a_country_is_found_by_its_code_in_either_case_under_both_names(cast, path):
    assert APIClient().get(f"{API}/{path}").json()["name"] == "France"


@pytest.mark.parametrize("path", ["nations/eu/", "partners/eu/", "partners/EU/"])
def test_an_organization_is_found_by_its_slug_under_both_names(cast, path):
    assert APIClient().get(f"{API}/{path}").json()["name"] == "European Union"


def test_the_partner_detail_reads_its_role_statements_latest_first_with_citations(cast):
    body = APIClient().get(f"{API}/partners/sa/").json()
    assert [(s["role"], s["as_of"]) for s in body["role_statements"]] == [
        ("military", "2016-02-11"),
        ("member", "2015-11-23"),
    ]
    assert body["role_statements"][0]["citations"][0]["quote"] == "Saudi Arabia flies strikes in Syria."


def test_contributions_filter_by_partner_in_the_api(cast, eu_aid):
    body = APIClient().get(f"{API}/contributions/", {"partner": "eu"}).json()
    assert [row["id"] for row in body["results"]] == [eu_aid.pk]
    assert body["results"][0]["nation"]["code"] == "eu"
    assert APIClient().get(f"{API}/contributions/", {"partner": "atlantis"}).status_code == 400


def test_an_editor_creates_an_organization_through_the_api(editor_api, cast):
    body = {"kind": "organization", "slug": "arab-league", "name": "Arab League", "role": "member"}
    response = editor_api.post(f"{API}/partners/", body, format="json")
    assert response.status_code == 201, response.json()
    league = Nation.objects.get(slug="arab-league")
    assert (league.kind, league.country, response.json()["code"]) == ("organization", "", "arab-league")
    assert response["Location"] == "http://testserver/api/v1/nations/arab-league/"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "organization", "slug": "a", "name": "A"}, "slug"),
        ({"kind": "organization", "slug": "eu", "name": "European Union"}, "slug"),  # taken
        ({"kind": "organization", "slug": "arab-league", "name": ""}, "name"),
        ({"kind": "organization", "slug": "arab-league", "name": "Arab League", "code": "SA"}, "code"),
        ({"kind": "planet", "slug": "mars", "name": "Mars"}, "kind"),
        ({"kind": "country", "name": "Nowhere"}, "code"),
    ],
)
def test_a_bad_partner_is_a_400_naming_the_field_and_saves_nothing(editor_api, cast, body, field):
    before = Nation.objects.count()
    response = editor_api.post(f"{API}/partners/", {"role": "member", **body}, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Nation.objects.count() == before


def test_an_editor_adds_a_role_statement_and_changes_it_with_if_match(editor_api, cast):
    body = {"partner": "eu", "role": "military", "as_of": "2016-05-04", "as_of_precision": "day"}
    created = editor_api.post(f"{API}/role-statements/", body, format="json")
    assert created.status_code == 201, created.json()
    cast.eu.refresh_from_db()
    assert cast.eu.role == "military"
    url = created["Location"]
    assert editor_api.patch(url, {"role": "member"}, format="json").status_code == 428
    changed = editor_api.patch(url, {"role": "member"}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert changed.status_code == 200
    cast.eu.refresh_from_db()
    assert cast.eu.role == "member"
    bad = editor_api.post(f"{API}/role-statements/", {**body, "role": "emperor", "as_of": "1800-01-01"}, format="json")
    assert bad.status_code == 400
    assert {"role", "as_of"} <= set(bad.json())


def test_a_role_statement_is_cited_through_the_citations_resource(editor_api, cast):
    body = {"source": cast.reuters.slug, "quote": "Saudi Arabia flies strikes.", "role_statement": cast.saudi_member.pk}
    response = editor_api.post(f"{API}/citations/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["target_type"] == "role_statement"


# --- Import ---------------------------------------------------------------------------------------


def import_contributions(headers, row):
    dataset = tablib.Dataset(headers=[*headers, "category", "status", "description", "source", "quote"])
    dataset.append([*row, "financial", "pledged", "Imported aid", "2016-02-11-reuters-us-tells-allies", "It said so."])
    return ContributionResource().import_data(dataset, dry_run=False)


def test_a_contribution_imports_with_a_partner_column_naming_an_organization(cast):
    result = import_contributions(["partner"], ["eu"])
    assert not result.has_errors() and not result.has_validation_errors(), result.base_errors
    assert Contribution.objects.get(description="Imported aid").nation == cast.eu


def test_a_contribution_still_imports_with_a_nation_code_column(cast):
    result = import_contributions(["nation_code"], ["FR"])
    assert not result.has_errors() and not result.has_validation_errors(), result.base_errors
    assert Contribution.objects.get(description="Imported aid").nation == cast.france


def test_an_import_naming_two_different_partners_is_refused(cast):
    result = import_contributions(["nation_code", "partner"], ["FR", "eu"])
    assert result.has_validation_errors()
    assert "partner" in result.invalid_rows[0].field_specific_errors
    assert not Contribution.objects.filter(description="Imported aid").exists()


def test_the_contribution_export_keeps_its_columns_without_the_import_only_partner_column(cast):
    assert "partner" not in ContributionResource().get_export_headers()
    assert "partner" in ContributionResource.column_names()


def test_partners_import_organizations_by_slug_and_countries_by_code(cast):
    dataset = tablib.Dataset(headers=["code", "kind", "slug", "name", "role", "source", "quote"])
    dataset.append(["", "organization", "arab-league", "Arab League", "member", cast.reuters.slug, "It said so."])
    dataset.append(["eu", "organization", "", "European Union", "military", "", ""])
    dataset.append(["de", "", "", "", "military", "", ""])
    result = NationResource().import_data(dataset, dry_run=False)
    assert not result.has_validation_errors(), [row.error_dict for row in result.invalid_rows]
    assert Nation.objects.get(slug="arab-league").kind == "organization"
    assert Nation.objects.get(pk=cast.eu.pk).role == "military"  # updated, not added again
    assert Nation.objects.get(slug="de").country == "DE"


# --- Migration ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_every_existing_nation_a_country_keyed_by_its_code():
    executor = MigrationExecutor(connection)
    old = [("contributions", "0011_meeting_series")]
    executor.migrate(old)
    apps = executor.loader.project_state(old).apps
    OldNation = apps.get_model("contributions", "Nation")
    OldCitation = apps.get_model("contributions", "Citation")
    OldSource = apps.get_model("contributions", "Source")
    france = OldNation.objects.create(country="FR", name="France", role="military")
    OldNation.objects.create(country="US", name="United States", role="lead")
    source = OldSource.objects.create(
        slug="s", outlet="Reuters", headline="H", published=datetime.date(2016, 2, 11), url="https://example.org/"
    )
    OldCitation.objects.create(source=source, quote="France strikes.", nation=france)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    apps = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    Nation_ = apps.get_model("contributions", "Nation")
    assert sorted(Nation_.objects.values_list("kind", "slug", "country", "name", "role")) == [
        ("country", "fr", "FR", "France", "military"),
        ("country", "us", "US", "United States", "lead"),
    ]
    assert apps.get_model("contributions", "Citation").objects.get().nation_id == france.pk
