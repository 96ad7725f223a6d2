"""The REST API under /api/v1/: resources, filters, pagination, formats, permissions, ETags, errors."""

import csv
import io
import json
import threading
import time
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection, connections, transaction
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from contributions import tables
from contributions.models import Citation, Contribution, Meeting, Nation, Participation
from tests.factories import (
    CarefulAPIClient,
    ContributionFactory,
    FigureFactory,
    MeetingFactory,
    NationFactory,
    OfficialFactory,
    ParticipationFactory,
    SourceFactory,
    token_for,
)

API = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_throttle():
    # Anonymous throttling counts requests in the cache; each test starts with none made.
    cache.clear()


@pytest.fixture
def anonymous():
    return APIClient()


def token_client(user):
    client = CarefulAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture
def editor_api(editor):
    return token_client(editor)


@pytest.fixture
def reader_api(reader):
    return token_client(reader)


def detail_urls(cast):
    # Records with one citation each, so a detail's embedded citations can be counted.
    return {
        "nations": f"{API}/nations/fr/",
        "officials": f"{API}/officials/ash-carter/",
        "meetings": f"{API}/meetings/brussels-2016-02/",
        "sources": f"{API}/sources/{cast.reuters.slug}/",
        "contributions": f"{API}/contributions/{cast.carrier.pk}/",
        "citations": f"{API}/citations/{cast.carrier.citations.get().pk}/",
        "figures": f"{API}/figures/{cast.at_the_table.pk}/",
        "participations": f"{API}/participations/{cast.saudi_at_brussels.pk}/",
        "capability-requests": f"{API}/capability-requests/{cast.isr.pk}/",
    }


RESOURCES = [
    "nations",
    "officials",
    "meetings",
    "sources",
    "contributions",
    "citations",
    "figures",
    "participations",
    "capability-requests",
]
CITED = [name for name in RESOURCES if name not in ("sources", "citations")]


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv"), response["Content-Type"]
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


# --- Resources ----------------------------------------------------------------------------------


def test_the_api_root_lists_every_resource(anonymous, db):
    body = anonymous.get(f"{API}/").json()
    assert set(RESOURCES) <= set(body)
    assert body["nations"] == "http://testserver/api/v1/nations/"


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_list_answers_anonymously_with_its_records(anonymous, cast, resource):
    rows = results(anonymous.get(f"{API}/{resource}/"))
    assert rows
    assert all(row["url"].startswith(f"http://testserver{API}/{resource}/") for row in rows)


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_detail_answers_at_the_url_its_list_gives(anonymous, cast, resource):
    url = detail_urls(cast)[resource]
    body = anonymous.get(url).json()
    assert body["url"] == f"http://testserver{url}"


@pytest.mark.parametrize("resource", CITED)
def test_details_embed_their_citations_with_a_compact_source(anonymous, cast, resource):
    citations = anonymous.get(detail_urls(cast)[resource]).json()["citations"]
    assert len(citations) == 1
    citation = citations[0]
    assert citation["quote"]
    assert set(citation["source"]) == {"slug", "outlet", "headline", "published", "article_url", "url"}
    assert citation["source"]["url"].startswith(f"http://testserver{API}/sources/")


def test_lists_leave_citations_to_the_detail(anonymous, cast):
    assert "citations" not in results(anonymous.get(f"{API}/contributions/"))[0]


def test_a_nation_is_found_by_its_code_in_either_case(anonymous, cast):
    for code in ("fr", "FR", "Fr"):
        body = anonymous.get(f"{API}/nations/{code}/").json()
        assert body["code"] == "FR"
        assert body["name"] == "France"
        assert body["contribution_count"] == 1


def test_related_records_are_compact_objects_with_their_urls(anonymous, cast):
    body = anonymous.get(f"{API}/contributions/{cast.carrier.pk}/").json()
    assert body["nation"] == {
        "code": "FR",
        "name": "France",
        "kind": "country",
        "url": "http://testserver/api/v1/nations/fr/",
    }
    assert body["meeting"] == {
        "slug": "brussels-2016-02",
        "title": "Coalition defence ministerial",
        "date": "2016-02-11",
        "url": "http://testserver/api/v1/meetings/brussels-2016-02/",
    }
    assert body["official"]["url"] == "http://testserver/api/v1/officials/jean-yves-le-drian/"
    assert body["web_url"] == f"http://testserver/contributions/{cast.carrier.pk}/"


def test_a_contribution_detail_carries_every_field(anonymous, cast):
    body = anonymous.get(f"{API}/contributions/{cast.money.pk}/").json()
    assert body["id"] == cast.money.pk
    assert body["category"] == "financial"
    assert body["status"] == "under_consideration"
    assert body["amount"] == "1000000.00"
    assert body["currency"] == "USD"
    assert body["meeting"]["slug"] == "brussels-2016-02"
    assert body["citations"][0]["quote"] == "“Possible increase of the financial commitment.”"


def test_a_meeting_lists_its_participants_and_officials(anonymous, cast):
    body = anonymous.get(f"{API}/meetings/brussels-2016-02/").json()
    assert [official["slug"] for official in body["officials"]] == [
        "ash-carter",
        "jean-yves-le-drian",
        "roberta-pinotti",
    ]
    participations = [(row["nation"]["code"], row["role"]) for row in body["participations"]]
    # By nation name: the United States, the host, comes last.
    assert participations == [
        ("CA", "participant"),
        ("DE", "participant"),
        ("IQ", "participant"),
        ("IT", "participant"),
        ("NL", "participant"),
        ("SA", "participant"),
        ("AE", "participant"),
        ("GB", "participant"),
        ("US", "host"),
    ]
    assert body["contributions_url"] == "http://testserver/api/v1/contributions/?meeting=brussels-2016-02"


def test_a_citation_names_the_one_record_it_supports(anonymous, cast):
    figure = cast.at_the_table
    body = anonymous.get(f"{API}/citations/{figure.citations.get().pk}/").json()
    assert body["target_type"] == "figure"
    assert body["figure"] == {"id": figure.pk, "url": f"http://testserver{API}/figures/{figure.pk}/"}
    assert body["contribution"] is None
    assert body["source"]["slug"] == cast.reuters.slug


def test_a_figure_says_whether_another_source_disputes_it(anonymous, cast):
    url = f"{API}/figures/{cast.military_partners.pk}/"
    assert anonymous.get(url).json()["disputed"] is False
    FigureFactory(meeting=None, metric="military_participants", value=60, out_of=66, label="military partners")
    assert anonymous.get(url).json()["disputed"] is True
    assert anonymous.get(f"{API}/figures/{cast.members.pk}/").json()["disputed"] is True


# --- Filters ------------------------------------------------------------------------------------


def ids(response):
    return sorted(row["id"] for row in results(response))


def pks(cast, *names):
    return sorted(cast[name].pk for name in names)


CONTRIBUTIONS = [
    "carrier",
    "uk_trainers",
    "police",
    "money",
    "uk_strikes",
    "reapers",
    "dutch_strikes",
    "tornados",
    "peshmerga_trainers",
    "saudi_troops",
    "special_forces",
    "cf18s",
    "canada_trainers",
    "japan_aid",
    "us_strikes",
    "japan_funding",
]


def test_it_filters_contributions_by_nation(anonymous, cast):
    assert ids(anonymous.get(f"{API}/contributions/?nation=it")) == sorted([cast.police.pk, cast.money.pk])
    assert ids(anonymous.get(f"{API}/contributions/?nation=FR")) == [cast.carrier.pk]


def test_it_takes_several_values_repeated_or_comma_separated(anonymous, cast):
    french_and_italian = pks(cast, "carrier", "police", "money")
    assert ids(anonymous.get(f"{API}/contributions/?nation=fr&nation=it")) == french_and_italian
    assert ids(anonymous.get(f"{API}/contributions/?nation=fr,it")) == french_and_italian
    delivered = ["carrier", "police", "uk_strikes", "reapers", "tornados", "peshmerga_trainers", "japan_aid"]
    delivered += ["us_strikes", "japan_funding"]
    pledged = ["uk_trainers", "special_forces", "canada_trainers"]
    assert ids(anonymous.get(f"{API}/contributions/?status=pledged,delivered")) == pks(cast, *delivered, *pledged)


def test_it_filters_contributions_by_category_capability_and_status(anonymous, cast):
    assert ids(anonymous.get(f"{API}/contributions/?category=financial")) == pks(cast, "money", "japan_funding")
    assert ids(anonymous.get(f"{API}/contributions/?capability=police_trainers")) == [cast.police.pk]
    assert ids(anonymous.get(f"{API}/contributions/?status=under_consideration")) == pks(cast, "money", "dutch_strikes")


def test_it_filters_contributions_by_meeting_and_official(anonymous, cast):
    at_brussels = pks(cast, "carrier", "uk_trainers", "money", "dutch_strikes", "saudi_troops", "special_forces")
    assert ids(anonymous.get(f"{API}/contributions/?meeting=brussels-2016-02")) == at_brussels
    assert ids(anonymous.get(f"{API}/contributions/?official=jean-yves-le-drian")) == [cast.carrier.pk]


def test_it_filters_contributions_by_announcement_dates(anonymous, cast):
    Contribution.objects.filter(pk=cast.carrier.pk).update(announced="2014-09-15")
    assert ids(anonymous.get(f"{API}/contributions/?announced_before=2015-01-01")) == [cast.carrier.pk]
    later = ids(anonymous.get(f"{API}/contributions/?announced_after=2015-01-01&announced_before=2016-12-31"))
    assert later == pks(cast, *(name for name in CONTRIBUTIONS if name != "carrier"))


def test_it_searches_descriptions_and_quotes(anonymous, cast):
    assert ids(anonymous.get(f"{API}/contributions/?q=charles de gaulle")) == [cast.carrier.pk]
    citation = Citation.objects.get(contribution=cast.police)
    citation.quote = "Carabinieri instructors"
    citation.save()
    assert ids(anonymous.get(f"{API}/contributions/?q=carabinieri")) == [cast.police.pk]


def test_it_orders_contributions(anonymous, cast):
    rows = results(anonymous.get(f"{API}/contributions/?ordering=-nation,category"))
    by_nation_name_descending = [
        "us_strikes",
        "reapers",
        "uk_strikes",
        "uk_trainers",
        "special_forces",
        "saudi_troops",
        "dutch_strikes",
        "japan_funding",
        "japan_aid",
        "money",
        "police",
        "tornados",
        "peshmerga_trainers",
        "carrier",
        "cf18s",
        "canada_trainers",
    ]
    assert [row["id"] for row in rows] == [cast[name].pk for name in by_nation_name_descending]
    rows = results(anonymous.get(f"{API}/contributions/?ordering=-id"))
    assert [row["id"] for row in rows] == sorted((row["id"] for row in rows), reverse=True)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("nations/?role=lead", ["US"]),
        ("nations/?category=financial", ["IT", "JP"]),
        # Ties keep the order the nations were made in.
        ("nations/?ordering=-contributions", ["GB", "IT", "DE", "CA", "JP", "US", "FR", "NL", "SA", "AE", "IQ", "eu"]),
        ("officials/?nation=fr", ["jean-yves-le-drian"]),
        ("meetings/?nation=fr", ["paris-2016-01", "stuttgart-2016-05"]),
        ("meetings/?kind=bilateral", []),
        ("sources/?q=voice", ["2015-11-23-voa-us-pushes-for-more-ally-support"]),
        ("figures/?metric=countries_represented", ("at_the_table", "represented")),
        ("participations/?nation=fr&role=host", ("france_at_paris",)),
        ("capability-requests/?nation=us&capability=isr", ("isr",)),
        ("citations/?source=2016-02-09-defense-news-carter-heads-to-brussels&target_type=figure", "represented"),
    ],
)
def test_every_list_takes_its_filters(anonymous, cast, query, expected):
    rows = results(anonymous.get(f"{API}/{query}"))
    if isinstance(expected, list):
        keys = [row.get("code") or row.get("slug") for row in rows]
        assert keys == expected
    elif isinstance(expected, str):
        assert [row["id"] for row in rows] == [cast[expected].citations.get().pk]
    else:
        assert [row["id"] for row in rows] == [cast[name].pk for name in expected]


# --- Summary ------------------------------------------------------------------------------------


def test_the_summary_counts_contributions_by_nation_category_and_status(anonymous, cast):
    ContributionFactory(nation=cast.italy, category="financial", status="under_consideration")
    rows = anonymous.get(f"{API}/summary/").json()
    cells = {(row["nation"]["code"], row["category"], row["status"]): row["count"] for row in rows}
    assert cells == {
        ("FR", "military", "delivered"): 1,
        ("GB", "military", "delivered"): 1,
        ("GB", "intelligence", "delivered"): 1,
        ("GB", "training", "pledged"): 1,
        ("IT", "financial", "under_consideration"): 2,
        ("IT", "police_training", "delivered"): 1,
        ("NL", "military", "under_consideration"): 1,
        ("DE", "intelligence", "delivered"): 1,
        ("DE", "training", "delivered"): 1,
        ("SA", "military", "unlikely"): 1,
        ("AE", "military", "pledged"): 1,
        ("CA", "military", "declined"): 1,
        ("CA", "training", "pledged"): 1,
        ("JP", "humanitarian", "delivered"): 1,
        ("JP", "financial", "delivered"): 1,
        ("US", "military", "delivered"): 1,
    }
    assert rows[0]["nation"] == {
        "code": "CA",
        "name": "Canada",
        "kind": "country",
        "url": "http://testserver/api/v1/nations/ca/",
    }


def test_the_summary_takes_the_contribution_filters(anonymous, cast):
    rows = anonymous.get(f"{API}/summary/?nation=it&status=delivered,pledged").json()
    assert [(row["nation"]["code"], row["category"], row["count"]) for row in rows] == [("IT", "police_training", 1)]
    assert anonymous.get(f"{API}/summary/?q=carrier").json()[0]["category"] == "military"
    assert anonymous.get(f"{API}/summary/?nation=zz").status_code == 400


def test_the_summary_downloads_as_csv(anonymous, cast):
    rows = csv_rows(anonymous.get(f"{API}/summary/?format=csv"))
    assert list(rows[0]) == tables.SUMMARY_COLUMNS
    assert rows[0] == {
        "nation_code": "CA",
        "nation": "Canada",
        "category": "military",
        "status": "declined",
        "count": "1",
    }


# --- Pagination ---------------------------------------------------------------------------------


@pytest.fixture
def many(db):
    france = NationFactory(country="FR")
    return ContributionFactory.create_batch(7, nation=france)


def test_it_paginates_by_page_number_with_a_count(anonymous, many):
    body = anonymous.get(f"{API}/contributions/?page_size=3&page=2").json()
    assert body["count"] == 7
    assert [row["id"] for row in body["results"]] == [c.pk for c in many[3:6]]
    assert body["next"] == "http://testserver/api/v1/contributions/?page=3&page_size=3"
    assert body["previous"] == "http://testserver/api/v1/contributions/?page_size=3"
    last = anonymous.get(f"{API}/contributions/?page_size=3&page=last").json()
    assert [row["id"] for row in last["results"]] == [many[6].pk]


def test_other_lists_paginate_too(anonymous, db):
    for code in ("FR", "IT", "DE"):
        NationFactory(country=code)
    body = anonymous.get(f"{API}/nations/?page_size=2").json()
    assert body["count"] == 3
    assert len(body["results"]) == 2


def test_page_size_is_capped_at_500(anonymous, db):
    france = NationFactory(country="FR")
    Contribution.objects.bulk_create(
        [Contribution(nation=france, category="military", status="pledged", description=str(n)) for n in range(501)]
    )
    body = anonymous.get(f"{API}/contributions/?page_size=10000").json()
    assert body["count"] == 501
    assert len(body["results"]) == 500


def test_a_page_past_the_end_is_a_json_404(anonymous, many):
    response = anonymous.get(f"{API}/contributions/?page=9")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_cursor_pagination_walks_every_contribution_once(anonymous, many):
    url, seen, pages = f"{API}/contributions/?pagination=cursor&page_size=3", [], 0
    while url:
        body = anonymous.get(url).json()
        assert "count" not in body
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert seen == [c.pk for c in many]
    assert pages == 3


def test_cursor_pagination_goes_back_and_descends_with_ordering(anonymous, many):
    first = anonymous.get(f"{API}/contributions/?pagination=cursor&page_size=3&ordering=-id").json()
    assert [row["id"] for row in first["results"]] == [c.pk for c in reversed(many[4:])]
    second = anonymous.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == [c.pk for c in reversed(many[1:4])]
    back = anonymous.get(second["previous"]).json()
    assert back["results"] == first["results"]


def test_cursor_pagination_takes_the_contribution_filters(anonymous, cast):
    body = anonymous.get(f"{API}/contributions/?cursor=&nation=it").json()
    assert [row["id"] for row in body["results"]] == [cast.police.pk, cast.money.pk]


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=two", "page"),
        ("page_size=0", "page_size"),
        ("page_size=-5", "page_size"),
        ("page_size=ten", "page_size"),
        ("pagination=offset", "pagination"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=cD1hYmM%3D", "cursor"),  # a well-formed cursor whose position is not an id
        ("cursor=&page=2", "page"),
        ("pagination=cursor&ordering=announced", "ordering"),
        ("ordering=sideways", "ordering"),
    ],
)
def test_bad_pagination_and_ordering_parameters_are_400s_naming_them(anonymous, many, query, parameter):
    response = anonymous.get(f"{API}/contributions/?{query}")
    assert response.status_code == 400, response.content
    assert parameter in response.json()


# --- Formats ------------------------------------------------------------------------------------


def test_contributions_download_as_csv_with_the_web_columns(anonymous, cast):
    rows = csv_rows(anonymous.get(f"{API}/contributions/?format=csv&nation=fr"))
    assert list(rows[0]) == tables.CONTRIBUTIONS.fieldnames
    assert len(rows) == 1
    row = rows[0]
    assert row["nation_code"] == "FR"
    assert row["quantity"] == "38"
    assert row["meeting"] == "brussels-2016-02"
    assert row["quotes"] == "“Charles de Gaulle carrier deployed.”"
    assert row["sources"] == cast.carrier.citations.get().source.slug


def test_the_accept_header_selects_csv(anonymous, cast):
    response = anonymous.get(f"{API}/contributions/", HTTP_ACCEPT="text/csv")
    assert len(csv_rows(response)) == 16
    assert 'filename="contributions.csv"' in response["Content-Disposition"]


def test_csv_downloads_hold_every_matching_row_unpaginated(anonymous, many):
    assert len(csv_rows(anonymous.get(f"{API}/contributions/?format=csv&page_size=2"))) == 7


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_list_downloads_as_flat_csv(anonymous, cast, resource):
    table = next(t for t in tables.TABLES if t.name == resource.replace("-", "_"))
    rows = csv_rows(anonymous.get(f"{API}/{resource}/?format=csv"))
    assert rows
    assert list(rows[0]) == table.fieldnames
    assert not any(value.startswith("{") for row in rows for value in row.values())


def test_a_detail_downloads_as_one_csv_row(anonymous, cast):
    response = anonymous.get(f"{API}/officials/jean-yves-le-drian/?format=csv")
    rows = csv_rows(response)
    assert len(rows) == 1
    assert list(rows[0]) == tables.OFFICIALS.fieldnames
    assert (rows[0]["slug"], rows[0]["nation_code"], rows[0]["tenure_end"]) == ("jean-yves-le-drian", "FR", "")
    assert response["ETag"]


def test_an_unknown_format_is_a_400(anonymous, cast):
    response = anonymous.get(f"{API}/contributions/?format=xml")
    assert response.status_code == 400
    assert "format" in response.json()


def test_errors_are_json_even_when_csv_was_asked_for(anonymous, cast):
    response = anonymous.get(f"{API}/contributions/?format=csv&nation=zz")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "nation" in response.json()


def test_the_full_export_is_one_json_bundle_of_every_table(anonymous, cast):
    body = anonymous.get(f"{API}/export/").json()
    assert body["dictionary"] == "http://testserver/api/v1/export/dictionary/"
    assert list(body["tables"]) == [table.name for table in tables.TABLES]
    for table in tables.TABLES:
        assert body["tables"][table.name], table.name
        assert list(body["tables"][table.name][0]) == table.fieldnames
    assert body["tables"]["citations"][0]["target_type"]
    assert anonymous.get(f"{API}/export/?format=json").json()["tables"] == body["tables"]


def test_the_full_export_zip_holds_one_csv_per_table_and_the_dictionary(anonymous, cast):
    response = anonymous.get(f"{API}/export/?format=zip")
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == sorted([f"{t.name}.csv" for t in tables.TABLES] + ["dictionary.csv"])
    contributions = list(csv.DictReader(io.StringIO(archive.read("contributions.csv").decode())))
    assert list(contributions[0]) == tables.CONTRIBUTIONS.fieldnames
    assert len(contributions) == 16
    dictionary = list(csv.DictReader(io.StringIO(archive.read("dictionary.csv").decode())))
    assert {(row["table"], row["column"]) for row in dictionary} == {
        (table.name, name) for table in tables.TABLES for name in table.fieldnames
    }


def test_the_data_dictionary_describes_every_column_with_type_meaning_and_allowed_values(anonymous, db):
    body = anonymous.get(f"{API}/export/dictionary/").json()
    described = {table["name"]: table for table in body["tables"]}
    contributions = {column["name"]: column for column in described["contributions"]["columns"]}
    assert list(contributions) == tables.CONTRIBUTIONS.fieldnames
    assert contributions["quantity"]["type"] == "integer"
    assert contributions["announced"]["type"] == "date"
    assert {choice["value"] for choice in contributions["status"]["allowed_values"]} == set(Contribution.Status.values)
    assert all(column["meaning"] for table in body["tables"] for column in table["columns"])
    rows = csv_rows(anonymous.get(f"{API}/export/dictionary/?format=csv"))
    assert list(rows[0]) == tables.DICTIONARY_FIELDNAMES
    assert "pledged (Pledged or offered)" in next(
        row["allowed_values"] for row in rows if (row["table"], row["column"]) == ("contributions", "status")
    )


# --- Permissions --------------------------------------------------------------------------------


def write_requests(cast):
    """One request of each writing method: (method, url, body)."""
    police = cast.police
    return {
        "POST": (
            f"{API}/contributions/",
            {"nation": "fr", "category": "medical", "status": "pledged", "description": "A field hospital"},
        ),
        "PUT": (
            f"{API}/nations/it/",
            {"code": "IT", "name": "Italy", "role": "lead", "joined": None, "joined_precision": "", "notes": ""},
        ),
        "PATCH": (f"{API}/contributions/{police.pk}/", {"status": "declined"}),
        # Not the police training: it serves a line of effort, so deleting it is a 409 naming the line.
        "DELETE": (f"{API}/contributions/{cast.money.pk}/", None),
    }


def send(client, method, url, body=None, **headers):
    return getattr(client, method.lower())(url, body, format="json", **headers)


@pytest.mark.parametrize(
    "who, method, expected",
    [
        ("anonymous", "GET", 200),
        ("anonymous", "POST", 401),
        ("anonymous", "PUT", 401),
        ("anonymous", "PATCH", 401),
        ("anonymous", "DELETE", 401),
        ("reader", "GET", 200),
        ("reader", "POST", 403),
        ("reader", "PUT", 403),
        ("reader", "PATCH", 403),
        ("reader", "DELETE", 403),
        ("editor", "GET", 200),
        ("editor", "POST", 201),
        ("editor", "PUT", 200),
        ("editor", "PATCH", 200),
        ("editor", "DELETE", 204),
    ],
)
def test_the_permission_matrix(request, cast, who, method, expected):
    client = request.getfixturevalue({"anonymous": "anonymous", "reader": "reader_api", "editor": "editor_api"}[who])
    before = list(Contribution.objects.values_list("pk", "status").order_by("pk"))
    if method == "GET":
        response = client.get(f"{API}/contributions/{cast.police.pk}/")
    else:
        response = send(client, method, *write_requests(cast)[method])
    assert response.status_code == expected, response.content
    if expected in (401, 403):
        assert "detail" in response.json()
        assert list(Contribution.objects.values_list("pk", "status").order_by("pk")) == before
        assert Nation.objects.get(country="IT").role == "military"


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_writes_are_refused_on_every_resource(anonymous, cast, resource):
    assert anonymous.post(f"{API}/{resource}/", {}, format="json").status_code == 401
    assert anonymous.delete(detail_urls(cast)[resource]).status_code == 401


def test_an_invalid_token_is_a_401_even_for_reading(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(f"{API}/nations/").status_code == 401


def test_a_session_logged_in_editor_may_write(cast, editor):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)
    refused = client.patch(f"{API}/contributions/{cast.police.pk}/", {"status": "declined"}, format="json")
    assert refused.status_code == 403  # a session write without the CSRF token
    client = CarefulAPIClient()
    client.force_login(editor)
    response = client.patch(f"{API}/contributions/{cast.police.pk}/", {"status": "declined"}, format="json")
    assert response.status_code == 200


def test_the_browsable_api_renders_for_a_logged_in_editor(cast, editor, settings):
    # The manifest storage needs collectstatic; the page itself is what is tested here.
    storage = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": storage}
    client = APIClient()
    client.force_login(editor)
    response = client.get(f"{API}/contributions/{cast.police.pk}/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Leads training of Iraqi police" in response.content


# --- Writes -------------------------------------------------------------------------------------


def test_an_editor_creates_a_contribution_naming_related_records_by_key(editor_api, cast):
    body = {
        "nation": "it",
        "category": "training",
        "capability": "trainers",
        "status": "pledged",
        "description": "Trainers for Kurdish forces",
        "quantity": 280,
        "unit": "personnel",
        "announced": "2016-02-11",
        "meeting": "brussels-2016-02",
        "official": "jean-yves-le-drian",
    }
    response = editor_api.post(f"{API}/contributions/", body, format="json")
    assert response.status_code == 201, response.content
    created = Contribution.objects.get(pk=response.json()["id"])
    assert (created.nation, created.meeting, created.official) == (cast.italy, cast.brussels, cast.le_drian)
    assert response["Location"] == response.json()["url"]
    assert response.json()["nation"]["code"] == "IT"
    assert response.json()["citations"] == []


def test_a_fetched_body_can_be_edited_and_sent_back(editor_api, cast):
    url = f"{API}/contributions/{cast.carrier.pk}/"
    body = editor_api.get(url).json()
    body["quantity"] = 40
    response = editor_api.put(url, body, format="json")
    assert response.status_code == 200, response.content
    assert Contribution.objects.get(pk=cast.carrier.pk).quantity == 40


def test_meeting_officials_are_written_by_slug(editor_api, cast):
    other = OfficialFactory(slug="brett-mcgurk", nation=cast.us)
    officials = {"officials": ["jean-yves-le-drian", "brett-mcgurk"]}
    response = editor_api.patch(f"{API}/meetings/brussels-2016-02/", officials, format="json")
    assert response.status_code == 200, response.content
    assert set(cast.brussels.officials.all()) == {cast.le_drian, other}


def test_an_editor_cites_a_record(editor_api, cast):
    source = SourceFactory(slug="reuters")
    body = {"source": "reuters", "quote": "“Italy will train police”", "contribution": cast.police.pk}
    response = editor_api.post(f"{API}/citations/", body, format="json")
    assert response.status_code == 201, response.content
    assert cast.police.citations.filter(source=source).exists()
    assert response.json()["target_type"] == "contribution"


def test_an_editor_creates_a_nation_by_code(editor_api, db):
    response = editor_api.post(f"{API}/nations/", {"code": "de", "role": "military"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Germany"
    assert response["Location"] == "http://testserver/api/v1/nations/de/"


# --- ETags --------------------------------------------------------------------------------------


def test_detail_responses_carry_an_etag_and_honour_if_none_match(anonymous, cast):
    url = f"{API}/contributions/{cast.carrier.pk}/"
    etag = anonymous.get(url)["ETag"]
    assert etag.startswith('"')
    not_modified = anonymous.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == etag
    assert not_modified.content == b""
    assert anonymous.get(url, HTTP_IF_NONE_MATCH=f'W/{etag}, "other"').status_code == 304
    assert anonymous.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_the_etag_changes_when_the_record_or_its_citations_change(anonymous, cast):
    url = f"{API}/contributions/{cast.carrier.pk}/"
    first = anonymous.get(url)["ETag"]
    Citation.objects.filter(contribution=cast.carrier).update(quote="A corrected quote")
    second = anonymous.get(url)["ETag"]
    cast.carrier.refresh_from_db()
    cast.carrier.description = "Changed"
    cast.carrier.save()
    third = anonymous.get(url)["ETag"]
    assert len({first, second, third}) == 3
    assert anonymous.get(f"{url}?format=csv")["ETag"] != third


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_write_with_a_stale_if_match_is_412_and_changes_nothing(editor_api, cast, method):
    url = f"{API}/contributions/{cast.police.pk}/"
    etag = editor_api.get(url)["ETag"]
    Contribution.objects.filter(pk=cast.police.pk).update(description="Someone else's edit")
    body = {**editor_api.get(url).json(), "status": "declined"} if method != "DELETE" else None
    history = Contribution.history.count()
    response = send(editor_api, method, url, body, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert "detail" in response.json()
    assert response["ETag"] == editor_api.get(url)["ETag"] != etag
    assert Contribution.objects.get(pk=cast.police.pk).status == "delivered"
    assert Contribution.history.count() == history


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_write_with_the_current_if_match_succeeds(editor_api, cast, method):
    url = f"{API}/contributions/{cast.money.pk}/"
    got = editor_api.get(url)
    body = {**got.json(), "status": "declined"} if method != "DELETE" else None
    response = send(editor_api, method, url, body, HTTP_IF_MATCH=got["ETag"])
    assert response.status_code == (204 if method == "DELETE" else 200), response.content
    if method != "DELETE":
        # The new tag is the one a fresh read gives, so the next write can use it straight away.
        assert response["ETag"] == editor_api.get(url)["ETag"] != got["ETag"]
        again = editor_api.patch(url, {"status": "unlikely"}, format="json", HTTP_IF_MATCH=response["ETag"])
        assert again.status_code == 200


def test_if_match_star_and_weak_tags(editor_api, cast):
    url = f"{API}/contributions/{cast.police.pk}/"
    etag = editor_api.get(url)["ETag"]
    # If-Match compares strongly: a weak tag never matches.
    assert editor_api.patch(url, {"status": "declined"}, format="json", HTTP_IF_MATCH=f"W/{etag}").status_code == 412
    assert editor_api.patch(url, {"status": "declined"}, format="json", HTTP_IF_MATCH="*").status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_holding_the_same_etag_cannot_both_succeed(editor):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks; run with DATABASE_URL pointing at PostgreSQL")
    contribution = ContributionFactory(nation=NationFactory(country="FR"))
    url = f"{API}/contributions/{contribution.pk}/"
    key = token_for(editor)
    etag = APIClient().get(url)["ETag"]
    statuses = []

    def write(text):
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            statuses.append(client.patch(url, {"description": text}, format="json", HTTP_IF_MATCH=etag).status_code)
        finally:
            connections.close_all()

    writers = [threading.Thread(target=write, args=(f"Writer {n}",)) for n in range(2)]
    with transaction.atomic():
        # Hold the row so both writers are inside their check-and-write when it is released.
        Contribution.objects.select_for_update().get(pk=contribution.pk)
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 10
        while waiting_for_locks() < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waiting_for_locks() == 2
    for writer in writers:
        writer.join(10)
    assert sorted(statuses) == [200, 412]
    assert Contribution.history.filter(id=contribution.pk, history_type="~").count() == 1


def waiting_for_locks():
    with connection.cursor() as cursor:
        # The statistics views keep one snapshot per transaction unless told to refresh it.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("nation=zz", "nation"),
        ("nation=fr,zz", "nation"),
        ("category=tanks", "category"),
        ("capability=lasers", "capability"),
        ("status=maybe", "status"),
        ("meeting=no-such-meeting", "meeting"),
        ("official=nobody", "official"),
        ("announced_after=2016-13-45", "announced_after"),
        ("announced_before=last-week", "announced_before"),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_the_parameter(anonymous, cast, query, parameter):
    response = anonymous.get(f"{API}/contributions/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [parameter]
    assert response.json()[parameter][0]


def test_several_bad_parameters_are_all_named(anonymous, cast):
    response = anonymous.get(f"{API}/contributions/?nation=zz&status=maybe&announced_after=soon")
    assert set(response.json()) == {"nation", "status", "announced_after"}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"category": "tanks"}, "category"),
        ({"status": ""}, "status"),
        ({"nation": "zz"}, "nation"),
        ({"nation": 7}, "nation"),
        ({"meeting": "no-such-meeting"}, "meeting"),
        ({"quantity": -3}, "quantity"),
        ({"quantity": "many"}, "quantity"),
        ({"quantity_before": 5, "quantity": None}, "quantity"),
        ({"quantity": 5, "unit": ""}, "unit"),
        ({"amount": "5000.00", "currency": ""}, "currency"),
        ({"amount": "5000.00", "currency": "EUR"}, "currency"),
        ({"amount": "-1.00", "currency": "USD"}, "amount"),
        ({"announced": "15/09/2014"}, "announced"),
        ({"description": ""}, "description"),
        ({"colour": "blue"}, "colour"),
        ({"id": 999, "nationality": "FR"}, "nationality"),
    ],
)
def test_a_bad_contribution_is_a_400_naming_the_field_and_changes_nothing(editor_api, cast, change, field):
    url = f"{API}/contributions/{cast.police.pk}/"
    before = editor_api.get(url).json()
    history = Contribution.history.count()
    response = editor_api.patch(url, change, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert all(isinstance(message, str) for message in response.json()[field])
    assert editor_api.get(url).json() == before
    assert Contribution.history.count() == history
    created = editor_api.post(f"{API}/contributions/", {**write_requests(cast)["POST"][1], **change}, format="json")
    assert created.status_code == 400
    assert Contribution.objects.count() == 16


def test_unknown_fields_are_named_with_the_writable_ones(editor_api, cast):
    response = editor_api.patch(f"{API}/nations/fr/", {"rol": "lead"}, format="json")
    assert response.status_code == 400
    assert response.json()["rol"][0].startswith("Unknown field. Writable fields: code, joined,")


@pytest.mark.parametrize(
    "url, body, field",
    [
        ("nations/", {"code": "FR", "role": "lead"}, "code"),
        ("nations/", {"code": "XX", "role": "lead"}, "code"),
        (
            "officials/",
            {
                "slug": "x",
                "name": "X",
                "title": "T",
                "nation": "fr",
                "tenure_start": "2016-01-01",
                "tenure_end": "2015-01-01",
            },
            "tenure_end",
        ),
        ("participations/", {"meeting": "brussels-2016-02", "nation": "fr"}, "nation"),
        ("figures/", {"metric": "countries_represented", "value": 60, "out_of": 59, "label": "x"}, "out_of"),
        ("figures/", {"metric": "other", "value": -1, "label": "x"}, "value"),
        ("citations/", {"source": "s", "quote": "q"}, "non_field_errors"),
        (
            "citations/",
            {"source": "s", "quote": "q", "nation": "fr", "meeting": "brussels-2016-02"},
            "non_field_errors",
        ),
        ("citations/", {"source": "s", "quote": "", "nation": "fr"}, "quote"),
        ("citations/", {"source": "s", "quote": "q", "contribution": True}, "contribution"),
        (
            "sources/",
            {"slug": "s", "outlet": "o", "headline": "h", "published": "2016-01-01", "article_url": "not a url"},
            "article_url",
        ),
    ],
)
def test_model_rules_are_checked_before_anything_is_written(editor_api, cast, url, body, field):
    ParticipationFactory(meeting=cast.brussels, nation=cast.france)
    SourceFactory(slug="s")
    counts = [model.objects.count() for model in (Nation, Participation, Citation, Contribution)]
    response = editor_api.post(f"{API}/{url}", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert [model.objects.count() for model in (Nation, Participation, Citation, Contribution)] == counts


def test_a_planned_meeting_cannot_have_attendance_figures(editor_api, db):
    MeetingFactory(slug="rome", status="planned")
    body = {"meeting": "rome", "metric": "countries_represented", "value": 30, "label": "countries"}
    response = editor_api.post(f"{API}/figures/", body, format="json")
    assert response.status_code == 400
    assert "metric" in response.json()


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b'{"status": "declined"', "application/json"),
        (b'["status", "declined"]', "application/json"),
        (b"status=declined", "text/plain"),
    ],
)
def test_a_malformed_body_is_a_4xx_with_a_json_reason(editor_api, cast, body, content_type):
    url = f"{API}/contributions/{cast.police.pk}/"
    response = editor_api.generic("PATCH", url, body, content_type, HTTP_IF_MATCH=editor_api.get(url)["ETag"])
    assert response.status_code in (400, 415)
    assert response.json()


def test_deleting_a_record_still_referred_to_is_a_409(editor_api, editor, cast):
    # Editors may not delete nations at all; someone trusted to merge duplicates may, when nothing refers to them.
    editor.user_permissions.add(Permission.objects.get(codename="delete_nation"))
    response = editor_api.delete(f"{API}/nations/it/")
    assert response.status_code == 409
    assert "contributions" in response.json()["detail"]
    assert Nation.objects.filter(country="IT").exists()


def test_deleting_a_contribution_deletes_its_citations(editor_api, cast):
    assert editor_api.delete(f"{API}/contributions/{cast.money.pk}/").status_code == 204
    assert not Citation.objects.filter(contribution_id=cast.money.pk).exists()


# --- Not found ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "nations/zz/",
        "nations/fra/",
        "officials/nobody/",
        "meetings/nowhere/",
        "sources/nothing/",
        "contributions/999999/",
        "contributions/abc/",
        "contributions/99999999999999999999999/",
        "citations/0/",
        "figures/999999/",
        "participations/999999/",
        "capability-requests/999999/",
        "nothing-here/",
        "contributions/1/extra/",
        "contributions",
    ],
)
def test_unknown_ids_and_paths_are_json_404s(anonymous, cast, path):
    response = anonymous.get(f"{API}/{path}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."} or "detail" in response.json()


# --- History ------------------------------------------------------------------------------------


def test_api_writes_are_recorded_in_history_with_the_token_user(editor_api, editor, cast):
    created = editor_api.post(f"{API}/contributions/", write_requests(cast)["POST"][1], format="json").json()
    editor_api.patch(f"{API}/contributions/{created['id']}/", {"status": "delivered"}, format="json")
    editor_api.delete(f"{API}/contributions/{created['id']}/")
    records = Contribution.history.filter(id=created["id"]).order_by("history_date")
    assert [(r.history_type, r.history_user) for r in records] == [("+", editor), ("~", editor), ("-", editor)]
    assert [r.status for r in records] == ["pledged", "delivered", "delivered"]


def test_cascaded_deletes_and_many_to_many_changes_are_attributed_too(editor_api, editor, cast):
    citation = cast.money.citations.get()
    editor_api.delete(f"{API}/contributions/{cast.money.pk}/")
    assert Citation.history.get(id=citation.pk, history_type="-").history_user == editor
    editor_api.patch(f"{API}/meetings/brussels-2016-02/", {"officials": ["jean-yves-le-drian"]}, format="json")
    assert Meeting.history.filter(slug="brussels-2016-02").latest("history_date").history_user == editor
    assert Meeting.officials.through.objects.filter(meeting=cast.brussels).count() == 1


def test_every_model_field_is_in_the_api_and_the_csv(db):
    from contributions.api.urls import router

    for _, viewset, _ in router.registry:
        if not hasattr(viewset.serializer_class, "Meta"):
            continue  # the summary
        model = viewset.serializer_class.Meta.model
        fields = {f.name for f in model._meta.concrete_fields} | {f.name for f in model._meta.many_to_many}
        fields -= {"nations"}  # listed as the meeting's participations
        fields -= {"search_text"}  # derived from the description and quotes, for search only
        exposed = {field.source for field in viewset.serializer_class().fields.values()}
        assert not fields - exposed, f"{model.__name__} API lacks {fields - exposed}"
        # The CSV names related records by key in columns of their own; plain fields keep their names.
        table = next(t for t in tables.TABLES if t.model is model)
        plain = {f.name for f in model._meta.concrete_fields if not f.is_relation} - {
            "country",
            "updated",
            "search_text",
        }
        assert not plain - set(table.fieldnames), f"{table.name} CSV lacks {plain - set(table.fieldnames)}"


# --- Throttling ---------------------------------------------------------------------------------


def test_anonymous_reading_is_throttled(anonymous, editor_api, db, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    assert [anonymous.get(f"{API}/nations/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert "Retry-After" in anonymous.get(f"{API}/nations/")
    assert editor_api.get(f"{API}/nations/").status_code == 200


# --- Query counts -------------------------------------------------------------------------------


# Anonymous requests on a cold cache: no session, token or permission queries. Every list first reads
# the data version, which keys its cached page (and the cached COUNT).
LIST_QUERIES = {
    # The data version; COUNT; the page with nation, host, meeting and official joined; the page's theatres;
    # their lines of effort.
    "contributions": 5,
    # The data version; COUNT; the page with its contribution counts.
    "nations": 3,
    # The data version; COUNT; the page with the nation joined.
    "officials": 3,
    # The data version; COUNT; the page with the host joined; participations with their nations; officials.
    "meetings": 5,
    # The data version; COUNT; the page.
    "sources": 3,
    # The data version; COUNT; the page with source, nation, official, meeting and line joined (the rest are ids).
    "citations": 3,
    # The data version; COUNT; the page with the meeting joined and the dispute flag as a subquery.
    "figures": 3,
    # The data version; COUNT; the page with meeting and nation joined.
    "participations": 3,
    # The data version; COUNT; the page with nation, official and meeting joined.
    "capability-requests": 3,
    # The data version; the counts grouped by nation id, category and status; those nations (cached until
    # the next write).
    "summary": 3,
}

# The rows of each list in the cast, and how many cast.grow(n) adds.
CAST_ROWS = {
    "contributions": 16,
    "nations": 12,
    "officials": 3,
    "meetings": 4,
    "sources": 3,
    "citations": 30,
    "figures": 5,
    "participations": 21,
    "capability-requests": 2,
    "summary": 16,
}
GROWN_ROWS = {
    **dict.fromkeys(CAST_ROWS, lambda n: n),
    # Two quotes for each contribution, and one for each participation, figure and request, the official,
    # the meeting and the nation.
    "citations": lambda n: 8 * n,
    # Every other contribution is France's, all of them pledged military ones: one more cell between them.
    "summary": lambda n: (n + 1) // 2 + (n > 1),
}

# Each detail: the record with its related records joined, then its citations with their sources.
DETAIL_QUERIES = {
    # The partner; its citations; its role statements (their citations too, for a partner that has some).
    "nations": 3,
    "officials": 2,
    # The meeting with its host; participations with nations; officials; citations.
    "meetings": 4,
    "sources": 1,
    # The contribution with its nation, host, meeting and official; its theatres; its lines of effort; its
    # status events with their meetings and officials; the events' citations; its citations.
    "contributions": 6,
    "citations": 1,
    "figures": 2,
    "participations": 2,
    "capability-requests": 2,
}


@pytest.mark.parametrize("n", [5, 50])
def test_list_query_counts_do_not_grow_with_the_page(anonymous, cast, django_assert_num_queries, n):
    cast.grow(n)
    for resource, expected in LIST_QUERIES.items():
        with django_assert_num_queries(expected):
            response = anonymous.get(f"{API}/{resource}/?page_size=50")
        rows = response.json() if resource == "summary" else response.json()["results"]
        assert len(rows) == min(CAST_ROWS[resource] + GROWN_ROWS[resource](n), 50), resource


def test_a_repeated_list_page_costs_one_query_until_a_write(anonymous, editor_api, cast, django_assert_num_queries):
    cast.grow(5)
    url = f"{API}/contributions/?page_size=50&ordering=-announced"
    first = anonymous.get(url).json()
    # The data version only: the page comes from the cache.
    with django_assert_num_queries(1):
        assert anonymous.get(url).json() == first
    contribution = Contribution.objects.get(pk=first["results"][0]["id"])
    response = editor_api.patch(f"{API}/contributions/{contribution.pk}/", {"description": "Rewritten"}, format="json")
    assert response.status_code == 200
    # The write gave the data a new version: the page is rebuilt and shows it (the data version, COUNT,
    # the page, its theatres, its lines of effort).
    with django_assert_num_queries(5):
        again = anonymous.get(url).json()
    assert again["results"][0]["description"] == "Rewritten"


def test_cached_pages_keep_each_host_and_filter_apart(anonymous, cast):
    cast.grow(5)
    one = anonymous.get(f"{API}/contributions/?page_size=1").json()
    two = anonymous.get(f"{API}/contributions/?page_size=2").json()
    other_host = anonymous.get(f"{API}/contributions/?page_size=1", HTTP_HOST="localhost").json()
    assert (len(one["results"]), len(two["results"])) == (1, 2)
    assert one["results"][0]["url"].startswith("http://testserver/")
    assert other_host["results"][0]["url"].startswith("http://localhost/")


@pytest.mark.parametrize("n", [5, 50])
def test_cursor_pages_cost_the_same_at_any_depth(anonymous, cast, django_assert_num_queries, n):
    cast.grow(n)
    url = f"{API}/contributions/?pagination=cursor&page_size=2"
    while url:
        # The data version (the page's cache key); the next page_size + 1 rows after the cursor's id; their
        # theatres; their lines of effort; no COUNT.
        with django_assert_num_queries(4):
            url = anonymous.get(url).json()["next"]


def test_detail_query_counts(anonymous, cast, django_assert_num_queries):
    for resource, url in detail_urls(cast).items():
        with django_assert_num_queries(DETAIL_QUERIES[resource]):
            assert anonymous.get(url).status_code == 200


def test_csv_query_count_does_not_grow_with_the_rows(anonymous, cast, django_assert_num_queries):
    cast.grow(20)
    # Contributions with nation, host, meeting and official joined; their citations with sources; their
    # theatres; their lines of effort.
    with django_assert_num_queries(4):
        assert len(csv_rows(anonymous.get(f"{API}/contributions/?format=csv"))) == 16 + 20


def test_json_body_of_a_detail_is_utf8(anonymous, cast):
    Citation.objects.filter(contribution=cast.carrier).update(quote="“Le porte-avions”")
    body = anonymous.get(f"{API}/contributions/{cast.carrier.pk}/").content
    assert "“Le porte-avions”" in json.loads(body)["citations"][0]["quote"]


def test_an_id_beyond_the_database_range_is_a_400_not_a_crash(anonymous, cast):
    response = anonymous.get(f"{API}/citations/?contribution=99999999999999999999999")
    assert response.status_code == 400
    assert "contribution" in response.json()
    assert len(results(anonymous.get(f"{API}/citations/?contribution={cast.police.pk},{cast.money.pk}"))) == 2


@pytest.mark.parametrize("resource", ["figures", "participations", "citations", "meetings", "capability-requests"])
def test_records_ordered_across_relations_can_be_changed_under_a_lock(editor_api, cast, resource):
    # Their default orderings join other tables; PostgreSQL will not lock the nullable side of a join.
    url = detail_urls(cast)[resource]
    response = editor_api.patch(url, {}, format="json", HTTP_IF_MATCH=editor_api.get(url)["ETag"])
    assert response.status_code == 200, response.content
