"""Two editors on one admin change form: the later save is refused, naming who changed it (finding 1)."""

import threading

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client

from contributions.models.citations import Citation
from contributions.models.contributions import Contribution
from tests.factories import ContributionFactory
from tests.test_admin import MODELS, admin_url, change_form_data


@pytest.fixture
def two_editors(editor):
    other = User.objects.create_user("amina", password="x", first_name="Amina", last_name="Diallo", is_staff=True)
    other.groups.add(Group.objects.get(name="Editors"))
    first, second = Client(), Client()
    first.force_login(other)
    second.force_login(editor)
    return first, second


def test_the_second_of_two_saves_of_one_change_form_is_refused_with_who_and_when(two_editors, cast):
    first, second = two_editors
    url = admin_url("contribution", "change", cast["carrier"].pk)
    data_first = change_form_data(first.get(url))
    data_second = change_form_data(second.get(url))

    assert first.post(url, {**data_first, "description": "First editor's note"}).status_code == 302
    response = second.post(url, {**data_second, "description": "Second editor's note"})

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "Amina Diallo at " in errors
    assert "changed this record after you opened it. Nothing was saved" in errors
    assert Contribution.objects.get(pk=cast["carrier"].pk).description == "First editor's note"


def test_a_form_opened_after_the_other_save_saves(two_editors, cast):
    first, second = two_editors
    url = admin_url("contribution", "change", cast["carrier"].pk)
    assert first.post(url, {**change_form_data(first.get(url)), "description": "One"}).status_code == 302
    assert second.post(url, {**change_form_data(second.get(url)), "description": "Two"}).status_code == 302
    assert Contribution.objects.get(pk=cast["carrier"].pk).description == "Two"


@pytest.mark.parametrize("model", MODELS)
def test_every_model_admin_form_carries_the_version_it_was_opened_at(model):
    from django.contrib.admin import site

    model_admin = next(admin for cls, admin in site._registry.items() if cls._meta.model_name == model)
    fields = {name for _, options in model_admin.get_fieldsets(None, obj=object()) for name in options["fields"]}
    assert "opened_version" in fields


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("edit", ["record", "inline citation"])
def test_two_editors_saving_at_the_same_moment_on_postgresql_save_one_edit(two_editors, cast, edit):
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    first, second = two_editors
    url = admin_url("contribution", "change", cast["carrier"].pk)
    forms = [change_form_data(first.get(url)), change_form_data(second.get(url))]
    field = "description" if edit == "record" else citation_key(forms[0], "note")
    start = threading.Barrier(2)
    codes = {}

    def save(index, client):
        start.wait()
        codes[index] = client.post(url, {**forms[index], field: f"Note {index}"}).status_code
        connection.close()

    threads = [threading.Thread(target=save, args=(i, c)) for i, c in enumerate(two_editors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes.values()) == [200, 302]
    saved = next(i for i, code in codes.items() if code == 302)
    carrier = Contribution.objects.get(pk=cast["carrier"].pk)
    stored = carrier.description if edit == "record" else carrier.citations.get().note
    assert stored == f"Note {saved}"


def citation_key(data, field):
    """The posted name of the first inline citation's field (citations-0-note, say)."""
    (key,) = [key for key in data if key.startswith("citations-0-") and key.endswith(f"-{field}")]
    return key


def test_a_second_save_changing_only_an_inline_citation_is_refused(two_editors, cast):
    first, second = two_editors
    url = admin_url("contribution", "change", cast["carrier"].pk)
    data_first, data_second = change_form_data(first.get(url)), change_form_data(second.get(url))
    note = citation_key(data_first, "note")

    assert first.post(url, {**data_first, note: "First editor's note"}).status_code == 302
    response = second.post(url, {**data_second, note: "Second editor's note"})

    assert response.status_code == 200
    assert "Amina Diallo at " in " ".join(response.context["adminform"].form.non_field_errors())
    assert cast["carrier"].citations.get().note == "First editor's note"


def test_an_inline_save_over_a_citation_changed_on_its_own_page_is_refused(two_editors, cast):
    # The other editor changes the quote where it is its own record: the contribution's row is untouched.
    first, second = two_editors
    citation = cast["carrier"].citations.get()
    url = admin_url("contribution", "change", cast["carrier"].pk)
    data_second = change_form_data(second.get(url))
    citation_url = admin_url("citation", "change", citation.pk)
    edited = {**change_form_data(first.get(citation_url)), "note": "Checked against the article"}
    assert first.post(citation_url, edited).status_code == 302
    before = Contribution.objects.get(pk=cast["carrier"].pk).updated

    response = second.post(url, {**data_second, citation_key(data_second, "note"): "Overwritten"})

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "Amina Diallo at " in errors and "Nothing was saved" in errors
    citation.refresh_from_db()
    assert citation.note == "Checked against the article"
    assert Contribution.objects.get(pk=cast["carrier"].pk).updated == before


def test_a_citation_added_elsewhere_refuses_a_form_opened_before(two_editors, cast):
    first, second = two_editors
    url = admin_url("contribution", "change", cast["carrier"].pk)
    data_second = change_form_data(second.get(url))
    Citation.objects.create(source=cast["voa"], contribution=cast["carrier"], quote="Another quote.")
    assert second.post(url, {**data_second, "description": "Edited"}).status_code == 200
    assert Contribution.objects.get(pk=cast["carrier"].pk).description != "Edited"


def test_a_readonly_inline_changing_elsewhere_does_not_refuse_the_form(two_editors, cast):
    # A nation's contributions are listed, not edited, on its page: a new one is no conflict.
    first, second = two_editors
    url = admin_url("nation", "change", cast["france"].pk)
    data = change_form_data(second.get(url))
    ContributionFactory(nation=cast["france"])
    assert second.post(url, {**data, "notes": "Edited"}).status_code == 302
