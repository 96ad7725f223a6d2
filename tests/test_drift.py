"""Rules the pages and the API used to keep copies of, which had drifted apart: each now has one
definition, and both doors answer alike."""

import pytest

from contributions.models import Contribution
from tests.factories import ContributionFactory, SourceFactory

API = "/api/v1"


@pytest.fixture
def many_french(cast):
    # Sixty rows that tie on the nation's name, more than a page of fifty.
    ContributionFactory.create_batch(60, nation=cast["france"])
    return cast


def test_pages_sorted_by_nation_neither_repeat_nor_lose_rows_on_the_web_or_the_api(client, many_french):
    web = []
    for number in (1, 2):
        response = client.get(f"/contributions/?ordering=nation&page={number}")
        web += [c.pk for c in response.context["page"].object_list]
    api = []
    for number in (1, 2):
        api += [
            row["id"] for row in client.get(f"{API}/contributions/?ordering=nation&page={number}").json()["results"]
        ]
    assert len(web) == len(set(web)) == Contribution.objects.count() == 76
    assert web == api


def test_a_page_size_past_the_largest_is_capped_on_the_web_as_in_the_api(client, many_french):
    response = client.get("/contributions/?page_size=600")
    assert response.status_code == 200
    assert response.context["paginator"].per_page == 500
    body = client.get(f"{API}/contributions/?page_size=600").json()
    assert len(body["results"]) == Contribution.objects.count() == 76


@pytest.mark.parametrize("value", ["0", "lots", "-5"])
def test_a_page_size_that_is_not_a_whole_number_from_one_is_a_400_on_both(client, cast, value):
    page = client.get(f"/contributions/?page_size={value}")
    assert page.status_code == 400
    assert "A whole number from 1 up" in page.content.decode()
    api = client.get(f"{API}/contributions/?page_size={value}")
    assert api.status_code == 400
    assert "page_size" in api.json()


def test_every_date_parameter_takes_iso_dates_only(client, cast):
    SourceFactory(slug="reuters")
    # The source filter read "01/02/2016" as 1 February where every other filter refused it.
    assert client.get(f"{API}/sources/?published_after=01/02/2016").status_code == 400
    assert client.get(f"{API}/contributions/?announced_after=01/02/2016").status_code == 400
    assert client.get("/contributions/?announced_after=01/02/2016").status_code == 400
    assert client.get("/meetings/?date_after=01/02/2016").status_code == 400
    assert client.get(f"{API}/sources/?published_after=2016-02-01").status_code == 200
