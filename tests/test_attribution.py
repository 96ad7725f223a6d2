"""Who said it: the official who gave a figure, on every page and in the API, and an official's page
listing everything they said or announced."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from rest_framework.test import APIClient

from contributions import tables
from contributions.models import Figure, Official
from tests.factories import FigureFactory, token_for

API = "/api/v1"


def test_a_meeting_page_names_who_gave_each_figure_with_a_link(client, cast):
    page = client.get(reverse("meeting-detail", args=["brussels-2016-02"])).content.decode()
    assert 'Given by <a href="/officials/ash-carter/">Ash Carter</a>' in page


def test_a_coalition_wide_figure_names_who_gave_it_on_the_home_page(client, cast):
    cast.members.official = cast.le_drian
    cast.members.save()
    page = client.get(reverse("home")).content.decode()
    assert 'Given by <a href="/officials/jean-yves-le-drian/">Jean-Yves Le Drian</a>' in page


def test_an_as_of_date_is_shown_no_more_precisely_than_known(client, cast):
    cast.members.as_of = datetime.date(2015, 11, 1)
    cast.members.as_of_precision = "month"
    cast.members.save()
    page = client.get(reverse("home")).content.decode()
    assert "As of November 2015" in page
    assert "1 November 2015" not in page


def test_an_officials_page_lists_the_figures_contributions_requests_and_quotes_they_gave(client, cast):
    page = client.get(reverse("official-detail", args=["ash-carter"])).content.decode()
    said = page[page.index("What Ash Carter said or announced") :]
    for heading in ("Figures given", "Contributions announced", "Capabilities asked for", "Quotes and mentions"):
        assert heading in said
    assert f'id="figure-{cast.at_the_table.pk}"' in said
    assert "nations at the table" in said and "Coalition defence ministerial" in said


def test_an_official_who_gave_nothing_says_so_and_still_lists_their_quotes(client, cast):
    page = client.get(reverse("official-detail", args=["roberta-pinotti"])).content.decode()
    assert "Figures given" not in page
    pinotti_contributions = cast.pinotti.contributions.count()
    assert pinotti_contributions  # so the test below means something
    cast.pinotti.contributions.update(official=None)
    page = client.get(reverse("official-detail", args=["roberta-pinotti"])).content.decode()
    assert "No figure, contribution or request recorded as given by Roberta Pinotti" in page
    assert "Quotes and mentions" in page


def test_the_api_writes_and_reads_a_figures_official_and_as_of_precision(cast, editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")
    url = f"{API}/figures/{cast.members.pk}/"
    etag = client.get(url)["ETag"]
    body = {"official": "ash-carter", "as_of": "2015-11-01", "as_of_precision": "month"}
    response = client.patch(url, body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    read = client.get(url).json()
    assert read["official"]["slug"] == "ash-carter"
    assert read["as_of_precision"] == "month"
    etag = client.get(url)["ETag"]
    bad = client.patch(url, {"official": "nobody", "as_of_precision": "week"}, format="json", HTTP_IF_MATCH=etag)
    assert bad.status_code == 400
    assert set(bad.json()) == {"official", "as_of_precision"}


def test_the_figures_table_carries_the_official_and_the_precision(cast):
    row = tables.FIGURES.row(Figure.objects.select_related("meeting", "official").get(pk=cast.at_the_table.pk))
    assert row["official"] == "ash-carter"
    assert row["as_of_precision"] == "day"


def test_the_curated_figures_and_the_ramp_up_name_who_said_them(curated):
    earnest = Official.objects.get(slug="josh-earnest")
    assert set(earnest.figures.values_list("metric", flat=True)) >= {"military_contributors", "training_contributors"}
    trainers = Figure.objects.get(metric="training_contributors")
    assert any("Josh Earnest told reporters" in citation.words for citation in trainers.citations.all())
    assert Official.objects.get(slug="ash-carter").figures.filter(metric="countries_invited").exists()
    ramp_up = Official.objects.get(slug="joe-biden").contributions.get(description__contains="ramp up")
    assert any(c.words.startswith("Vice President Joe Biden delivered") for c in ramp_up.citations.all())
    assert not Official.objects.get(slug="barack-obama").contributions.filter(pk=ramp_up.pk).exists()


def test_the_figures_an_official_gave_cost_no_query_per_figure(client, cast, django_assert_num_queries):
    for value in range(5):
        FigureFactory(meeting=cast.paris, metric="other", value=value, label="things", official=cast.carter)
    # As pinned in test_web.py: the official (1); meetings (1); figures they gave and citations (2);
    # contributions, citations and theatres (3); requests and citations (2); quotes (1).
    with django_assert_num_queries(10):
        assert client.get(reverse("official-detail", args=["ash-carter"])).status_code == 200


# --- Migration --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_existing_figures_exact_to_the_day_and_unattributed():
    executor = MigrationExecutor(connection)
    before, after = [("contributions", "0012_shared_quotes")], [("contributions", "0013_figure_official")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    figure = old.get_model("contributions", "Figure").objects.create(
        metric="coalition_members", value=65, label="coalition countries", as_of=datetime.date(2015, 11, 23)
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    migrated = new.get_model("contributions", "Figure").objects.get(pk=figure.pk)
    assert (migrated.value, migrated.label, migrated.as_of) == (65, "coalition countries", datetime.date(2015, 11, 23))
    assert (migrated.as_of_precision, migrated.official_id) == ("day", None)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
