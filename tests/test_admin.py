"""The editors' admin: every page renders for an editor, only editors get in, and bad input saves nothing."""

import pytest
from django import forms
from django.contrib.admin import site
from django.contrib.auth.models import Group, Permission, User
from django.core.management import CommandError, call_command
from django.urls import reverse

from contributions.models import (
    CapabilityRequest,
    Citation,
    Contribution,
    Figure,
    LineLead,
    LineOfEffort,
    Meeting,
    Nation,
    Official,
    Participation,
    Source,
)
from tests.factories import (
    CapabilityRequestFactory,
    CitationFactory,
    ContributionFactory,
    FigureFactory,
    MeetingFactory,
    NationFactory,
    OfficialFactory,
    ParticipationFactory,
    SourceFactory,
)

PASSWORD = "correct horse battery staple"


@pytest.fixture
def records(cast):
    """One saved record of every content model, plus a few more so list pages show several rows."""
    germany = NationFactory(country="DE", name="Germany")
    participation = ParticipationFactory(meeting=cast["brussels"], nation=cast["france"])
    figure = FigureFactory(meeting=cast["brussels"])
    request = CapabilityRequestFactory(meeting=cast["brussels"], official=cast["le_drian"])
    ContributionFactory(nation=germany, meeting=cast["brussels"], official=OfficialFactory(nation=germany))
    for target in ({"participation": participation}, {"figure": figure}, {"capability_request": request}):
        CitationFactory(contribution=None, **target)
    CitationFactory(contribution=None, nation=germany)
    CitationFactory(contribution=None, meeting=cast["brussels"])
    CitationFactory(contribution=None, official=cast["le_drian"])
    citation = cast["carrier"].citations.get()
    return {
        "source": citation.source,
        "nation": cast["france"],
        "official": cast["le_drian"],
        "meeting": cast["brussels"],
        "participation": participation,
        "figure": figure,
        "contribution": cast["carrier"],
        "capabilityrequest": request,
        "lineofeffort": cast.police_line,
        "linelead": cast.italy_leads_police,
        "statusevent": cast.carrier.events.first(),
        "citation": citation,
    }


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def admin_url(model, view, *args):
    return reverse(f"admin:contributions_{model}_{view}", args=args)


def form_data(form, prefix=""):
    """What a browser would post back for an unbound or bound form, as the test client wants it."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            data[f"{prefix}{name}"] = [str(item) for item in value or []]
        elif isinstance(value, bool):
            if value:
                data[f"{prefix}{name}"] = "on"
        else:
            data[f"{prefix}{name}"] = "" if value is None else str(value)
    return data


def change_form_data(response):
    """The change form as the page shows it, every inline included: post it back to save it unchanged."""
    context = response.context
    data = form_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_data(formset.management_form, f"{formset.prefix}-"))
        for form in formset.initial_forms:
            data.update(form_data(form, f"{form.prefix}-"))
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(len(formset.initial_forms))
    return data


MODELS = [
    "source",
    "nation",
    "official",
    "meeting",
    "participation",
    "figure",
    "contribution",
    "capabilityrequest",
    "lineofeffort",
    "linelead",
    "statusevent",
    "citation",
]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("view", ["changelist", "add", "change", "history"])
def test_every_admin_page_renders_for_an_editor(editor_client, records, model, view):
    args = [] if view in ("changelist", "add") else [records[model].pk]
    response = editor_client.get(admin_url(model, view, *args))
    assert response.status_code == 200


# Every changelist costs the same queries however many rows it shows (the records fixture has
# several of each, with every kind of citation target). Common to all seven:
#   1 session, 2 user, 3 the user's own permissions, 4 the user's group permissions,
#   5 count of the filtered rows, 6 count of all rows (the "N total" link),
#   7 the page of rows, with list_select_related joined in and counts annotated.
# Then, per list: a date hierarchy reads the date range and the distinct dates in it (+2), a
# RelatedOnlyFieldListFilter reads the related records in use (+1), and a filter on a plain
# column (source outlet) reads its distinct values (+1).
CHANGELIST_QUERIES = {
    "source": 10,  # + date hierarchy, + outlets
    "nation": 7,
    "official": 8,  # + nations that have officials
    "meeting": 9,  # + date hierarchy
    "participation": 7,
    "figure": 7,
    "contribution": 10,  # + date hierarchy, + the theatres to filter by
    "capabilityrequest": 9,  # + date hierarchy
    "lineofeffort": 7,
    "linelead": 8,  # + the lines, to filter by
    "statusevent": 9,  # + date hierarchy, over a nullable date
    "citation": 8,  # + outlets
}


@pytest.mark.parametrize("model", MODELS)
def test_changelists_run_a_fixed_number_of_queries(editor_client, records, model, django_assert_num_queries):
    url = admin_url(model, "changelist")
    with django_assert_num_queries(CHANGELIST_QUERIES[model]):
        response = editor_client.get(url)
    assert response.status_code == 200


def test_the_admin_names_the_product_not_django(editor_client):
    response = editor_client.get(reverse("admin:index"))
    content = response.content.decode()
    assert "Coalition Contributions Tracker" in content
    assert "Django administration" not in content
    assert "Django site admin" not in content


def test_the_login_page_names_the_product(client, db):
    content = client.get(reverse("admin:login")).content.decode()
    assert "Coalition Contributions Tracker" in content
    assert "Django administration" not in content


def test_anonymous_visitors_are_sent_to_the_login_page(client, records):
    for url in (reverse("admin:index"), admin_url("contribution", "changelist"), admin_url("contribution", "add")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_staff_outside_the_editors_group_is_refused(client, records):
    staff = User.objects.create_user("intern", password=PASSWORD, is_staff=True)
    client.force_login(staff)
    assert client.get(admin_url("contribution", "changelist")).status_code == 403
    assert client.get(admin_url("contribution", "change", records["contribution"].pk)).status_code == 403
    assert client.get(admin_url("contribution", "import")).status_code == 403


def test_an_account_without_staff_status_cannot_use_the_admin(client, reader, records):
    client.force_login(reader)
    response = client.get(admin_url("contribution", "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def contribution_post(nation, source, **changes):
    """A new contribution with one citation, as the add form posts it."""
    data = {
        "nation": nation.pk,
        "status": "pledged",
        "category": "military",
        "capability": "aircraft",
        "description": "Six Rafale jets sent to Jordan",
        "quantity": "6",
        "quantity_before": "",
        "unit": "aircraft",
        "amount": "",
        "currency": "",
        "amount_basis": "",
        "announced": "2016-02-11",
        "announced_precision": "day",
        "meeting": "",
        "official": "",
        # The fields of issue 14, as the form's defaults post them.
        "quantity_qualifier": "exact",
        "started_precision": "day",
        "ended_precision": "day",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "citations-0-source": source.pk,
        "citations-0-quote": "France will send six Rafale jets to Jordan.",
        "citations-0-note": "",
    }
    data.update(changes)
    return data


def test_an_editor_adds_a_contribution_with_its_citation(editor_client, cast, editor):
    source = SourceFactory()
    response = editor_client.post(admin_url("contribution", "add"), contribution_post(cast["france"], source))
    assert response.status_code == 302, response.context["adminform"].form.errors
    contribution = Contribution.objects.get(description="Six Rafale jets sent to Jordan")
    assert contribution.nation == cast["france"]
    assert contribution.citations.get().source == source


def test_an_editor_changes_a_status_by_adding_a_status_event_inline(editor_client, cast):
    url = admin_url("contribution", "change", cast["police"].pk)
    data = change_form_data(editor_client.get(url))
    data.update(
        {
            "events-TOTAL_FORMS": str(int(data["events-TOTAL_FORMS"]) + 1),
            f"events-{data['events-TOTAL_FORMS']}-status": "ended",
            f"events-{data['events-TOTAL_FORMS']}-date": "2016-06-01",
            f"events-{data['events-TOTAL_FORMS']}-date_precision": "month",
            f"events-{data['events-TOTAL_FORMS']}-quantity_qualifier": "exact",
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    cast["police"].refresh_from_db()
    assert cast["police"].status == "ended"
    assert [e.status for e in cast["police"].events.in_order()][-1] == "ended"


def test_an_editor_attaches_a_second_citation(editor_client, cast):
    url = admin_url("contribution", "change", cast["police"].pk)
    data = change_form_data(editor_client.get(url))
    source = SourceFactory()
    data.update(
        {
            "citations-TOTAL_FORMS": "2",
            "citations-1-source": source.pk,
            "citations-1-quote": "Italy leads the training of Iraqi police.",
            "citations-1-note": "",
        }
    )
    assert editor_client.post(url, data).status_code == 302
    assert cast["police"].citations.count() == 2


def test_an_editor_changes_a_nation_shown_with_its_contributions(editor_client, cast):
    france = cast["france"]
    url = admin_url("nation", "change", france.pk)
    response = editor_client.get(url)
    assert "Charles de Gaulle carrier deployed" in response.content.decode()  # the read-only summary
    data = change_form_data(response)
    data.update(
        {
            "notes": "Second-largest air contribution.",
            "citations-TOTAL_FORMS": "1",
            "citations-0-source": SourceFactory().pk,
            "citations-0-quote": "France is the second-largest contributor.",
        }
    )
    assert editor_client.post(url, data).status_code == 302
    france.refresh_from_db()
    assert france.notes == "Second-largest air contribution."
    assert france.contributions.count() == 1


def test_an_amount_without_a_currency_is_shown_next_to_the_field_and_nothing_is_saved(editor_client, cast):
    before = (Contribution.objects.count(), Citation.objects.count())
    data = contribution_post(cast["italy"], SourceFactory(), amount="5000000", currency="")
    response = editor_client.post(admin_url("contribution", "add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["currency"] == ["An amount needs a currency."]
    # The admin renders it inside the currency field's row.
    assert 'class="form-row errors field-currency"' in response.content.decode()
    assert (Contribution.objects.count(), Citation.objects.count()) == before


def test_a_contribution_without_a_citation_is_refused(editor_client, cast):
    data = contribution_post(cast["italy"], SourceFactory(), **{"citations-TOTAL_FORMS": "0"})
    response = editor_client.post(admin_url("contribution", "add"), data)
    assert response.status_code == 200
    assert "Add a citation: every fact needs a source" in response.content.decode()
    assert not Contribution.objects.filter(description="Six Rafale jets sent to Jordan").exists()


def test_the_last_citation_of_a_record_cannot_be_deleted_from_its_page(editor_client, cast):
    url = admin_url("contribution", "change", cast["police"].pk)
    data = change_form_data(editor_client.get(url))
    data["citations-0-DELETE"] = "on"
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert cast["police"].citations.count() == 1


def test_a_negative_quantity_is_refused_and_nothing_is_saved(editor_client, cast):
    before = (Contribution.objects.count(), Citation.objects.count())
    response = editor_client.post(
        admin_url("contribution", "add"), contribution_post(cast["italy"], SourceFactory(), quantity="-4")
    )
    assert response.status_code == 200
    assert "Quantity cannot be negative." in str(response.context["adminform"].form.errors)
    assert (Contribution.objects.count(), Citation.objects.count()) == before


def test_a_quantity_without_a_unit_is_shown_next_to_the_unit(editor_client, cast):
    response = editor_client.post(
        admin_url("contribution", "add"), contribution_post(cast["italy"], SourceFactory(), unit="")
    )
    assert response.context["adminform"].form.errors["unit"] == ["A quantity needs a unit."]


def test_a_tenure_that_ends_before_it_starts_is_refused(editor_client, cast):
    official = cast["le_drian"]
    url = admin_url("official", "change", official.pk)
    data = change_form_data(editor_client.get(url))
    data.update({"tenure_start": "2016-01-01", "tenure_end": "2015-01-01"})
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["tenure_end"] == ["Tenure cannot end before it starts."]
    official.refresh_from_db()
    assert official.tenure_end is None


def test_a_planned_meeting_refuses_an_attendance_figure_in_its_inline(editor_client, db):
    meeting = MeetingFactory(status=Meeting.Status.PLANNED, title="Planned ministerial")
    url = admin_url("meeting", "change", meeting.pk)
    data = change_form_data(editor_client.get(url))
    data.update(
        {
            "title": "Renamed ministerial",
            "figures-TOTAL_FORMS": "1",
            "figures-0-metric": "countries_represented",
            "figures-0-qualifier": "exact",
            "figures-0-value": "30",
            "figures-0-label": "countries represented",
            "figures-0-as_of_precision": "day",
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "A planned meeting has no attendance yet" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.title == "Planned ministerial"
    assert not Figure.objects.exists()


def test_a_citation_must_support_exactly_one_record(editor_client, cast):
    source = SourceFactory()
    base = {"source": source.pk, "quote": "A verbatim quote.", "note": ""}
    url = admin_url("citation", "add")
    response = editor_client.post(url, base)
    assert "A citation supports exactly one record." in str(response.context["adminform"].form.errors)
    response = editor_client.post(url, {**base, "nation": cast["france"].pk, "contribution": cast["carrier"].pk})
    assert "Choose exactly one record" in str(response.context["adminform"].form.errors)
    assert not Citation.objects.filter(source=source).exists()


def test_an_editor_cannot_delete_a_nation_but_can_delete_a_citation(editor_client, cast):
    assert editor_client.get(admin_url("nation", "delete", cast["france"].pk)).status_code == 403
    citation = cast["police"].citations.get()
    response = editor_client.post(admin_url("citation", "delete", citation.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Citation.objects.filter(pk=citation.pk).exists()


# --- The Editors group ------------------------------------------------------------------------------


def group_codenames():
    group = Group.objects.get(name="Editors")
    return {(p.content_type.app_label, p.codename) for p in group.permissions.select_related("content_type")}


def test_a_fresh_database_has_the_editors_group_with_exactly_the_intended_permissions(db):
    # Written out, not built from contributions/signals.py's lists: a test computed from the code's own
    # constants would agree with any change to them.
    expected = {
        ("contributions", codename)
        for codename in [
            "add_source",
            "change_source",
            "view_source",
            "add_nation",
            "change_nation",
            "view_nation",
            "add_official",
            "change_official",
            "view_official",
            "add_meeting",
            "change_meeting",
            "view_meeting",
            "add_participation",
            "change_participation",
            "view_participation",
            "delete_participation",
            "add_figure",
            "change_figure",
            "view_figure",
            "delete_figure",
            "add_contribution",
            "change_contribution",
            "view_contribution",
            "delete_contribution",
            "add_capabilityrequest",
            "change_capabilityrequest",
            "view_capabilityrequest",
            "delete_capabilityrequest",
            # A line of effort is what leads and contributions refer to; a lead, like a participation,
            # is removed when a source proves it wrong.
            "add_lineofeffort",
            "change_lineofeffort",
            "view_lineofeffort",
            "add_linelead",
            "change_linelead",
            "view_linelead",
            "delete_linelead",
            # A partner's role as of a date: a wrong one is deleted, the role before it stands again.
            "add_rolestatement",
            "change_rolestatement",
            "view_rolestatement",
            "delete_rolestatement",
            # A contribution's status event: a wrong one is deleted, and the state before it stands again.
            "add_statusevent",
            "change_statusevent",
            "view_statusevent",
            "delete_statusevent",
            "add_citation",
            "change_citation",
            "view_citation",
            "delete_citation",
            # A source's archived text: replaced, never deleted, so its quotes keep a text to be checked against.
            "add_sourcetext",
            "change_sourcetext",
            "view_sourcetext",
        ]
    }
    assert len(expected) == 50
    # Sources, nations, officials and meetings are what other records refer to: editors cannot delete them.
    # Nothing on history tables, tokens, users or lockouts either.
    assert group_codenames() == expected


def test_setup_editors_is_idempotent_and_repairs_the_group(db):
    expected = group_codenames()
    group = Group.objects.get(name="Editors")
    group.permissions.remove(Permission.objects.get(codename="change_contribution"))
    group.permissions.add(Permission.objects.get(codename="delete_nation"))
    call_command("setup_editors", verbosity=0)
    call_command("setup_editors", verbosity=0)
    assert Group.objects.filter(name="Editors").count() == 1
    assert group_codenames() == expected


def test_setup_editors_creates_the_group_when_it_is_missing(db):
    Group.objects.filter(name="Editors").delete()
    call_command("setup_editors", verbosity=0)
    assert "change_contribution" in {codename for _, codename in group_codenames()}


# --- create_editor ----------------------------------------------------------------------------------


def test_create_editor_makes_a_staff_account_in_editors_that_is_not_a_superuser(db, monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", PASSWORD)
    call_command("create_editor", "amira", "--email", "amira@example.org")
    user = User.objects.get(username="amira")
    assert user.is_staff and not user.is_superuser
    assert user.email == "amira@example.org"
    assert user.check_password(PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert user.has_perm("contributions.change_contribution")
    assert not user.has_perm("contributions.delete_nation")


def test_create_editor_refuses_a_weak_password(db, monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", "password")
    with pytest.raises(CommandError, match="Password refused: .*too common"):
        call_command("create_editor", "amira")
    assert not User.objects.filter(username="amira").exists()


def test_create_editor_refuses_an_existing_username(db, editor, monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_editor", "Editor")
    assert User.objects.count() == 1


def test_create_editor_without_a_terminal_asks_for_editor_password(db, monkeypatch):
    monkeypatch.delenv("EDITOR_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="EDITOR_PASSWORD"):
        call_command("create_editor", "amira")


def test_create_editor_prompts_twice_and_refuses_different_passwords(db, monkeypatch):
    monkeypatch.delenv("EDITOR_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="differ"):
        call_command("create_editor", "amira")
    answers = iter([PASSWORD, PASSWORD])
    call_command("create_editor", "amira")
    assert User.objects.get(username="amira").check_password(PASSWORD)


def test_an_editor_adds_an_official(editor_client, cast):
    url = admin_url("official", "add")
    data = change_form_data(editor_client.get(url))
    data.update(
        {
            "name": "Ashton Carter",
            "slug": "ashton-carter",
            "title": "US Secretary of Defense",
            "nation": NationFactory(country="US", name="United States", role="lead").pk,
            "tenure_start": "2015-02-17",
            "citations-TOTAL_FORMS": "1",
            "citations-0-source": SourceFactory().pk,
            "citations-0-quote": "Defense Secretary Ash Carter",
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Official.objects.get(slug="ashton-carter").nation.code == "US"


@pytest.mark.parametrize(
    "model",
    [
        Source,
        Nation,
        Official,
        Meeting,
        Participation,
        Figure,
        Contribution,
        CapabilityRequest,
        LineOfEffort,
        LineLead,
        Citation,
    ],
)
def test_every_editable_field_is_on_the_admin_form(model):
    # A field added to a model but left out of its fieldsets would be impossible to edit.
    model_admin = site._registry[model]
    on_form = {name for _, options in model_admin.get_fieldsets(None) for name in options["fields"]}
    editable = {
        field.name for field in model._meta.get_fields() if getattr(field, "editable", False) and not field.auto_created
    }
    editable -= {"updated", "nations"}  # set by the database; nations are edited as participations
    assert editable - on_form == set()


def test_an_editor_adds_a_line_of_effort_with_its_lead_and_what_serves_it_then_cites_the_lead(editor_client, cast):
    url = admin_url("lineofeffort", "add")
    data = change_form_data(editor_client.get(url))
    data.update(
        {
            "name": "Stopping the flow of foreign terrorist fighters",
            "slug": "foreign-fighters",
            "order": "3",
            "contributions": [str(cast.dutch_strikes.pk)],
            "requests": [],
            "leads-TOTAL_FORMS": "2",
            "leads-0-partner": cast.netherlands.pk,
            "leads-1-partner": NationFactory(country="TR", name="Turkey").pk,
            "citations-TOTAL_FORMS": "1",
            "citations-0-source": cast.voa.pk,
            "citations-0-quote": "Stopping the flow of foreign terrorist fighters.",
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    line = LineOfEffort.objects.get(slug="foreign-fighters")
    assert [lead.partner.code for lead in line.leads.all()] == ["NL", "TR"]
    assert list(line.contributions.all()) == [cast.dutch_strikes]

    lead = line.leads.get(partner=cast.netherlands)
    url = admin_url("linelead", "change", lead.pk)
    data = change_form_data(editor_client.get(url))
    data.update(
        {
            "citations-TOTAL_FORMS": "1",
            "citations-0-source": cast.voa.pk,
            "citations-0-quote": "Led by the Netherlands and Turkey.",
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert lead.citations.get().quote == "Led by the Netherlands and Turkey."


def test_a_line_lead_cannot_be_saved_without_a_citation_on_its_own_page(editor_client, cast):
    url = admin_url("linelead", "add")
    data = change_form_data(editor_client.get(url))
    data.update({"line": cast.campaign_line.pk, "partner": cast.us.pk})
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert not LineLead.objects.filter(line=cast.campaign_line).exists()
