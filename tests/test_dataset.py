"""The curated dataset in fixtures/ is data in its own right: it loads cleanly and idempotently, every record
is backed by a verbatim quote from its article, and it answers researchers' questions as the articles do."""

import datetime
import os
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from contributions.management.commands.load_curated import FIXTURES
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
    RoleStatement,
    Source,
    SourceText,
    StatusEvent,
)

# The numbers reported with the dataset; change them only together with the fixtures.
EXPECTED_COUNTS = {
    Source: 5,
    Nation: 19,
    Official: 17,
    Meeting: 11,
    Participation: 27,
    Figure: 13,
    Contribution: 24,
    CapabilityRequest: 17,
    LineOfEffort: 6,
    LineLead: 3,
    RoleStatement: 6,
    # One per contribution, and France's 12 jets before the carrier's 38.
    StatusEvent: 25,
    Citation: 232,
}
# Of those citations, the ones sharing words another stores (one sentence supporting several records);
# each status event shares its contribution's.
SHARED = 82
STORED = EXPECTED_COUNTS[Citation] - SHARED
CITED_MODELS = [
    StatusEvent,
    Nation,
    Official,
    Meeting,
    Participation,
    Figure,
    Contribution,
    CapabilityRequest,
    LineOfEffort,
    LineLead,
    RoleStatement,
]

# Page furniture in the captures: none of it is data, so no quote may contain it.
FURNITURE = ["%shareLinks", "READ MORE", "RELATED:", "More from", "FILE - ", "Close [ x ]", "InsideGov", "IMG_"]

BRUSSELS = "2016-02-brussels-defense-ministerial"
STUTTGART = "2016-05-stuttgart-counter-isil-ministerial"


@pytest.fixture
def dataset(db):
    """The curated fixtures, loaded into the test database as the Makefile loads them."""
    call_command("loaddata", *FIXTURES, verbosity=0)


def article_texts_folder():
    """settings.SOURCES_DIR. Missing, it fails the test in CI, where the texts must be checked; elsewhere it skips."""
    folder = Path(settings.SOURCES_DIR)
    if not folder.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"no article texts at {folder}: in CI, verify_citations must run against them")
        pytest.skip(f"no article texts at {folder}")
    return folder


@pytest.fixture
def article_texts(dataset, tmp_path):
    """A copy of the real article texts, to tamper with."""
    copy = tmp_path / "sources"
    shutil.copytree(article_texts_folder(), copy)
    return copy


def counts():
    return {model: model.objects.count() for model in EXPECTED_COUNTS}


def verify(directory):
    """Run verify_citations; return (stdout, stderr), or raise CommandError as the command does."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_citations", str(directory), stdout=out, stderr=err)
    except CommandError as error:
        error.stderr = err.getvalue()
        raise
    return out.getvalue(), err.getvalue()


# --- Loading ------------------------------------------------------------------------------------------------


def test_loading_the_fixtures_again_duplicates_nothing(db):
    # How long loading takes is for the benchmark (make bench), not for a test on a shared machine.
    call_command("loaddata", *FIXTURES, verbosity=0)
    first = counts()
    assert first == EXPECTED_COUNTS

    call_command("loaddata", *FIXTURES, verbosity=0)

    assert counts() == first


def test_the_dataset_has_exactly_the_reported_number_of_records_of_each_kind(dataset):
    assert {model.__name__: n for model, n in counts().items()} == {
        model.__name__: n for model, n in EXPECTED_COUNTS.items()
    }


def test_every_record_passes_full_validation_so_every_status_category_and_role_is_valid(dataset):
    for model in EXPECTED_COUNTS:
        for record in model.objects.all():
            record.full_clean()


# --- Citations ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", CITED_MODELS, ids=lambda model: model.__name__)
def test_every_record_of_each_kind_is_cited(dataset, model):
    uncited = model.objects.filter(citations__isnull=True)
    assert not uncited.exists(), f"uncited: {[str(record) for record in uncited]}"


def test_the_curated_lines_of_effort_have_the_leads_and_contributions_the_articles_name(dataset):
    leads = {line.slug: {lead.partner.code for lead in line.leads.all()} for line in LineOfEffort.objects.all()}
    assert leads == {
        "military-campaign": set(),
        "counter-finance": set(),
        "foreign-fighters": set(),
        "stabilization": {"DE", "AE"},
        "iraqi-police-training": {"IT"},
        "countering-ideology": set(),
    }
    stabilization = LineOfEffort.objects.get(slug="stabilization")
    assert {c.nation.code for c in stabilization.contributions.all()} == {"DE", "AE"}
    police = LineOfEffort.objects.get(slug="iraqi-police-training")
    assert [c.category for c in police.contributions.all()] == ["police_training"]
    assert {r.capability for r in police.requests.all()} == {"police_trainers"}
    # Each lead is cited by the sentence naming it as a lead.
    for lead in LineLead.objects.all():
        assert all(f"led by {lead.partner.name}" in c.words or "the UAE" in c.words for c in lead.citations.all())


def test_every_contribution_is_cited(dataset):
    assert not Contribution.objects.filter(citations__isnull=True).exists()


def test_every_source_is_cited(dataset):
    assert not Source.objects.filter(citations__isnull=True).exists()


def test_every_citation_supports_exactly_one_record(dataset):
    for citation in Citation.objects.all():
        chosen = [name for name in Citation.TARGETS if getattr(citation, f"{name}_id")]
        assert len(chosen) == 1, citation.pk


def test_quotes_are_short_and_never_page_furniture(dataset):
    for citation in Citation.objects.holding_words():
        assert 0 < len(citation.quote) <= 300, citation.pk
        assert "\n" not in citation.quote, citation.pk
        for furniture in FURNITURE:
            assert furniture not in citation.quote, (citation.pk, furniture)


def test_verify_citations_passes_against_the_article_texts(dataset):
    folder = article_texts_folder()

    out, err = verify(folder)

    assert f"All {STORED} citations verified against {EXPECTED_COUNTS[Source]} sources" in out
    assert f"{SHARED} more share words stored, and verified, once." in out
    assert err == ""


def test_it_fails_in_ci_when_the_article_texts_are_missing(dataset, settings, tmp_path, monkeypatch):
    settings.SOURCES_DIR = tmp_path / "absent"
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="no article texts at .*absent"):
        article_texts_folder()


def test_it_skips_outside_ci_when_the_article_texts_are_missing(dataset, settings, tmp_path, monkeypatch):
    settings.SOURCES_DIR = tmp_path / "absent"
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="no article texts at .*absent"):
        article_texts_folder()


def failures(directory):
    """The lines verify_citations reports on `directory`; fails the test if the command passes."""
    with pytest.raises(CommandError) as failure:
        verify(directory)
    return failure.value.stderr.splitlines()


def test_it_passes_on_an_untouched_copy_of_the_article_texts(article_texts):
    out, err = verify(article_texts)

    assert f"All {STORED} citations verified against {EXPECTED_COUNTS[Source]} sources" in out
    assert f"{SHARED} more share words stored, and verified, once." in out
    assert err == ""


def test_it_fails_on_a_tampered_quote_and_names_only_that_citation(article_texts):
    citation = Citation.objects.get(contribution__quantity=38, quote__contains="12 to 38")
    source_text = (article_texts / f"{citation.source.slug}.txt").read_text(encoding="utf-8")
    assert citation.quote in source_text
    citation.quote = citation.quote.replace("12 to 38", "12 to 40")
    citation.save()
    assert citation.quote not in source_text

    report = failures(article_texts)

    assert len(report) == 1
    assert report[0].startswith(f"Citation #{citation.pk} (supports contribution #{citation.contribution_id}): ")
    assert f"quote not found in the archived text of {citation.source.slug}" in report[0]
    # The editor sees what the text says where the quote differs.
    assert "Nearest passage: “" in report[0] and "12 to 38" in report[0]


def test_it_fails_when_a_real_article_text_is_changed_under_its_quotes(article_texts):
    source = Source.objects.get(slug__contains="voa")
    path = article_texts / f"{source.slug}.txt"
    text = path.read_text(encoding="utf-8")
    assert text.count("59 of the 65") == 1
    path.write_text(text.replace("59 of the 65", "58 of the 65"), encoding="utf-8")
    affected = list(source.citations.filter(quote__contains="59 of the 65").order_by("pk"))
    assert len(affected) == 2

    report = failures(article_texts)

    # The changed text is refused, naming both quotes it would break; the archive is left without it.
    assert len(report) == 1
    assert (
        report[0].startswith(f"Source {source.slug!r}: ")
        and "2 verified citation(s) would no longer match" in report[0]
    )
    assert all(f"#{citation.pk} “" in report[0] for citation in affected)
    assert not SourceText.objects.filter(source=source).exists()


def test_it_fails_when_a_real_quote_differs_only_in_case(article_texts):
    citation = Citation.objects.get(contribution__quantity=38, quote__contains="12 to 38")
    citation.quote = citation.quote.lower()
    citation.save()

    report = failures(article_texts)

    assert len(report) == 1 and report[0].startswith(f"Citation #{citation.pk} ")


def test_verify_citations_reports_a_missing_article_an_uncited_source_and_an_uncited_record(article_texts):
    reuters = Source.objects.get(slug__contains="reuters")
    (article_texts / f"{reuters.slug}.txt").unlink()
    Source.objects.create(
        slug="no-quotes",
        outlet="Nowhere",
        headline="Nothing",
        published=datetime.date(2016, 1, 1),
        url="https://example.org/",
    )
    (article_texts / "no-quotes.txt").write_text("", encoding="utf-8")
    lonely = Nation.objects.create(country="BE", name="Belgium", role="non_member")

    report = failures(article_texts)

    # Only the missing file is reported for Reuters, not each of its quotes.
    assert report == [
        f"Source 'no-quotes': {article_texts / 'no-quotes.txt'} is empty.",
        "Source 'no-quotes': no citations.",
        f"Source {reuters.slug!r}: no text file {reuters.slug}.txt in {article_texts}.",
        f"Partner #{lonely.pk} (Belgium): no citation.",
    ]


def test_verify_citations_fails_on_a_missing_folder(dataset, tmp_path):
    with pytest.raises(CommandError, match="Sources folder not found"):
        verify(tmp_path / "absent")


def test_verify_citations_runs_a_fixed_small_number_of_queries(article_texts, django_assert_max_num_queries):
    verify(article_texts)  # fills the archive: a save per text and per quote it checks

    # One query per kind of cited record is among them (the uncited ones): nine kinds.
    with django_assert_max_num_queries(12):
        call_command("verify_citations", stdout=StringIO(), stderr=StringIO())


def test_verify_citations_from_the_database_alone_passes_on_the_fixtures_recorded_fingerprints(dataset):
    out = StringIO()
    call_command("verify_citations", stdout=out)

    assert f"{STORED} more rest on their recorded fingerprints" in out.getvalue()
    assert Citation.objects.verified(False).count() == 0


# --- Researchers' questions, answered from the data and checked against the articles ---------------------------


def test_the_stuttgart_meeting_brought_together_the_us_and_eleven_allies(dataset):
    meeting = Meeting.objects.get(slug=STUTTGART)
    nations = set(meeting.participations.values_list("nation__country", flat=True))

    assert nations == {"US", "AU", "CA", "NZ", "GB", "DK", "FR", "DE", "IT", "NL", "NO", "ES"}
    assert meeting.participations.get(role="host").nation.code == "US"
    assert (meeting.city, meeting.date) == ("Stuttgart", datetime.date(2016, 5, 4))


def test_france_hosted_the_first_counter_isil_ministerial_in_paris_in_january_2016(dataset):
    first = Meeting.objects.filter(kind=Meeting.Kind.DEFENSE_MINISTERIAL, status=Meeting.Status.HELD).earliest("date")

    assert first.host.code == "FR"
    assert first.city == "Paris"
    assert (first.date.year, first.date.month) == (2016, 1)
    assert first.participations.get(role="host").nation.code == "FR"


def test_italy_is_the_nation_that_provides_police_training(dataset):
    trainers = Nation.objects.filter(contributions__category="police_training").distinct()

    assert [nation.code for nation in trainers] == ["IT"]


def test_french_aircraft_in_the_region_went_from_12_to_38(dataset):
    planes = Contribution.objects.get(nation__country="FR", unit="aircraft")

    assert (planes.quantity_before, planes.quantity) == (12, 38)


def test_the_brussels_attendance_figures_are_flagged_as_disputed(dataset):
    figures = Figure.objects.with_disputes().filter(meeting__slug=BRUSSELS, metric="countries_represented")

    # Defense One's 27 and Defense News's 49 cannot both be true; Reuters' "more than two dozen" fits either.
    assert {(figure.qualifier, figure.value): figure.disputed for figure in figures} == {
        ("more_than", 24): False,
        ("exact", 27): True,
        ("exact", 49): True,
    }
    # Figures that no other source contradicts stay undisputed.
    assert not Figure.objects.with_disputes().filter(meeting__isnull=True, disputed=True).exists()
    assert not Figure.objects.with_disputes().get(meeting__slug=BRUSSELS, metric="countries_invited").disputed


def test_norway_offered_special_forces_and_a_medical_unit_and_joined_in_may_2016(dataset):
    offers = Contribution.objects.filter(nation__country="NO", status=Contribution.Status.PLEDGED)

    assert set(offers.values_list("capability", flat=True)) == {"special_forces", "medical_unit"}
    norway = Nation.objects.get(country="NO")
    assert norway.joined_display == "May 2016"


def test_farkus_is_recorded_as_a_misspelling_of_farkas(dataset):
    farkas = Official.objects.get(name="Evelyn Farkas")

    assert "Evelyn Farkus" in farkas.name_variants
    assert "Farkus" in farkas.spelling_note and "Farkas" in farkas.spelling_note
    assert (farkas.tenure_start.year, farkas.tenure_end) == (2012, datetime.date(2015, 11, 1))
    assert farkas.citations.filter(quote__contains="Evelyn Farkus").exists()


def test_the_pentagon_cost_is_stored_in_us_dollars_as_a_total_and_a_daily_average(dataset):
    costs = Contribution.objects.filter(nation__country="US", currency="USD")

    assert {(c.amount, c.amount_basis) for c in costs} == {
        (Decimal("5400000000.00"), "total_to_date"),
        (Decimal("11400000.00"), "per_day"),
    }


def test_the_pentagon_cost_is_found_under_financial_and_with_the_coalition_wide_figures(dataset, client):
    # Spending is Financial, told apart from money given by its capability (the data dictionary's
    # "Cost of own operations").
    spent = client.get("/contributions/?category=financial&capability=campaign_cost").content.decode()
    assert "Department of Defense spending on the campaign" in spent
    assert "Average daily cost to the Department of Defense" in spent
    assert "2 contributions" in spent

    home = client.get("/").content.decode()
    coalition = home[home.index('id="figures-title"') : home.index('id="explore-title"')]
    assert "Spending on the campaign" in coalition
    assert "US$5,400,000,000 (total to date)" in coalition
    assert "US$11,400,000 (per day)" in coalition

    # The dictionary's download says where spending is filed.
    dictionary = b"".join(client.get("/api/v1/export/dictionary/?format=csv").streaming_content).decode()
    assert "campaign_cost" in dictionary and "Always filed under Financial" in dictionary


def test_the_only_planned_meetings_are_those_announced_and_not_reported_as_held(dataset):
    planned = set(Meeting.objects.filter(status=Meeting.Status.PLANNED).values_list("slug", flat=True))

    assert planned == {
        "2015-11-carter-le-drian-bilateral",
        "2015-11-obama-hollande-white-house",
        "2016-07-washington-coalition-ministerial",
        "2016-summer-senior-military-officials",
    }


def test_load_curated_loads_once_and_then_leaves_editors_work_alone(db):
    call_command("load_curated", verbosity=0)
    carrier = Contribution.objects.get(pk=1)
    carrier.description = "Corrected by an editor"
    carrier.save()
    figure = Figure.objects.first()
    figure.delete()

    call_command("load_curated", verbosity=0)

    assert Contribution.objects.get(pk=1).description == "Corrected by an editor"
    assert not Figure.objects.filter(pk=figure.pk).exists()


def test_load_curated_starts_every_record_with_one_created_entry_in_its_history(db):
    call_command("load_curated", verbosity=0)
    for model in (Source, Nation, Official, Meeting, Participation, Figure, Contribution, CapabilityRequest, Citation):
        entries = model.history.values_list("id", "history_type")
        assert sorted(entries) == sorted((pk, "+") for pk in model.objects.values_list("pk", flat=True)), model


def test_load_curated_with_force_reloads_over_editors_changes(db):
    call_command("load_curated", verbosity=0)
    Contribution.objects.filter(pk=1).update(description="Corrected by an editor")
    call_command("load_curated", "--force", verbosity=0)
    assert Contribution.objects.get(pk=1).description != "Corrected by an editor"


def test_load_curated_archives_the_texts_and_checks_every_quote_again_even_on_a_forced_reload(db):
    article_texts_folder()
    call_command("load_curated", verbosity=0)
    assert SourceText.objects.count() == EXPECTED_COUNTS[Source]
    assert not Citation.objects.holding_words().filter(context_before="", context_after="").exists()

    call_command("load_curated", "--force", verbosity=0)

    # The reload brings the fixtures' records without context; the archived texts give it back.
    assert not Citation.objects.holding_words().filter(context_before="", context_after="").exists()
    assert not Citation.objects.verified(False).exists()


def record_arguments(texts, fixtures):
    # As the README gives the command: the curated texts are taken as captured on the fixtures' date.
    return ["--texts", str(texts), "--fixtures", str(fixtures), "--captured", "2026-11-21T00:00:00Z"]


def test_the_fixtures_verification_records_are_those_record_verifications_writes_from_the_texts(tmp_path):
    folder = article_texts_folder()
    copy = tmp_path / "fixtures"
    shutil.copytree(Path(settings.BASE_DIR) / "fixtures", copy)

    call_command("record_verifications", *record_arguments(folder, copy), stdout=StringIO())

    committed = (Path(settings.BASE_DIR) / "fixtures" / "citations.json").read_text(encoding="utf-8")
    assert (copy / "citations.json").read_text(encoding="utf-8") == committed


def test_record_verifications_refuses_a_quote_not_in_its_text_and_writes_nothing(tmp_path):
    folder = article_texts_folder()
    copy = tmp_path / "fixtures"
    shutil.copytree(Path(settings.BASE_DIR) / "fixtures", copy)
    path = copy / "citations.json"
    path.write_text(path.read_text(encoding="utf-8").replace("12 to 38", "12 to 40"), encoding="utf-8")
    before = path.read_text(encoding="utf-8")

    with pytest.raises(CommandError, match="not in 2015-11-23-voa"):
        call_command("record_verifications", *record_arguments(folder, copy))

    assert path.read_text(encoding="utf-8") == before
