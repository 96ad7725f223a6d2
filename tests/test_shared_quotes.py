"""One sentence supporting several records: its words are stored, and verified, once; every record keeps
its own citation, through every way in (the model, the admin's form, the API, the import), and no
record loses its quote when the one that stored it goes."""

import pytest
import tablib
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from contributions.models import Citation, Contribution, SourceText
from contributions.resources import CitationResource
from tests.factories import token_for

ARTICLE = (
    "Officials said Saudi Arabia, the United Arab Emirates, Jordan and Bahrain have flown strikes in Syria. "
    "Other allies were asked to do more."
)
ALLIES = "Saudi Arabia, the United Arab Emirates, Jordan and Bahrain have flown strikes in Syria."


@pytest.fixture
def allies(cast):
    """The four Arab allies' sentence, cited for Saudi Arabia's and the UAE's contributions and nations."""
    SourceText.objects.create(source=cast.reuters, text=ARTICLE)
    records = [
        Contribution.objects.create(nation=nation, category="military", status="delivered", description="Strikes")
        for nation in (cast.saudi, cast.uae)
    ]
    citations = [Citation.objects.create(source=cast.reuters, quote=ALLIES, contribution=r) for r in records]
    citations.append(Citation.objects.create(source=cast.reuters, quote=ALLIES, nation=cast.saudi))
    return records, citations


def test_the_same_words_for_another_record_are_stored_once_and_shared(allies):
    records, (first, second, third) = allies
    stored = Citation.objects.filter(quote=ALLIES)
    assert list(stored) == [first]
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.shares, second.quote, third.shares) == (first, "", first)
    # Every record still has its own citation, showing the words and their one verification.
    assert [record.citations.get().words for record in records] == [ALLIES, ALLIES]
    assert first.text_sha256 and not second.text_sha256 and second.verified
    assert second.verification_state == first.verification_state


def test_the_database_refuses_a_second_copy_of_shared_words_and_a_citation_sharing_itself(allies):
    _, (first, second, _) = allies
    for change in ({"quote": ALLIES}, {"shares": second.pk}, {"shares": None}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Citation.objects.filter(pk=second.pk).update(**change)


def test_editing_the_stored_words_edits_every_record_sharing_them(allies):
    records, (first, _, _) = allies
    first.quote = "Saudi Arabia, the United Arab Emirates, Jordan and Bahrain have flown strikes"
    first.save()
    for record in records:
        assert Contribution.objects.get(pk=record.pk).search_text.endswith("have flown strikes")
    assert Citation.objects.get(pk=allies[1][1].pk).words == first.quote


def test_new_words_for_a_sharing_citation_are_its_own_and_checked(allies):
    _, (_, second, _) = allies
    second.quote = "Other allies were asked to do more."
    second.save()
    second.refresh_from_db()
    assert second.shares is None and second.text_sha256 and second.quote_start == ARTICLE.index("Other")


def test_deleting_the_record_that_stored_the_words_leaves_them_to_the_others(allies):
    records, (first, second, third) = allies
    records[0].delete()
    assert not Citation.objects.filter(pk=first.pk).exists()
    second.refresh_from_db()
    third.refresh_from_db()
    # The first survivor stores them, verified as they were; the rest share it.
    assert (second.quote, second.shares, second.text_sha256) == (ALLIES, None, first.text_sha256)
    assert (third.quote, third.shares) == ("", second)


def test_the_page_shows_the_shared_words_with_their_context(client, allies):
    records, _ = allies
    page = client.get(records[1].get_absolute_url()).content.decode()
    assert ALLIES in page and "Other allies were asked" in page and "Verified against" in page


def test_the_api_writes_the_same_words_once_and_shows_them_on_every_record(allies, editor, cast):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")
    response = api.post(
        "/api/v1/citations/",
        {"source": cast.reuters.slug, "quote": ALLIES, "nation": "ae"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    first = allies[1][0]
    assert (body["quote"], body["shares"], body["verified"], body["text_sha256"]) == (
        ALLIES,
        first.pk,
        True,
        first.text_sha256,
    )
    embedded = api.get(f"/api/v1/contributions/{allies[0][1].pk}/").json()["citations"]
    assert [(c["quote"], c["shares"], c["quote_start"]) for c in embedded] == [(ALLIES, first.pk, first.quote_start)]


def test_an_imported_row_with_the_same_words_shares_them_and_the_same_row_again_is_refused(allies, cast):
    row = tablib.Dataset(headers=["source", "quote", "nation_code"])
    row.append([cast.reuters.slug, ALLIES, "AE"])
    assert not CitationResource().import_data(row).has_validation_errors()
    again = CitationResource().import_data(row)
    assert "already cites these words" in str(again.invalid_rows[0].error_dict["quote"])
    shared = Citation.objects.filter(nation=cast.uae)
    assert [(c.shares_id, c.quote) for c in shared] == [(allies[1][0].pk, "")]


def test_the_quote_and_verified_filters_read_the_stored_words(client, allies):
    _, (first, second, _) = allies
    rows = client.get("/api/v1/citations/?q=flown+strikes&verified=true&format=json").json()["results"]
    # The contributions' first status events share the same words.
    events = set(Citation.objects.filter(status_event__isnull=False, shares=first).values_list("pk", flat=True))
    assert events
    assert {row["id"] for row in rows} == {first.pk, second.pk, allies[1][2].pk} | events


@pytest.mark.django_db(transaction=True)
def test_the_migration_folds_repeated_words_into_one_stored_copy_and_back():
    executor = MigrationExecutor(connection)
    before = [("contributions", "0011_meeting_series")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Source = apps.get_model("contributions", "Source")
    Nation = apps.get_model("contributions", "Nation")
    OldCitation = apps.get_model("contributions", "Citation")
    source = Source.objects.create(slug="s", outlet="O", headline="H", published="2016-02-11")
    nations = [Nation.objects.create(country=code, name=code, role="member") for code in ("SA", "AE", "JO")]
    old = [OldCitation.objects.create(source=source, quote=ALLIES, nation=nation) for nation in nations]
    OldCitation.objects.create(source=source, quote="Other words.", nation=nations[0])

    executor = MigrationExecutor(connection)
    executor.migrate([("contributions", "0012_shared_quotes")])
    apps = executor.loader.project_state([("contributions", "0012_shared_quotes")]).apps
    NewCitation = apps.get_model("contributions", "Citation")
    rows = list(NewCitation.objects.order_by("pk").values_list("quote", "shares_id"))
    assert rows == [(ALLIES, None), ("", old[0].pk), ("", old[0].pk), ("Other words.", None)]

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    rows = list(OldCitation.objects.order_by("pk").values_list("quote", flat=True))
    assert rows == [ALLIES, ALLIES, ALLIES, "Other words."]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
