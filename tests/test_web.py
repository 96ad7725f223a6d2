"""The researchers' pages: what each shows, the filters, facets, downloads, bad input and query counts.

Browser behaviour, accessibility and screenshots are in test_browser.py.
"""

import csv
import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contributions.models import Citation, Figure, Participation
from tests.factories import (
    CitationFactory,
    ContributionFactory,
    FigureFactory,
    MeetingFactory,
)
from tests.pages import facet, facet_options


def html(response):
    return response.content.decode()


def text(response):
    """The page's text with tags and runs of white space collapsed, for matching phrases."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(response)))


def contribution_ids(response):
    # From the page itself: a page served from the cache has no template context.
    return list(dict.fromkeys(int(pk) for pk in re.findall(r'href="/contributions/(\d+)/"', html(response))))


# --- Every page -------------------------------------------------------------------------------------


def page_urls(cast):
    contribution = cast.carrier
    return [
        reverse("home"),
        reverse("nation-list"),
        reverse("nation-detail", args=["fr"]),
        reverse("contribution-list"),
        reverse("contribution-detail", args=[contribution.pk]),
        reverse("meeting-list"),
        reverse("meeting-detail", args=["brussels-2016-02"]),
        reverse("official-list"),
        reverse("official-detail", args=["ash-carter"]),
        reverse("matrix"),
        reverse("source-list"),
        reverse("source-detail", args=[cast.reuters.slug]),
    ]


def test_every_page_renders_with_navigation_to_every_list(client, cast):
    lists = [
        "home",
        "contribution-list",
        "matrix",
        "partner-list",
        "line-list",
        "meeting-list",
        "official-list",
        "source-list",
    ]
    for url in page_urls(cast):
        response = client.get(url)
        assert response.status_code == 200, url
        nav = html(response).split('<nav class="site-nav"')[1].split("</nav>")[0]
        for name in lists:
            assert f'href="{reverse(name)}"' in nav, (url, name)


def test_every_page_has_a_title_of_its_own(client, cast):
    titles = set()
    for url in page_urls(cast):
        title = re.search(r"<title>(.*?)</title>", html(client.get(url)), re.S).group(1)
        assert "Coalition Contributions Tracker" in title
        titles.add(title)
    assert len(titles) == len(page_urls(cast))


def test_no_page_has_inline_script_or_style(client, cast):
    # A Content-Security-Policy without 'unsafe-inline' is to come; the pages must not need it.
    for url in [*page_urls(cast), "/contributions/?nation=zz", "/nations/zz/"]:
        page = html(client.get(url))
        assert " style=" not in page, url
        assert "<style" not in page, url
        assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", page) == [], url
        # And nothing is loaded from another site. A canonical link names this site's own address, absolute
        # as search engines prefer, and loads nothing.
        assert re.findall(r'(?:src|href)="(?:https?:)?//[^"]*"[^>]*rel="stylesheet"', page) == [], url
        loaded = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//[^"]*"', page)
        own_address = '<link rel="canonical" href="http://testserver/'
        assert [tag for tag in loaded if not tag.startswith(own_address)] == [], url


def test_the_pages_render_with_hashed_static_files(client, cast, settings, tmp_path):
    # Production's storage: every {% static %} must name a file that collectstatic has collected.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    for url in page_urls(cast):
        response = client.get(url)
        assert response.status_code == 200, url
        assert re.search(r'href="/static/css/site\.[0-9a-f]{12}\.css"', html(response)), url


def test_the_not_found_page_is_the_sites_own(client, db):
    response = client.get("/nowhere/")
    assert response.status_code == 404
    assert "Page not found" in text(response)
    assert 'href="/contributions/"' in html(response)


def test_the_server_error_page_is_static_and_tells_nothing(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "{%" not in page and "{{" not in page
    assert render_to_string("500.html") == page


# --- Overview ---------------------------------------------------------------------------------------


def test_the_overview_shows_headline_figures(client, cast):
    page = text(client.get("/"))
    assert "12 nations" in page
    assert "16 contributions" in page
    assert "4 meetings, 3 held" in page
    assert "Delivered or ongoing 9" in page
    assert "Declined 1" in page


def test_the_overview_charts_contributions_by_category_and_nation_with_a_table(client, cast):
    response = client.get("/")
    page = html(response)
    assert page.count('<svg class="bars"') == 2
    # The table that carries the chart's numbers links each row to the filtered list.
    assert 'href="/contributions/?category=military">Military forces</a></th>' in page
    assert 'href="/contributions/?nation=fr">France</a></th>' in page


def test_the_overview_shows_the_meetings_on_a_timeline(client, cast):
    response = client.get("/")
    assert '<svg class="timeline"' in html(response)
    assert html(response).count('class="marker meeting-') == 4
    page = text(response)
    assert "Joint meeting of foreign and defence ministers" in page
    assert "July 2016" in page


def test_the_overview_shows_coalition_wide_figures_with_citations_and_disputes(client, cast):
    page = html(client.get("/"))
    disputed = Figure.objects.get(meeting=None, value=65)
    assert f'id="figure-{disputed.pk}"' in page
    assert "Disputed: the sources disagree" in page
    assert "The coalition of 65 nations." in page
    assert "59 of 65" in page


# --- Nations ----------------------------------------------------------------------------------------


def test_the_nation_list_shows_each_nation_with_its_role_and_contributions(client, cast):
    response = client.get("/nations/")
    assert response.status_code == 200
    nations = response.context["nations"]
    # The eleven countries and the EU, an organization partner.
    assert len(nations) == 12
    assert "eu" in {n.slug for n in nations}
    france = next(n for n in nations if n.code == "FR")
    assert france.contribution_count == 1
    assert france.meeting_count == 2
    assert [c["value"] for c in france.categories] == ["military"]
    assert 'href="/contributions/?nation=fr&amp;category=military"' in html(response)


def test_the_nation_list_filters_by_role(client, cast):
    response = client.get("/nations/?role=lead,non_military")
    # The EU, an organization, contributes without military forces.
    assert {n.code for n in response.context["nations"]} == {"US", "DE", "JP", "eu"}


def test_the_nation_list_filters_by_category_contributed(client, cast):
    response = client.get("/nations/?category=police_training&category=humanitarian")
    assert {n.code for n in response.context["nations"]} == {"IT", "JP"}


def test_the_nation_list_sorts(client, cast):
    names = [n.name for n in client.get("/nations/").context["nations"]]
    assert names == sorted(names)
    names = [n.name for n in client.get("/nations/?ordering=-name").context["nations"]]
    assert names == sorted(names, reverse=True)
    response = client.get("/nations/?ordering=-contributions,name")
    assert [n.code for n in response.context["nations"]][:3] == ["GB", "CA", "DE"]


@pytest.mark.parametrize("query", ["role=emperor", "category=nope", "ordering=size"])
def test_the_nation_list_rejects_bad_filters(client, cast, query):
    response = client.get(f"/nations/?{query}")
    assert response.status_code == 400
    assert "Some values in the address are not valid" in text(response)
    assert "nations" not in response.context


def test_a_nation_profile_groups_its_contributions_by_category(client, cast):
    response = client.get("/nations/fr/")
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [g["label"] for g in groups] == ["Military forces"]
    page = text(response)
    assert "12 → 38 aircraft" in page
    assert "11 February 2016" in page
    # France has one contribution; the United Kingdom has several, in three categories and two statuses.
    response = client.get("/nations/gb/")
    labels = [g["label"] for g in response.context["groups"]]
    assert labels == ["Military forces", "Training local forces", "Intelligence, surveillance and reconnaissance"]
    page = text(response)
    assert "8 → 16 aircraft" in page
    assert "Delivered or ongoing" in page and "Pledged or offered" in page


def test_a_nation_profile_shows_meetings_officials_chart_timeline_and_citations(client, cast):
    response = client.get("/nations/fr/")
    page = html(response)
    assert '<svg class="bars"' in page and '<svg class="timeline"' in page
    assert f'href="/meetings/paris-2016-01/#participation-{cast.france_at_paris.pk}"' in page
    assert 'href="/officials/jean-yves-le-drian/"' in page
    citation = Citation.objects.get(nation=cast.france)
    assert f'id="citation-{citation.pk}"' in page
    # Each contribution's own citations are on the profile too.
    for contribution in cast.france.contributions.all():
        for citation in contribution.citations.all():
            assert f'id="citation-{citation.pk}"' in page
    assert "Last updated" in text(response)


def test_a_lead_nation_profile_shows_what_it_asked_for(client, cast):
    page = html(client.get("/nations/us/"))
    assert f'href="/matrix/#request-{cast.isr.pk}"' in page


def test_a_nation_address_in_capitals_redirects_to_lower_case(client, cast):
    response = client.get("/nations/FR/")
    assert response.status_code == 301
    assert response["Location"] == "/nations/fr/"


@pytest.mark.parametrize("iso2", ["zz", "fra", "xx"])
def test_an_unknown_nation_is_not_found(client, cast, iso2):
    assert client.get(f"/nations/{iso2}/").status_code == 404


# --- Contributions: filters -------------------------------------------------------------------------


def test_the_contribution_list_shows_every_contribution_by_default(client, cast):
    response = client.get("/contributions/")
    assert response.status_code == 200
    assert response.context["paginator"].count == 16
    assert "16 contributions" in text(response)


@pytest.mark.parametrize("value", ["fr", "FR", "Fr"])
def test_it_filters_contributions_by_nation_in_either_case(client, cast, value):
    response = client.get(f"/contributions/?nation={value}")
    assert response.status_code == 200
    assert {c.nation.code for c in response.context["page"].object_list} == {"FR"}
    assert response.context["paginator"].count == 1


@pytest.mark.parametrize("query", ["nation=fr&nation=it", "nation=fr,it", "nation=FR,%20it", "nation=fr,it&nation=fr"])
def test_it_filters_contributions_by_several_nations(client, cast, query):
    response = client.get(f"/contributions/?{query}")
    assert {c.nation.code for c in response.context["page"].object_list} == {"FR", "IT"}
    assert response.context["paginator"].count == 3


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("category=military", 7),
        ("category=military,training", 10),
        ("category=military&category=police_training", 8),
        ("status=delivered", 9),
        ("status=pledged,declined", 4),
        ("capability=air_strikes", 3),
        ("capability=air_strikes&capability=isr", 5),
        ("meeting=brussels-2016-02", 6),
        ("meeting=brussels-2016-02,paris-2016-01", 7),
        ("official=jean-yves-le-drian", 1),
        ("official=jean-yves-le-drian,roberta-pinotti", 3),
        ("announced_after=2016-01-01", 8),
        ("announced_before=2015-12-31", 8),
        ("announced_after=2016-02-01&announced_before=2016-02-28", 6),
        ("q=carrier", 1),
        ("q=CARRIER", 1),
        ("nation=it&status=delivered&category=police_training", 1),
    ],
)
def test_it_filters_contributions(client, cast, query, count):
    response = client.get(f"/contributions/?{query}")
    assert response.status_code == 200
    assert response.context["paginator"].count == count


def test_the_text_search_covers_quotes_as_well_as_descriptions(client, cast):
    contribution = cast.uk_trainers
    CitationFactory(contribution=contribution, quote="The minister spoke of Mosul.")
    response = client.get("/contributions/?q=mosul")
    assert contribution_ids(response) == [contribution.pk]


def test_the_filters_are_kept_in_the_form_and_shown_as_removable_chips(client, cast):
    response = client.get("/contributions/?nation=fr&category=military&q=carrier")
    page = html(response)
    assert 'name="nation" value="fr" checked' in page
    assert 'name="category" value="military" checked' in page
    assert 'value="carrier"' in page
    chips = {chip["what"]: chip["url"] for chip in response.context["chips"]}
    assert chips["Partner"] == "?category=military&q=carrier"
    assert chips["Category"] == "?nation=fr&q=carrier"
    assert chips["Text"] == "?nation=fr&category=military"


def test_removing_one_of_several_values_keeps_the_others(client, cast):
    response = client.get("/contributions/?nation=fr,it&page_size=25")
    chips = {chip["value"]: chip["url"] for chip in response.context["chips"]}
    assert chips["France"] == "?nation=it&page_size=25"
    assert chips["Italy"] == "?nation=fr&page_size=25"


# --- Contributions: facets ----------------------------------------------------------------------------


def test_facet_counts_cover_every_contribution_without_filters(client, cast):
    response = client.get("/contributions/")
    assert facet(response, "category")["military"] == 7
    assert facet(response, "category")["logistics"] == 0
    assert facet(response, "status")["delivered"] == 9
    assert facet(response, "nation")["fr"] == 1
    assert sum(facet(response, "nation").values()) == 16


def test_each_facet_counts_under_the_other_filters_but_not_its_own(client, cast):
    response = client.get("/contributions/?category=military&status=delivered")
    # Category counts: delivered contributions, whatever their category.
    assert facet(response, "category") == {
        **dict.fromkeys(facet(response, "category"), 0),
        "military": 3,
        "intelligence": 2,
        "training": 1,
        "police_training": 1,
        "financial": 1,
        "humanitarian": 1,
    }
    # Status counts: military contributions, whatever their status.
    assert facet(response, "status") == {
        "delivered": 3,
        "ended": 0,
        "pledged": 1,
        "under_consideration": 1,
        "requested": 0,
        "unlikely": 1,
        "declined": 1,
    }
    # Nation counts: delivered military contributions, by nation; nations with none are left out.
    assert facet(response, "nation") == {"fr": 1, "gb": 1, "us": 1}
    # The rows themselves are under both filters.
    assert response.context["paginator"].count == 3


def test_a_ticked_nation_that_the_other_filters_empty_keeps_its_box(client, cast):
    response = client.get("/contributions/?nation=jp&category=military")
    assert facet(response, "nation")["jp"] == 0
    assert 'name="nation" value="jp" checked' in html(response)


def test_facets_are_counted_in_the_database_one_query_each(client, cast):
    with CaptureQueriesContext(connection) as queries:
        client.get("/contributions/?category=military")
    grouped = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    # nation, category, status, theatre and host
    assert len(grouped) == 5
    assert all("COUNT(" in sql for sql in grouped)


# --- Contributions: ordering and pages --------------------------------------------------------------


def test_it_orders_contributions(client, cast):
    response = client.get("/contributions/?ordering=-announced")
    dates = [c.announced for c in response.context["page"].object_list]
    assert dates == sorted(dates, reverse=True)
    response = client.get("/contributions/?ordering=nation")
    names = [c.nation.name for c in response.context["page"].object_list]
    assert names == sorted(names)
    response = client.get("/contributions/?ordering=-quantity&page_size=500")
    quantities = [c.quantity for c in response.context["page"].object_list]
    # Descending puts NULLs first on PostgreSQL and last on SQLite; the rows with a quantity are exact either way.
    known, unknown = [450, 210, 150, 38, 16, 6, 6], [None] * 9
    assert quantities == (unknown + known if connection.vendor == "postgresql" else known + unknown)


def test_the_column_headers_sort_and_reverse(client, cast):
    response = client.get("/contributions/?nation=fr&ordering=nation&page=1")
    sort = response.context["sort"]
    assert sort["nation"] == {"url": "?nation=fr&ordering=-nation", "state": "ascending"}
    assert sort["announced"]["state"] == ""
    assert 'aria-sort="ascending"><a href="?nation=fr&amp;ordering=-nation">Nation</a>' in html(response)


def test_it_pages_through_contributions(client, cast):
    first = client.get("/contributions/?page_size=5")
    assert len(first.context["page"].object_list) == 5
    assert first.context["paginator"].num_pages == 4
    assert 'href="?page_size=5&amp;page=2"' in html(first)
    last = client.get("/contributions/?page_size=5&page=4")
    assert len(last.context["page"].object_list) == 1
    seen = set()
    for number in range(1, 5):
        seen.update(contribution_ids(client.get(f"/contributions/?page_size=5&page={number}")))
    assert len(seen) == 16


def test_the_page_size_may_be_as_large_as_the_cap(client, cast):
    response = client.get("/contributions/?page_size=500")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 16


def test_a_page_size_typed_into_the_address_stays_selected_in_the_form(client, cast):
    page = html(client.get("/contributions/?page_size=7"))
    assert '<option value="7" selected>' in page


# --- Contributions: downloads -----------------------------------------------------------------------


def download(response):
    return b"".join(response.streaming_content).decode()


def test_the_csv_download_has_the_filtered_rows(client, cast):
    response = client.get("/contributions/?nation=fr,it&status=delivered&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="contributions.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download(response))))
    assert {(row["nation_code"], row["status"]) for row in rows} == {("FR", "delivered"), ("IT", "delivered")}
    assert len(rows) == 2
    carrier = next(row for row in rows if row["nation_code"] == "FR")
    assert carrier["quantity"] == "38" and carrier["quantity_before"] == "12"
    assert carrier["quotes"] == "“Charles de Gaulle carrier deployed.”"


def test_the_json_download_has_the_same_rows_in_the_same_order(client, cast):
    query = "category=military&ordering=-announced"
    rows = json.loads(download(client.get(f"/contributions/?{query}&format=json")))
    csv_rows = list(csv.DictReader(io.StringIO(download(client.get(f"/contributions/?{query}&format=csv")))))
    assert [row["id"] for row in rows] == [int(row["id"]) for row in csv_rows]
    assert len(rows) == 7
    assert {row["category"] for row in rows} == {"military"}


def test_a_download_has_every_matching_row_not_only_one_page(client, cast):
    rows = json.loads(download(client.get("/contributions/?page_size=5&page=2&format=json")))
    assert len(rows) == 16


def test_the_page_links_to_its_downloads(client, cast):
    response = client.get("/contributions/?nation=fr&page=1&page_size=25")
    assert response.context["csv_url"] == "?nation=fr&format=csv"
    assert 'href="?nation=fr&amp;format=json"' in html(response)


# --- Contributions: bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("nation=zz", "zz is not one of the available choices"),
        ("nation=fr,zz", "zz is not one of the available choices"),
        ("category=weapons", "weapons is not one of the available choices"),
        ("status=maybe", "maybe is not one of the available choices"),
        ("capability=lasers", "lasers is not one of the available choices"),
        ("meeting=yalta-1945", "yalta-1945 is not one of the available choices"),
        ("official=nobody", "nobody is not one of the available choices"),
        ("announced_after=2016-13-01", "Enter a valid date"),
        ("announced_before=11/02/2016", "Enter a valid date"),
        ("ordering=colour", "colour is not one of the available choices"),
        ("page=two", "Enter a whole number"),
        ("page=0", "greater than or equal to 1"),
        ("page=99", "There is no page 99"),
        ("page_size=lots", "A whole number from 1 up"),
        ("page_size=0", "A whole number from 1 up"),
        ("format=xml", "xml is not one of the available choices"),
        ("nation=zz&format=csv", "zz is not one of the available choices"),
    ],
)
def test_bad_input_is_an_error_on_the_page_with_status_400(client, cast, query, message):
    response = client.get(f"/contributions/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = text(response)
    assert "Some values in the address are not valid" in page
    assert message in page
    assert "page" not in response.context or response.context.get("page") is None


def test_every_bad_value_is_reported_at_once(client, cast):
    response = client.get("/contributions/?nation=zz&category=weapons&page=two")
    labels = [label for label, _ in response.context["errors"]]
    assert labels == ["Partner", "Category", "Page"]
    # The form keeps what was asked for, and offers every partner, so it can be corrected: the twelve
    # partners of the cast and the unknown key.
    page = html(response)
    assert 'name="nation" value="zz" checked' in page
    assert 'name="nation" value="fr">' in page
    assert len(facet_options(response, "nation")) == 13


# --- Contribution detail ----------------------------------------------------------------------------


def test_a_contribution_shows_its_facts_and_full_citations(client, cast):
    carrier = cast.carrier
    response = client.get(f"/contributions/{carrier.pk}/")
    page = text(response)
    assert "Charles de Gaulle carrier deployed" in page
    assert "12 → 38 aircraft" in page
    assert "Coalition defence ministerial" in page and "Jean-Yves Le Drian" in page
    citation = carrier.citations.get()
    assert f'id="citation-{citation.pk}"' in html(response)
    assert "Reuters" in page and "US tells allies campaign to defeat ISIS must be accelerated" in page
    assert "11 February 2016" in page
    assert 'href="https://example.org/2016-02-11-reuters-us-tells-allies"' in html(response)
    assert "Last updated" in page


def test_a_contribution_shows_the_requests_for_its_capability(client, cast):
    page = html(client.get(cast.police.get_absolute_url()))
    assert f'href="/matrix/#request-{cast.police_request.pk}"' in page


def test_an_amount_is_shown_in_dollars_with_its_basis(client, cast):
    page = text(client.get(cast.japan_funding.get_absolute_url()))
    assert "US$100,000,000 (one-off)" in page
    assert "September 2015" in page


def test_an_unknown_contribution_is_not_found(client, cast):
    assert client.get("/contributions/999999/").status_code == 404


# --- Meetings -----------------------------------------------------------------------------------------


def test_the_meeting_list_shows_date_place_host_kind_and_status(client, cast):
    response = client.get("/meetings/")
    page = text(response)
    assert "11 February 2016" in page
    assert "NATO headquarters, Brussels" in page
    assert "July 2016" in page and "Planned" in page
    brussels = next(m for m in response.context["meetings"] if m.slug == "brussels-2016-02")
    assert (brussels.nation_count, brussels.contribution_count, brussels.request_count) == (9, 6, 2)
    assert '<svg class="timeline"' in html(response)


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("status=planned", {"washington-2016-07"}),
        ("kind=diplomatic_plenary", {"washington-2016-07"}),
        ("nation=SA", {"brussels-2016-02"}),
        ("date_after=2016-02-01&date_before=2016-06-30", {"brussels-2016-02", "stuttgart-2016-05"}),
        ("q=seven", {"paris-2016-01"}),
    ],
)
def test_the_meeting_list_filters(client, cast, query, slugs):
    response = client.get(f"/meetings/?{query}")
    assert {m.slug for m in response.context["meetings"]} == slugs


@pytest.mark.parametrize("query", ["kind=party", "status=cancelled", "nation=zz", "date_after=soon", "ordering=x"])
def test_the_meeting_list_rejects_bad_filters(client, cast, query):
    response = client.get(f"/meetings/?{query}")
    assert response.status_code == 400
    assert "Some values in the address are not valid" in text(response)


def test_a_meeting_shows_its_nations_officials_pledges_and_requests(client, cast):
    response = client.get("/meetings/brussels-2016-02/")
    page = html(response)
    saudi = Participation.objects.get(meeting=cast.brussels, nation__country="SA")
    assert f'id="participation-{saudi.pk}"' in page
    assert f'id="citation-{saudi.citations.get().pk}"' in page
    assert "Host" in text(response)
    for slug in ("ash-carter", "jean-yves-le-drian", "roberta-pinotti"):
        assert f'href="/officials/{slug}/"' in page
    assert len(response.context["contributions"]) == 6
    assert f'href="/matrix/#request-{cast.isr.pk}"' in page
    assert "Defence ministers met in Brussels." in page
    assert "Last updated" in text(response)


def test_a_meeting_shows_disagreeing_figures_side_by_side_and_marks_them(client, cast):
    figure = FigureFactory(meeting=cast.brussels, value=40, label="countries represented")
    Citation.objects.create(source=cast.reuters, figure=figure, quote="Forty countries came.")
    response = client.get("/meetings/brussels-2016-02/")
    group = response.context["figure_groups"][0]
    assert group["disputed"] is True
    assert len(group["figures"]) == 3
    page = html(response)
    assert "Disputed: the sources disagree" in page
    assert f'id="figure-{figure.pk}"' in page
    assert "Forty countries came." in page


def test_a_meeting_date_is_no_more_precise_than_its_sources(client, cast):
    page = text(client.get("/meetings/washington-2016-07/"))
    assert "July 2016" in page
    assert "1 July 2016" not in page


def test_an_unknown_meeting_is_not_found(client, cast):
    assert client.get("/meetings/yalta-1945/").status_code == 404


# --- Officials ----------------------------------------------------------------------------------------


def test_the_official_list_shows_title_nation_and_counts(client, cast):
    response = client.get("/officials/")
    carter = next(o for o in response.context["officials"] if o.slug == "ash-carter")
    assert (carter.meeting_count, carter.contribution_count, carter.quote_count, carter.request_count) == (2, 1, 1, 2)
    assert "U.S. Secretary of Defense" in text(response)


def test_the_official_list_filters_by_nation_and_name(client, cast):
    response = client.get("/officials/?nation=it")
    assert [o.slug for o in response.context["officials"]] == ["roberta-pinotti"]
    response = client.get("/officials/?q=driant")
    assert [o.slug for o in response.context["officials"]] == ["jean-yves-le-drian"]


def test_the_official_list_rejects_an_unknown_nation(client, cast):
    response = client.get("/officials/?nation=zz")
    assert response.status_code == 400
    assert "zz is not one of the available choices" in text(response)


def test_an_official_shows_spelling_meetings_contributions_and_quotes(client, cast):
    page = text(client.get("/officials/jean-yves-le-drian/"))
    assert "Jean-Yves Le Driant" in page
    assert "One source prints “Le Driant”" in page
    assert "Charles de Gaulle carrier deployed" in page
    assert "Coalition defence ministerial" in page
    carter = client.get("/officials/ash-carter/")
    assert "“We must accelerate the campaign,” Carter said." in text(carter)
    assert "More surveillance" in text(carter)
    assert "Last updated" in text(carter)


def test_an_unknown_official_is_not_found(client, cast):
    assert client.get("/officials/nobody/").status_code == 404


# --- Matrix -------------------------------------------------------------------------------------------


def test_the_matrix_crosses_nations_and_categories_and_links_each_cell(client, cast):
    response = client.get("/matrix/")
    page = html(response)
    assert 'href="/contributions/?nation=fr&amp;category=military"' in page
    france = next(row for row in response.context["table"] if row["nation"].code == "FR")
    cell = next(c["data"] for c in france["cells"] if c["category"] == "Military forces")
    assert cell["total"] == 1
    assert cell["statuses"] == [{"value": "delivered", "label": "delivered", "count": 1}]
    assert cell["capabilities"] == ["Aircraft carrier"]
    assert "1 delivered" in text(response)


def test_the_matrix_sets_each_request_beside_the_offers_for_its_capability(client, cast):
    response = client.get("/matrix/")
    page = html(response)
    assert f'id="request-{cast.isr.pk}"' in page
    isr = next(m for m in response.context["matches"] if m["capability"] == "isr")
    assert {c.nation.code for c in isr["offers"]} == {"GB", "DE"}
    assert 'href="/contributions/?capability=isr"' in page


def test_a_cell_link_gives_the_contributions_of_that_cell(client, cast):
    response = client.get("/contributions/?nation=fr&category=military")
    assert [c.description for c in response.context["page"].object_list] == ["Charles de Gaulle carrier deployed"]


# --- Sources ------------------------------------------------------------------------------------------


def test_the_source_list_counts_the_records_each_source_supports(client, cast):
    response = client.get("/sources/")
    assert [s.published for s in response.context["sources"]] == sorted(
        s.published for s in response.context["sources"]
    )
    reuters = next(s for s in response.context["sources"] if s.slug == cast.reuters.slug)
    kinds = {kind["kind"]: kind["count"] for kind in reuters.kinds}
    assert kinds == {
        "contribution": 8,
        "figure": 2,
        "meeting": 1,
        "participation": 2,
        "official": 1,
        # The EU as a partner, and Saudi Arabia's strikes as its stated role.
        "nation": 1,
        "role_statement": 1,
        # Each contribution's first status event, sharing its citation's words.
        "status_event": 8,
    }
    assert f'href="/sources/{reuters.slug}/#kind-contribution"' in html(response)


def test_the_source_list_counts_records_not_quotes(client, cast):
    carrier = cast.carrier
    CitationFactory(contribution=carrier, source=cast.reuters, quote="A second quote about the carrier.")
    response = client.get("/sources/")
    reuters = next(s for s in response.context["sources"] if s.slug == cast.reuters.slug)
    assert {kind["kind"]: kind["count"] for kind in reuters.kinds}["contribution"] == 8
    # The cast's 16, the EU's and a role statement's among them; the 8 its contributions' first status
    # events share; and the new one.
    assert reuters.citation_count == 25
    assert "1 official" in text(response) and "1 officials" not in text(response)


def test_sources_mark_inferred_headlines_and_approximate_dates(client, cast):
    page = text(client.get("/sources/"))
    assert "headline inferred from the address" in page
    assert "about 9 February 2016 date approximate" in page
    detail = text(client.get("/sources/2016-02-09-defense-news-carter-heads-to-brussels/"))
    assert "Headline inferred from the address" in detail
    assert "From the address; the capture prints no date." in detail
    assert "About 9 February 2016" in detail


def test_a_source_groups_its_citations_by_record(client, cast):
    response = client.get(f"/sources/{cast.reuters.slug}/")
    groups = {group["kind"]: group for group in response.context["groups"]}
    assert list(groups) == [
        "contribution",
        "status_event",
        "figure",
        "meeting",
        "participation",
        "official",
        "nation",
        "role_statement",
    ]
    assert len(groups["contribution"]["records"]) == 8
    page = html(response)
    assert 'href="/meetings/brussels-2016-02/"' in page
    assert "Last updated" in text(response)


def test_a_source_marks_a_disputed_figure(client, cast):
    page = text(client.get(f"/sources/{cast.voa.slug}/"))
    assert "Disputed: sources disagree" in page


def test_an_unknown_source_is_not_found(client, cast):
    assert client.get("/sources/nothing-here/").status_code == 404


# --- Query counts -----------------------------------------------------------------------------------

# Each page's queries on a cold cache, pinned; the comment in each view lists them. Pages kept under the
# data version (home, nation list and profile, contribution list, matrix) read it first; once cached, that
# is their only query (tests/test_performance.py).
QUERY_COUNTS = {
    # the data version (1); nations, officials, sources, requests counted (4); contributions by category and
    # status (1), by nation and status (1); meetings (1); coalition-wide figures and their citations (2);
    # partners' spending with the partners (1); contributions pledged and delivered at each quarter, from
    # their status events (1)
    "home": 12,
    # the data version (1); the nations with counts (1); the categories each has contributed (1)
    "nation-list": 3,
    # the nation and its citations (2); the data version (1); contributions counted by category and status,
    # until the next write (1); the first contributions and their citations (2); meetings (1); officials (1);
    # requests it made (1); the lines of effort it leads (1); the first contributions' theatres (1); the
    # deployments it hosts (1); its role statements (1), whose citations are one more when it has any; its
    # contributions pledged and delivered at each quarter, from their status events (1)
    "nation-detail": 14,
    # the same page at a partner's canonical address, for Saudi Arabia, which has role statements: the 14
    # above and their citations (1)
    "partner-detail": 15,
    # meetings, officials and lines of effort for the form (3); the data version (1); five facet counts
    # (nation, category, status, theatre, host: 5) and the total (1), each until the next write; the page,
    # its citations and its theatres (3)
    "contribution-list": 13,
    # the contribution with its host (1), its citations (1) and theatres (1); the lines of effort it serves
    # (1); its status events (1) and their citations (1); requests for the same capability (1)
    "contribution-detail": 7,
    # the meetings with counts (1); the nations for the form (1)
    "meeting-list": 2,
    # the meeting, its nations and their citations (3); figures and citations (2); officials (1);
    # contributions and citations (2); requests and citations (2); its citations (1); the meetings
    # announced at it (1) and on the same days (1); the meetings of its series (1); the contributions'
    # theatres (1)
    "meeting-detail": 15,
    # the officials with counts (1); the nations for the form (1)
    "official-list": 2,
    # the official (1); meetings (1); figures they gave and citations (2); contributions, citations and
    # theatres (3); requests and citations (2); quotes (1)
    "official-detail": 10,
    # the data version (1); cells (1); nations (1); requests and citations (2); offers (1)
    "matrix": 6,
    # the same, its cells counted by theatre too (still one grouped query)
    "matrix-split": 6,
    # the sources with counts by kind (1)
    "source-list": 1,
    # the source (1); its citations with their records (1); disputed figures (1)
    "source-detail": 3,
}


def named_urls(cast):
    carrier = cast.carrier
    return {
        "home": reverse("home"),
        "nation-list": reverse("nation-list"),
        "nation-detail": reverse("nation-detail", args=["fr"]),
        "partner-detail": reverse("partner-detail", args=["sa"]),
        "contribution-list": reverse("contribution-list"),
        "contribution-detail": reverse("contribution-detail", args=[carrier.pk]),
        "meeting-list": reverse("meeting-list"),
        "meeting-detail": reverse("meeting-detail", args=["brussels-2016-02"]),
        "official-list": reverse("official-list"),
        "official-detail": reverse("official-detail", args=["ash-carter"]),
        "matrix": reverse("matrix"),
        "matrix-split": reverse("matrix") + "?split=theatre",
        "source-list": reverse("source-list"),
        "source-detail": reverse("source-detail", args=[cast.reuters.slug]),
    }


@pytest.mark.parametrize("name", QUERY_COUNTS)
def test_each_page_runs_its_pinned_number_of_queries(client, cast, django_assert_num_queries, name):
    url = named_urls(cast)[name]
    with django_assert_num_queries(QUERY_COUNTS[name]):
        assert client.get(url).status_code == 200


def test_the_filtered_contribution_list_adds_one_query_per_record_parameter(client, cast, django_assert_num_queries):
    # The 13 above, and one each to check the nation, meeting and official values.
    url = "/contributions/?nation=fr,it&meeting=brussels-2016-02&official=jean-yves-le-drian&category=military"
    with django_assert_num_queries(16):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", QUERY_COUNTS)
def test_the_number_of_queries_does_not_grow_with_the_data(client, cast, name):
    url = named_urls(cast)[name]

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    cast.grow(30)
    assert queries() == before


# --- The curated dataset ------------------------------------------------------------------------------


def curated_urls():
    from contributions.models import Contribution, Meeting, Nation, Official, Source

    urls = [reverse(name) for name in ("home", "nation-list", "contribution-list", "meeting-list", "official-list")]
    urls += [reverse("matrix"), reverse("source-list")]
    for model in (Nation, Contribution, Meeting, Official, Source):
        urls += [record.get_absolute_url() for record in model.objects.all()]
    return urls


def test_every_page_of_the_curated_data_renders_within_its_query_count(client, curated):
    # The list pages by their address; matrix-split is the matrix's address with a parameter.
    pinned = {
        reverse(name): count
        for name, count in QUERY_COUNTS.items()
        if not name.endswith("-detail") and name != "matrix-split"
    }
    urls = curated_urls()
    assert len(urls) > 50
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        name = response.resolver_match.url_name
        # Detail pages skip a prefetch when there is nothing to prefetch for, so may run fewer.
        assert len(queries) <= pinned.get(url, QUERY_COUNTS[name]), url


def test_a_csv_cell_that_a_spreadsheet_would_run_as_a_formula_is_defused(client, db):
    ContributionFactory(description='=HYPERLINK("http://evil.example","click")')
    ContributionFactory(description="-12 aircraft, said to be a typo")
    body = b"".join(client.get("/contributions/?format=csv").streaming_content).decode()
    assert "'=HYPERLINK" in body
    assert "'-12 aircraft" in body
    assert "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body


def test_a_quote_naming_several_nations_at_a_meeting_is_shown_once_with_all_of_them(client, cast):
    shared = "Twelve nations sent their defence ministers."
    ids = []
    for participation in Participation.objects.filter(meeting=cast.brussels)[:3]:
        participation.citations.all().delete()
        Citation.objects.create(source=cast.reuters, participation=participation, quote=shared)
        ids.append(participation.pk)
    page = html(client.get("/meetings/brussels-2016-02/"))
    assert page.count(shared) == 1
    for pk in ids:
        assert f'id="participation-{pk}"' in page


def test_the_official_list_tells_two_people_with_one_title_apart_by_their_sources_dates(client, cast):
    from tests.factories import CitationFactory, OfficialFactory, SourceFactory

    for day in ("2015-11-23", "2016-02-09"):
        spokesman = OfficialFactory(title="Pentagon spokesman")
        CitationFactory(contribution=None, official=spokesman, source=SourceFactory(published=day))
    page = client.get("/officials/").content.decode()
    assert "23 Nov 2015" in page and "9 Feb 2016" in page


def test_a_meeting_in_a_series_links_the_previous_and_the_next_and_what_was_announced_there(client, cast):
    from contributions.models import Meeting

    paris = Meeting.objects.get(slug="paris-2016-01")
    brussels = cast.brussels
    for meeting in (paris, brussels):
        meeting.series = Meeting.Series.DEFENCE_MINISTERIALS
        meeting.save()
    later = MeetingFactory(
        title="Washington ministerial", date=brussels.date + datetime.timedelta(days=150), announced_at=brussels
    )
    later.series = Meeting.Series.DEFENCE_MINISTERIALS
    later.save()
    page = html(client.get(brussels.get_absolute_url()))
    assert f'rel="prev" href="{paris.get_absolute_url()}"' in page
    assert f'rel="next" href="{later.get_absolute_url()}"' in page
    assert f'<a href="{later.get_absolute_url()}">Washington ministerial</a>' in page
    back = html(client.get(later.get_absolute_url()))
    assert f'<dt>Announced at</dt><dd><a href="{brussels.get_absolute_url()}">' in back
    listed = client.get("/meetings/", {"series": "counter_isil_defence_ministerials"}).context["meetings"]
    assert {m.pk for m in listed} == {paris.pk, brussels.pk, later.pk}


def test_meetings_on_the_same_days_are_told_apart_on_the_page_and_in_the_list(client, cast):
    nato = MeetingFactory(title="NATO defence ministerial", date=cast.brussels.date, end_date=cast.brussels.date)
    page = html(client.get(cast.brussels.get_absolute_url()))
    assert "Not to be confused with" in page and nato.get_absolute_url() in page
    rows = {m.pk: m for m in client.get("/meetings/").context["meetings"]}
    assert nato in rows[cast.brussels.pk].same_days_as


def test_a_meeting_cannot_be_announced_at_itself_or_at_a_later_one(cast):
    from django.core.exceptions import ValidationError

    brussels = cast.brussels
    brussels.announced_at = brussels
    with pytest.raises(ValidationError, match="announced at itself"):
        brussels.full_clean()
    brussels.announced_at = MeetingFactory(date=brussels.date + datetime.timedelta(days=30))
    with pytest.raises(ValidationError, match="held after it"):
        brussels.full_clean()
