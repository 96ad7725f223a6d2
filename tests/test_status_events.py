"""Pledges over time: dated, cited status events, the state they set, and the tracker as of a date."""

import datetime
from decimal import Decimal

import pytest
import tablib
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from contributions import queries
from contributions.filters import ContributionFilter, LineOfEffortFilter, MeetingFilter, NationFilter, OfficialFilter
from contributions.models import Contribution, LineOfEffort, Meeting, Nation, Official, StatusEvent
from contributions.resources import StatusEventResource
from tests.factories import add_event, token_for

API = "/api/v1"
BEFORE, BETWEEN, AFTER = "2014-01-01", "2016-01-01", "2017-01-01"


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")
    return client


def test_a_new_contribution_starts_with_one_event_that_shares_its_first_citation(cast):
    event = cast.carrier.events.get()
    assert (event.status, event.date, event.quantity) == ("delivered", cast.carrier.announced, 38)
    citation = event.citations.get()
    assert citation.shares_id is not None and citation.words == cast.carrier.citations.first().words


def test_the_latest_event_sets_the_status_quantity_and_amount_in_the_same_transaction(cast):
    money = cast.money
    add_event(money, "delivered", datetime.date(2016, 3, 1), amount=Decimal("5000000"))
    money.refresh_from_db()
    assert (money.status, money.amount, money.currency) == ("delivered", Decimal("5000000.00"), "USD")
    # An event that gives no amount keeps the one given before it.
    add_event(money, "ended", datetime.date(2016, 6, 1))
    money.refresh_from_db()
    assert (money.status, money.amount) == ("ended", Decimal("5000000.00"))
    assert money.history.first().history_change_reason == "State from its status events"


def test_events_order_by_date_and_ties_keep_the_order_they_were_entered_in(cast):
    carrier = cast.carrier
    day = datetime.date(2016, 4, 1)
    add_event(carrier, "ended", day)
    add_event(carrier, "delivered", day, quantity=20)
    carrier.refresh_from_db()
    assert [e.status for e in carrier.events.in_order()] == ["delivered", "ended", "delivered"]
    assert (carrier.status, carrier.quantity) == ("delivered", 20)
    # The one entered first on that day was replaced the same day: it is in force on no date.
    tie = carrier.events.get(status="ended")
    assert tie.valid_until == day
    assert not StatusEvent.objects.in_force_on(day).filter(pk=tie.pk).exists()


def test_a_month_counts_from_its_first_day(cast):
    add_event(cast.carrier, "ended", datetime.date(2016, 5, 1), date_precision="month")
    on_first = Contribution.objects.as_of(datetime.date(2016, 5, 1)).get(pk=cast.carrier.pk)
    assert on_first.status == "ended"


def test_deleting_the_latest_event_restores_the_state_before_it(dated):
    latest = dated.carrier.events.in_order().last()
    latest.delete()
    dated.carrier.refresh_from_db()
    assert dated.carrier.quantity == 12


def test_a_state_written_on_the_contribution_corrects_its_latest_event(dated):
    carrier = Contribution.objects.get(pk=dated.carrier.pk)
    carrier.status, carrier.quantity = "ended", 40
    carrier.save()
    latest = carrier.events.in_order().last()
    assert (latest.status, latest.quantity, latest.date) == ("ended", 40, datetime.date(2016, 2, 1))
    assert carrier.events.count() == 2  # a correction, not a new event
    assert carrier.events.in_order().first().quantity == 12
    assert latest.history.first().history_change_reason == "Corrected through its contribution"


def test_only_a_save_that_writes_the_state_on_the_contribution_reads_its_latest_event(dated, monkeypatch):
    from contributions.models import events

    corrected = []
    monkeypatch.setattr(events, "correct_latest_event", corrected.append)
    carrier = Contribution.objects.get(pk=dated.carrier.pk)
    add_event(carrier, "ended", datetime.date(2016, 3, 1))  # copied onto the contribution by its events
    carrier.refresh_from_db()
    carrier.description = "A new description."
    carrier.save(update_fields=["description", "updated"])
    assert corrected == []
    carrier.save()
    assert corrected == [carrier]


def test_the_database_refuses_an_unknown_status_and_a_date_out_of_range(cast):
    for fields in ({"status": "imagined"}, {"status": "pledged", "date": datetime.date(1800, 1, 1)}):
        with pytest.raises(IntegrityError), transaction.atomic():
            StatusEvent.objects.bulk_create([StatusEvent(contribution=cast.carrier, **fields)])


def test_it_shows_the_same_list_at_three_dates_with_the_counts_on_each(client, dated):
    # Brussels (the cast's meeting date) is 11 February 2016; the others were announced on 23 November 2015.
    counts = {}
    for day in (BEFORE, BETWEEN, AFTER):
        body = client.get(f"{API}/contributions/", {"as_of": day}).json()
        counts[day] = body["count"]
    assert counts[BEFORE] == 0
    assert 0 < counts[BETWEEN] < counts[AFTER] == Contribution.objects.count()


def test_the_api_shows_the_quantity_and_status_of_that_day(client, dated):
    def carrier(day):
        rows = client.get(f"{API}/contributions/", {"as_of": day, "nation": "fr"}).json()["results"]
        return [(r["status"], r["quantity"]) for r in rows if r["id"] == dated.carrier.pk]

    assert carrier("2015-11-30") == []
    assert carrier(BETWEEN) == [("delivered", 12)]
    assert carrier(AFTER) == [("delivered", 38)]
    assert carrier("") == [("delivered", 38)]


def test_the_status_filter_and_its_facet_read_the_state_on_that_day(dated):
    trainers = dated.uk_trainers

    def pledged(**data):
        return ContributionFilter({"status": "pledged", **data}, Contribution.objects.all()).qs

    # Pledged at Brussels on 11 February, ended on the 20th: not known on 15 January.
    assert trainers not in pledged(as_of="2016-01-15")
    assert trainers in pledged(as_of="2016-02-15")
    assert trainers not in pledged(as_of="2016-02-25") and trainers not in pledged()
    filterset = ContributionFilter({"as_of": AFTER}, Contribution.objects.all())
    assert filterset.is_valid()
    facet = queries.facets(filterset)["status"]
    assert facet["ended"] == 1


@pytest.mark.parametrize("value", ["2016-13-01", "01/02/2016", "1800-01-01", "2999-01-01", "x"])
def test_a_bad_as_of_is_a_400_naming_the_parameter(client, cast, value):
    for url in (f"{API}/contributions/", "/contributions/"):
        response = client.get(url, {"as_of": value})
        assert response.status_code == 400
        if url.startswith(API):
            assert "as_of" in response.json()


def test_the_summary_and_the_matrix_count_the_state_on_that_day(client, dated):
    def uk_statuses(day):
        return {
            (row["category"], row["status"])
            for row in client.get(f"{API}/summary/", {"as_of": day, "nation": "gb"}).json()
        }

    # The UK's trainers, pledged at Brussels on 11 February 2016, ended on the 20th.
    assert uk_statuses(BETWEEN) == {("intelligence", "delivered"), ("military", "delivered")}
    assert uk_statuses("2016-02-15") == uk_statuses(BETWEEN) | {("training", "pledged")}
    assert uk_statuses(AFTER) == uk_statuses(BETWEEN) | {("training", "ended")}
    cells = queries.matrix_cells(as_of=datetime.date(2016, 1, 15))
    assert sum(cell["total"] for cell in cells.values()) < Contribution.objects.count()


def test_the_contribution_page_shows_its_timeline_with_quotes(client, dated):
    page = client.get(dated.carrier.get_absolute_url()).content.decode()
    first, second = dated.carrier.events.in_order()
    assert "Timeline" in page
    assert page.index(f'id="event-{first.pk}"') < page.index(f'id="event-{second.pk}"')
    assert "delivered on 2016-02-01." in page


def test_the_list_page_keeps_the_date_in_its_form(client, dated):
    page = client.get("/contributions/", {"as_of": BETWEEN}).content.decode()
    assert f'name="as_of" id="id_as_of" value="{BETWEEN}"' in page


def test_an_editor_adds_an_event_through_the_api_and_changes_it_with_if_match(editor_api, cast):
    body = {"contribution": cast.carrier.pk, "status": "ended", "date": "2016-06-01", "date_precision": "month"}
    created = editor_api.post(f"{API}/status-events/", body, format="json")
    assert created.status_code == 201, created.json()
    cast.carrier.refresh_from_db()
    assert cast.carrier.status == "ended"
    url = created["Location"]
    assert editor_api.patch(url, {"status": "delivered"}, format="json").status_code == 428
    changed = editor_api.patch(url, {"status": "delivered"}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert changed.status_code == 200
    cast.carrier.refresh_from_db()
    assert cast.carrier.status == "delivered"
    bad = editor_api.post(f"{API}/status-events/", {**body, "status": "imagined", "date": "1800-01-01"}, format="json")
    assert bad.status_code == 400
    assert {"status", "date"} <= set(bad.json())
    cite = {"source": cast.reuters.slug, "quote": "The carrier sailed home.", "status_event": created.json()["id"]}
    assert editor_api.post(f"{API}/citations/", cite, format="json").status_code == 201


def test_an_api_client_that_writes_the_status_on_the_contribution_corrects_its_latest_event(editor_api, cast):
    url = f"{API}/contributions/{cast.carrier.pk}/"
    etag = editor_api.get(url)["ETag"]
    response = editor_api.patch(url, {"status": "ended"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["status"] == "ended"
    assert [e.status for e in cast.carrier.events.all()] == ["ended"]


def test_the_contribution_detail_lists_its_events_with_their_citations(client, dated):
    body = client.get(f"{API}/contributions/{dated.carrier.pk}/").json()
    assert [(e["status"], e["date"], e["quantity"]) for e in body["events"]] == [
        ("delivered", "2015-12-01", 12),
        ("delivered", "2016-02-01", 38),
    ]
    assert body["events"][1]["citations"][0]["quote"] == "delivered on 2016-02-01."


def test_an_import_adds_a_cited_event_and_refuses_one_without_its_citation(cast):
    headers = ["id", "contribution", "status", "date", "date_precision", "quantity", "source", "quote"]
    good = tablib.Dataset(headers=headers)
    good.append(["", cast.carrier.pk, "ended", "2016-07-01", "month", "", cast.reuters.slug, "It sailed home."])
    result = StatusEventResource().import_data(good, dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()
    cast.carrier.refresh_from_db()
    assert cast.carrier.status == "ended"
    bad = tablib.Dataset(headers=headers)
    bad.append(["", cast.carrier.pk, "pledged", "2016-08-01", "month", "", "", ""])
    result = StatusEventResource().import_data(bad, dry_run=False)
    assert result.has_validation_errors()
    assert not StatusEvent.objects.filter(date=datetime.date(2016, 8, 1)).exists()


def test_the_curated_changes_become_events(curated):
    carrier_jets = Contribution.objects.get(description__startswith="French military planes")
    assert [(e.date, e.quantity) for e in carrier_jets.events.in_order()] == [
        (None, 12),
        (datetime.date(2015, 11, 1), 38),
    ]
    for contribution in Contribution.objects.all():
        latest = contribution.events.in_order().last()
        assert latest.status == contribution.status, contribution
    assert not StatusEvent.objects.filter(citations__isnull=True).exists()


def test_an_as_of_list_page_costs_what_the_latest_state_page_costs(client, dated, django_assert_num_queries):
    # As test_web's "contribution-list": meetings, officials and lines of effort for the form (3); the
    # data version (1); five facet counts (nation, category, status, theatre, host: 5) and the total (1);
    # the page, its citations and its theatres (3). The state on the date is a subquery in each, not a query.
    with django_assert_num_queries(13):
        assert client.get("/contributions/", {"as_of": BETWEEN}).status_code == 200


def test_ordering_by_quantity_as_of_a_date_sorts_by_the_quantity_then(dated):
    # On 1 January 2016 the carrier had 12 jets; today it has 38.
    filterset = ContributionFilter({"as_of": BETWEEN, "ordering": "-quantity"}, Contribution.objects.all())
    assert filterset.is_valid()
    quantities = [c.quantity for c in filterset.qs if c.quantity is not None]
    assert quantities == sorted(quantities, reverse=True)
    assert 12 in quantities and 38 not in quantities


def test_the_matrix_page_shows_the_state_on_that_day_and_refuses_a_bad_date(client, dated):
    before = client.get("/matrix/", {"as_of": "2015-11-30"})
    assert before.status_code == 200
    assert 'name="as_of" id="id_as_of" value="2015-11-30"' in before.content.decode()
    assert "as_of=2015-11-30" in before.content.decode()  # the cells link to the list on that date
    assert client.get("/matrix/", {"as_of": "2016-02-30"}).status_code == 400


# --- Every list and profile as of a date (the other lists, the partner profile, the home page) -----

ON = {"early": "2015-10-01", "winter": "2016-01-25", "spring": "2016-03-01"}


def filtered(filterset_class, queryset, **data):
    filterset = filterset_class(data, queryset)
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def test_the_partner_filter_counts_what_was_known_and_leaves_out_those_not_yet_joined(client, dated):
    # Germany's Peshmerga trainers were announced on 23 November 2015, its Tornados at Paris on 20 January.
    def germany(day):
        return filtered(NationFilter, Nation.objects.with_counts(), as_of=day).get(slug="de").contribution_count

    assert [germany(day) for day in ON.values()] == [0, 2, 2]
    assert germany("2015-12-01") == 1
    # France joined on 15 September 2014, the United States five days earlier.
    partners = filtered(NationFilter, Nation.objects.with_counts(), as_of="2014-09-12")
    assert dated.us in partners and dated.france not in partners
    # The API's list of partners is the same filter.
    rows = client.get(f"{API}/partners/", {"as_of": "2015-12-01", "page_size": 100}).json()["results"]
    assert {row["code"]: row["contribution_count"] for row in rows}["DE"] == 1
    assert "as_of" in client.get(f"{API}/partners/", {"as_of": "2015-02-29"}).json()


def test_the_partner_list_page_counts_contributions_and_meetings_as_of_the_date(client, dated):
    pages = {name: client.get("/partners/", {"as_of": day}) for name, day in ON.items()}
    assert {response.status_code for response in pages.values()} == {200}
    rows = {
        name: {n.slug: (n.contribution_count, n.meeting_count) for n in r.context["nations"]}
        for name, r in pages.items()
    }
    # Germany: nothing known, then its two contributions and Paris, then Brussels too.
    assert [rows[name]["de"] for name in ON] == [(0, 0), (2, 1), (2, 2)]
    page = pages["winter"].content.decode()
    assert 'name="as_of" id="id_as_of" value="2016-01-25"' in page
    assert "/contributions/?nation=de&amp;as_of=2016-01-25" in page  # the count links to the list that day
    assert client.get("/partners/", {"as_of": "2016-02-30"}).status_code == 400


def test_the_meeting_filter_shows_the_meetings_dated_by_then_with_the_pledges_known(client, dated):
    assert [m.slug for m in filtered(MeetingFilter, Meeting.objects.all(), as_of=ON["winter"])] == ["paris-2016-01"]
    pages = {name: client.get("/meetings/", {"as_of": day}).context["meetings"] for name, day in ON.items()}
    counts = {name: {m.slug: m.contribution_count for m in meetings} for name, meetings in pages.items()}
    assert counts == {
        "early": {},
        "winter": {"paris-2016-01": 1},
        # At Brussels: the carrier, the UK's trainers, Italy's money, the Dutch strikes, the Saudi troops
        # and the Emirati special forces.
        "spring": {"paris-2016-01": 1, "brussels-2016-02": 6},
    }


def test_the_official_list_counts_what_each_had_pledged_attended_and_asked_for_by_then(client, dated):
    def carter(day):
        official = client.get("/officials/", {"as_of": day}).context["officials"]
        return next(
            (o.contribution_count, o.meeting_count, o.request_count) for o in official if o.slug == "ash-carter"
        )

    assert [carter(day) for day in ON.values()] == [(0, 0, 0), (1, 1, 0), (1, 2, 2)]
    # Someone taking office later was not known yet.
    Official.objects.filter(pk=dated.carter.pk).update(tenure_start=datetime.date(2015, 2, 17))
    assert dated.carter not in filtered(OfficialFilter, Official.objects.all(), as_of="2015-01-01")


def test_the_lines_of_effort_count_what_served_them_by_then_on_the_page_and_in_the_api(client, dated):
    def campaign(day):
        lines = filtered(LineOfEffortFilter, queries.lines_with_counts(LineOfEffort.objects.all()), as_of=day)
        return lines.get(slug="military-campaign").contribution_count

    # The British and American strikes from 23 November 2015, the carrier from 1 December.
    assert [campaign(day) for day in ("2015-10-01", "2015-11-30", "2016-01-01")] == [0, 2, 3]
    body = client.get(f"{API}/lines/", {"as_of": "2015-11-30"}).json()
    rows = body["results"] if isinstance(body, dict) else body
    assert {row["slug"]: row["contribution_count"] for row in rows}["military-campaign"] == 2
    page = client.get("/lines/", {"as_of": "2015-11-30"})
    assert page.status_code == 200 and "On 30 November 2015: 2 contributions" in page.content.decode()
    assert client.get("/lines/", {"as_of": "1800-01-01"}).status_code == 400


def test_the_partner_profile_shows_the_state_on_that_day(client, dated):
    contexts = {}

    def profile(slug, day):
        # A second request for one URL is answered from the page cache, without a context.
        if (slug, day) not in contexts:
            response = client.get(f"/partners/{slug}/", {"as_of": day})
            assert response.status_code == 200
            contexts[slug, day] = response.context
        return contexts[slug, day]

    assert [profile("de", day)["contribution_count"] for day in ON.values()] == [0, 2, 2]
    # The carrier had 12 jets on 25 January 2016, and 38 once delivered in February.
    assert [c.quantity for c in profile("fr", ON["winter"])["contributions"]] == [12]
    assert [c.quantity for c in profile("fr", ON["spring"])["contributions"]] == [38]
    # Saudi Arabia was a member in January; it flew strikes from Brussels on.
    assert [s.role for s in profile("sa", ON["winter"])["role_statements"]] == ["member"]
    assert [s.role for s in profile("sa", ON["spring"])["role_statements"]] == ["military", "member"]
    winter = profile("de", ON["winter"])
    assert [p.meeting.slug for p in winter["participations"]] == ["paris-2016-01"]
    # The chart and table stop at the date: the quarters before it, then the date itself.
    assert winter["over_time"][-1][0] == datetime.date(2016, 1, 25)
    assert all(day <= datetime.date(2016, 1, 25) for day, *_ in winter["over_time"])
    before_joining = client.get("/partners/fr/", {"as_of": "2014-09-12"})
    assert "before France joined the coalition" in before_joining.content.decode()
    bad = client.get("/partners/fr/", {"as_of": "2016-02-30"})
    assert bad.status_code == 400 and "The tracker as it stood on" in bad.content.decode()


def test_the_home_page_totals_what_was_known_on_that_day(client, dated):
    def totals(day):
        response = client.get("/", {"as_of": day})
        assert response.status_code == 200
        return response.context["contribution_count"], len(response.context["meetings"])

    # On 1 October 2015 only Japan's aid (dated September 2015) was known, and no meeting had been held.
    assert [totals(day) for day in ON.values()] == [(1, 0), (10, 1), (15, 2)]
    assert totals("") == (Contribution.objects.count(), 4)
    page = client.get("/", {"as_of": ON["winter"]}).content.decode()
    assert 'name="as_of" id="id_as_of" value="2016-01-25"' in page
    assert "/contributions/?status=delivered&amp;as_of=2016-01-25" in page
    assert client.get("/", {"as_of": "x"}).status_code == 400
    # The coalition-wide figures are undated: known once a source reported them (23 November 2015 on).
    assert not client.get("/", {"as_of": "2015-11-01"}).context["figure_groups"]
    assert client.get("/", {"as_of": "2015-11-24"}).context["figure_groups"]


@pytest.mark.parametrize(
    "url, queries_pinned",
    [
        # As test_web's QUERY_COUNTS: each count and list reads the state on the date in a subquery.
        ("/", 12),
        ("/partners/", 3),
        ("/partners/sa/", 15),
        ("/meetings/", 2),
        ("/officials/", 2),
    ],
)
def test_an_as_of_page_runs_the_queries_of_its_latest_state_page(
    client, dated, django_assert_num_queries, url, queries_pinned
):
    with django_assert_num_queries(queries_pinned):
        # In the spring every list the page shows has rows, so none of their prefetches is skipped.
        assert client.get(url, {"as_of": ON["spring"]}).status_code == 200
