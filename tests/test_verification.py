"""Every quote is checked against its source's archived text wherever it is saved: the admin form, an
admin inline, an import row, an API write, a plain save(). Only whitespace may differ; a quote that is
not in the text is refused, naming the field and the nearest passage.
"""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from contributions.models import Citation, SourceText
from contributions.resources import CitationResource
from contributions.verification import NormalisedText, fingerprint, normalise
from tests.factories import CarefulAPIClient, token_for
from tests.test_admin import admin_url, change_form_data
from tests.test_archive import archive_post
from tests.test_import import confirm, upload

ARTICLE = (
    "BRUSSELS (Reuters) - Defence ministers met in Brussels. The United States told its allies on Thursday\n"
    "that the campaign must be accelerated. “We must accelerate the campaign,” Carter said.\n"
    "Saudi Arabia attended the meeting. Italy will consider increasing its financial\n"
    "commitment, its minister said.  France\u00a0will keep its carrier in the Gulf until the spring.\n"
)
# In the article, across its line break.
SPANNING = "The United States told its allies on Thursday that the campaign must be accelerated."
TYPO = "Italy will consider increasing its finacial commitment"


@pytest.fixture
def archived(cast):
    """The cast, with the text of its Reuters article archived."""
    SourceText.objects.create(source=cast.reuters, text=ARTICLE)
    return cast


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def editor_api(editor):
    client = CarefulAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(editor)}")
    return client


# --- The rule ---------------------------------------------------------------------------------------


def test_it_matches_across_line_breaks_runs_of_spaces_and_non_breaking_spaces():
    text = NormalisedText(ARTICLE)

    for quote in (SPANNING, "its minister said. France will keep", "France will keep its carrier"):
        found = text.find(quote)
        assert found is not None, quote
        assert normalise(ARTICLE[found.start : found.end]) == normalise(quote)


@pytest.mark.parametrize(
    "quote",
    [
        pytest.param("defence ministers met in Brussels.", id="case"),
        pytest.param('"We must accelerate the campaign," Carter said.', id="straight-for-curly-quotes"),
        pytest.param("Defence ministers met in Brussels!", id="punctuation"),
        pytest.param(TYPO, id="a-typo"),
    ],
)
def test_it_refuses_anything_but_whitespace_that_differs(quote):
    assert NormalisedText(ARTICLE).find(quote) is None


def test_the_context_is_at_most_the_sentence_either_side():
    found = NormalisedText(ARTICLE).find("Saudi Arabia attended the meeting.")

    assert found.context_before == "“We must accelerate the campaign,” Carter said. "
    assert found.context_after == " Italy will consider increasing its financial commitment, its minister said."


def test_it_refuses_a_quote_with_a_typo_and_shows_the_nearest_passage_on_a_plain_save(archived):
    with pytest.raises(ValidationError) as refused:
        Citation.objects.create(source=archived.reuters, nation=archived.italy, quote=TYPO)

    [message] = refused.value.message_dict["quote"]
    assert "not in the source's archived text" in message
    assert "The nearest passage is: “Italy will consider increasing its financial commitment," in message
    assert not Citation.objects.filter(quote=TYPO).exists()


def test_a_saved_quote_records_where_it_was_found_in_which_text(archived):
    citation = Citation.objects.create(source=archived.reuters, nation=archived.us, quote=SPANNING)

    citation.refresh_from_db()
    archive = archived.reuters.archive
    assert citation.verified
    assert citation.text_sha256 == archive.sha256 == fingerprint(ARTICLE)
    assert citation.text_captured == archive.captured
    assert normalise(ARTICLE[citation.quote_start : citation.quote_end]) == SPANNING
    assert citation.checked_at is not None
    assert citation.verification_state.startswith("verified against the text captured on ")


def test_a_quote_from_a_source_without_text_saves_unverified(cast):
    citation = Citation.objects.create(source=cast.voa, nation=cast.italy, quote="Anything at all.")

    assert not citation.verified
    assert citation.verification_state == "unverified"


def test_an_edited_quote_without_text_loses_its_record_and_an_unchanged_one_keeps_it(archived):
    citation = Citation.objects.create(source=archived.reuters, nation=archived.us, quote=SPANNING)
    SourceText.objects.filter(source=archived.reuters).delete()  # as in a clone without the texts

    kept = Citation.objects.get(pk=citation.pk)
    kept.note = "A note."
    kept.save()
    assert Citation.objects.get(pk=citation.pk).verified

    kept.quote = "Words no text holds."
    kept.save()
    assert not Citation.objects.get(pk=citation.pk).verified


# --- First text, new text ------------------------------------------------------------------------------


def test_a_first_text_verifies_the_pending_quotes_that_match_and_leaves_the_rest_unverified(cast):
    # Those that store their words: a contribution's first event shares its citation's, and is checked with it.
    pending = list(cast.reuters.citations.holding_words().order_by("pk"))
    assert not any(citation.verified for citation in pending)

    archive = SourceText.objects.create(source=cast.reuters, text=ARTICLE)

    verified = {c.quote for c in cast.reuters.citations.all() if c.verified}
    assert verified == {
        "Defence ministers met in Brussels.",
        "“We must accelerate the campaign,” Carter said.",
        "Saudi Arabia attended the meeting.",
    }
    assert {c.quote for c in archive.report.unverified} == {c.quote for c in pending} - verified


def test_the_editor_is_told_which_quotes_stay_unverified_when_a_first_text_is_pasted(editor_client, cast):
    response = editor_client.post(*archive_post(editor_client, cast.reuters, text=ARTICLE), follow=True)

    assert response.status_code == 200
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert "3 citation(s) verified against the archived text." in shown
    [warning] = [message for message in shown if "stay unverified" in message]
    assert "United Arab Emirates attended the meeting." in warning


def test_a_new_text_that_would_break_a_verified_quote_is_refused_and_names_it(archived):
    broken = archived.reuters.citations.get(quote="Defence ministers met in Brussels.")
    archive = archived.reuters.archive
    archive.text = ARTICLE.replace("Defence ministers met", "Defense ministers met")

    with pytest.raises(ValidationError) as refused:
        archive.save()

    assert f"#{broken.pk} “Defence ministers met in Brussels.”" in refused.value.message_dict["text"][0]
    assert SourceText.objects.get(pk=archive.pk).text == ARTICLE
    assert Citation.objects.get(pk=broken.pk).text_sha256 == fingerprint(ARTICLE)


def test_a_new_text_is_refused_in_the_admin_with_the_broken_quotes_listed(editor_client, archived):
    broken = archived.reuters.citations.get(quote="Defence ministers met in Brussels.")
    changed = ARTICLE.replace("Defence ministers met", "Defense ministers met")

    url, data = archive_post(editor_client, archived.reuters, text=changed)
    response = editor_client.post(url, data)

    assert response.status_code == 200
    [formset] = [
        inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.prefix == "archive"
    ]
    assert f"#{broken.pk} “Defence ministers met in Brussels.”" in str(formset.errors)
    assert SourceText.objects.get(source=archived.reuters).text == ARTICLE


def test_a_new_text_that_keeps_every_quote_rechecks_them_all_in_one_save(archived):
    citation = archived.reuters.citations.get(quote="Saudi Arabia attended the meeting.")
    before = (citation.quote_start, citation.text_sha256)
    archive = archived.reuters.archive
    archive.text = "Updated 12 February. " + ARTICLE

    archive.save()

    citation.refresh_from_db()
    assert citation.text_sha256 == fingerprint(archive.text) != before[1]
    assert citation.quote_start == before[0] + len("Updated 12 February. ")


# --- Every way in ----------------------------------------------------------------------------------------


def citation_post(source, quote, **changes):
    data = {"source": source.pk, "quote": quote, "note": ""}
    for name in Citation.TARGETS:
        data[name] = ""
    data.update(changes)
    return data


def test_the_admin_citation_form_refuses_a_typo_and_shows_the_nearest_passage(editor_client, archived):
    response = editor_client.post(
        admin_url("citation", "add"), citation_post(archived.reuters, TYPO, nation=archived.italy.pk)
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["quote"]
    assert "The nearest passage is: “Italy will consider increasing its financial commitment," in errors[0]
    assert not Citation.objects.filter(quote=TYPO).exists()


def test_the_admin_citation_form_saves_a_quote_spanning_a_line_break_as_verified(editor_client, archived):
    response = editor_client.post(
        admin_url("citation", "add"), citation_post(archived.reuters, SPANNING, nation=archived.us.pk)
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Citation.objects.get(quote=SPANNING).verified


def test_an_admin_inline_refuses_a_typo_and_saves_nothing(editor_client, archived):
    url = admin_url("nation", "change", archived.italy.pk)
    data = change_form_data(editor_client.get(url))
    total = int(data["citations-TOTAL_FORMS"])
    data.update(
        {
            "citations-TOTAL_FORMS": str(total + 1),
            f"citations-{total}-source": archived.reuters.pk,
            f"citations-{total}-quote": TYPO,
            f"citations-{total}-note": "",
        }
    )

    response = editor_client.post(url, data)

    assert response.status_code == 200
    [formset] = [
        inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.prefix == "citations"
    ]
    assert "The nearest passage is:" in str(formset.forms[total].errors["quote"])
    assert not Citation.objects.filter(quote=TYPO).exists()


def test_an_admin_inline_saves_a_matching_quote_as_verified(editor_client, archived):
    url = admin_url("nation", "change", archived.italy.pk)
    data = change_form_data(editor_client.get(url))
    total = int(data["citations-TOTAL_FORMS"])
    quote = "Italy will consider increasing its financial commitment"
    data.update(
        {
            "citations-TOTAL_FORMS": str(total + 1),
            f"citations-{total}-source": archived.reuters.pk,
            f"citations-{total}-quote": quote,
            f"citations-{total}-note": "",
        }
    )

    response = editor_client.post(url, data)

    assert response.status_code == 302
    assert archived.italy.citations.get(quote=quote).verified


CITATIONS_HEADER = (
    "id,source,quote,note,nation_code,official,meeting,participation,figure,contribution,capability_request"
)


def test_an_import_row_with_a_typo_is_a_row_error_on_the_quote_and_nothing_is_imported(editor_client, archived):
    slug = archived.reuters.slug
    content = "\n".join([CITATIONS_HEADER, f",{slug},{SPANNING},,US,,,,,,", f",{slug},{TYPO},,IT,,,,,,"])

    response = upload(editor_client, "citation", content, name="citations.csv")

    result = response.context["result"]
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 2
    assert "The nearest passage is:" in " ".join(invalid.error_dict["quote"])
    assert not Citation.objects.filter(quote__in=[SPANNING, TYPO]).exists()


def test_an_imported_quote_is_saved_verified(editor_client, archived):
    content = "\n".join([CITATIONS_HEADER, f",{archived.reuters.slug},{SPANNING},,US,,,,,,"])

    preview = upload(editor_client, "citation", content, name="citations.csv")
    assert not preview.context["result"].has_validation_errors()
    confirm(editor_client, "citation", preview)

    assert Citation.objects.get(quote=SPANNING).verified


def test_the_import_resource_runs_the_check_on_every_row_without_the_admin(archived):
    import tablib

    dataset = tablib.Dataset(headers=CITATIONS_HEADER.split(","))
    dataset.append(["", archived.reuters.slug, TYPO, "", "IT", "", "", "", "", "", ""])

    result = CitationResource().import_data(dataset, dry_run=False)

    assert result.has_validation_errors()
    assert not Citation.objects.filter(quote=TYPO).exists()


def test_a_contribution_import_refuses_its_citation_quote_when_not_in_the_text(editor_client, archived):
    header = (
        "id,nation_code,category,capability,status,description,quantity,unit,amount,currency,announced,source,quote"
    )
    row = f",IT,financial,funding,pledged,More money,,,,,2016-02-11,{archived.reuters.slug},{TYPO}"

    response = upload(editor_client, "contribution", "\n".join([header, row]))

    [invalid] = response.context["result"].invalid_rows
    assert "The nearest passage is:" in " ".join(invalid.error_dict["quote"])


def test_the_api_refuses_a_typo_with_a_400_naming_the_quote(editor_api, archived):
    body = {"source": archived.reuters.slug, "quote": TYPO, "nation": "it"}

    response = editor_api.post(reverse("api:citation-list"), body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["quote"]
    assert "The nearest passage is: “Italy will consider" in response.json()["quote"][0]


def test_the_api_saves_a_matching_quote_verified_and_rechecks_an_edited_one(editor_api, archived):
    response = editor_api.post(
        reverse("api:citation-list"),
        {"source": archived.reuters.slug, "quote": SPANNING, "nation": "us"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["verified"] is True
    assert body["text_sha256"] == fingerprint(ARTICLE)
    assert body["verification_state"].startswith("verified against the text captured on ")

    edited = editor_api.patch(body["url"], {"quote": SPANNING.replace("allies", "alies")}, format="json")
    assert edited.status_code == 400 and "quote" in edited.json()
    assert Citation.objects.get(pk=body["id"]).quote == SPANNING


def test_the_api_writes_a_sources_kind_publisher_agency_and_report_and_refuses_an_unknown_kind(editor_api, db):
    body = {
        "slug": "crs-r44135",
        "kind": "research_report",
        "outlet": "Congressional Research Service",
        "publisher": "Library of Congress",
        "agency": "",
        "report_number": "R44135",
        "edition": "2016-03-10",
        "headline": "Coalition Contributions",
        "published": "2016-03-10",
        "article_url": "https://example.org/R44135.pdf",
    }

    created = editor_api.post(reverse("api:source-list"), body, format="json")
    refused = editor_api.post(reverse("api:source-list"), {**body, "slug": "other", "kind": "blog"}, format="json")

    assert created.status_code == 201, created.json()
    assert {name: created.json()[name] for name in ("kind", "report_number", "edition", "text_sha256")} == {
        "kind": "research_report",
        "report_number": "R44135",
        "edition": "2016-03-10",
        "text_sha256": None,
    }
    assert refused.status_code == 400 and list(refused.json()) == ["kind"]
