"""verify_citations, on a small world of its own: a quote must match its article character for character,
case and punctuation included (only whitespace may differ), and every kind of record must be cited.

Each test starts from a world the command passes, so a failure can only come from the one thing the
test changes, and checks that the report names exactly that.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

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

ARTICLE = (
    "BRUSSELS (Test Gazette) - France will send its aircraft carrier, Defense Minister Le Drian said on\n"
    "Thursday. Italy  leads the training of Iraqi police.\n"
    "The United States asked its allies for more intelligence, surveillance and reconnaissance.\n"
)
CARRIER = "France will send its aircraft carrier"
POLICE = "Italy  leads the training of Iraqi police."


def verify(folder):
    """Run verify_citations on `folder`; return stdout, or raise CommandError with the report as .stderr."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_citations", str(folder), stdout=out, stderr=err)
    except CommandError as error:
        error.stderr = err.getvalue()
        raise
    assert err.getvalue() == ""
    return out.getvalue()


def problems(folder):
    """The command's report, one problem a line; fails the test if the command passes."""
    with pytest.raises(CommandError) as failure:
        verify(folder)
    lines = failure.value.stderr.splitlines()
    assert str(failure.value) == f"{len(lines)} problem(s) found in the citations; see above."
    return lines


@pytest.fixture
def world(db, tmp_path):
    """One article and its text, a cited nation and a cited contribution: the command passes on it."""
    source = SourceFactory(slug="2016-02-11-test-gazette")
    (tmp_path / f"{source.slug}.txt").write_text(ARTICLE, encoding="utf-8")
    france = NationFactory(country="FR", name="France")
    CitationFactory(source=source, contribution=None, nation=france, quote="France")
    carrier = ContributionFactory(nation=france, description="Aircraft carrier")
    CitationFactory(source=source, contribution=carrier, quote=CARRIER)
    return {"folder": tmp_path, "source": source, "france": france, "carrier": carrier}


def test_it_passes_on_a_world_where_every_quote_is_verbatim_and_every_record_cited(world):
    out = verify(world["folder"])

    assert "All 2 citations verified against 1 sources' archived texts." in out


def test_it_passes_a_quote_that_keeps_the_articles_own_double_space(world):
    italy = NationFactory(country="IT", name="Italy")
    CitationFactory(source=world["source"], contribution=None, nation=italy, quote=POLICE)

    assert "All 3 citations verified" in verify(world["folder"])


@pytest.mark.parametrize(
    "quote",
    [
        pytest.param("france will send its aircraft carrier", id="lower-case"),
        pytest.param("FRANCE WILL SEND ITS AIRCRAFT CARRIER", id="upper-case"),
        pytest.param("France will send its Aircraft Carrier", id="title-case-inside"),
    ],
)
def test_it_fails_on_a_quote_that_differs_from_the_article_only_in_case(world, quote):
    assert quote.lower() == CARRIER.lower() and quote != CARRIER
    citation = CitationFactory(source=world["source"], contribution=world["carrier"], quote=quote)

    report = problems(world["folder"])

    assert len(report) == 1
    assert report[0].startswith(
        f"Citation #{citation.pk} (supports contribution #{world['carrier'].pk}): quote not found in the archived "
        f"text of 2016-02-11-test-gazette: “{quote}”. Nearest passage: “"
    )


@pytest.mark.parametrize(
    "quote",
    [
        # The article breaks the line after "on"; the quote puts a space there.
        pytest.param("Le Drian said on Thursday.", id="space-for-a-line-break"),
        # The article has two spaces after "Italy"; the quote one.
        pytest.param("Italy leads the training", id="one-space-for-two"),
        pytest.param("France  will send", id="two-spaces-for-one"),
        pytest.param("France will\tsend", id="tab-for-a-space"),
        pytest.param("France will send\u00a0its", id="no-break-space-for-a-space"),
        pytest.param("\nFrance will send", id="leading-line-break"),
    ],
)
def test_it_passes_a_quote_that_differs_from_the_article_only_in_whitespace(world, quote):
    assert " ".join(quote.split()) in " ".join(ARTICLE.split()) and quote not in ARTICLE
    italy = NationFactory(country="IT", name="Italy")
    citation = CitationFactory(source=world["source"], contribution=None, nation=italy, quote=quote)

    assert "All 3 citations verified" in verify(world["folder"])

    citation.refresh_from_db()
    assert citation.verified
    assert " ".join(ARTICLE[citation.quote_start : citation.quote_end].split()) == " ".join(quote.split())


@pytest.mark.parametrize(
    "quote",
    [
        pytest.param("France will send its aircraft carrier!", id="punctuation"),
        pytest.param("France will send its ‘aircraft carrier’", id="curly-quotes"),
    ],
)
def test_it_fails_on_a_quote_that_differs_from_the_article_in_anything_but_whitespace(world, quote):
    italy = NationFactory(country="IT", name="Italy")
    citation = CitationFactory(source=world["source"], contribution=None, nation=italy, quote=quote)

    report = problems(world["folder"])

    assert len(report) == 1 and report[0].startswith(f"Citation #{citation.pk} (supports nation #{italy.pk}): ")


def test_it_refuses_a_changed_article_text_that_would_break_a_verified_quote(world):
    verify(world["folder"])  # archives the text; the carrier's quote is verified against it
    path = world["folder"] / "2016-02-11-test-gazette.txt"
    path.write_text(ARTICLE.replace("aircraft carrier", "Aircraft Carrier"), encoding="utf-8")

    report = problems(world["folder"])

    citation = world["carrier"].citations.get()
    assert len(report) == 1
    assert report[0].startswith("Source '2016-02-11-test-gazette': ")
    assert f"#{citation.pk} “{CARRIER}”" in report[0]
    # The archive keeps the text the quote was verified against.
    assert world["source"].archive.text == ARTICLE


# --- Every kind of record must be cited --------------------------------------------------------------


def uncited_nation(world):
    return NationFactory(country="BE", name="Belgium", role="non_member"), "Partner", "Belgium"


def uncited_official(world):
    official = OfficialFactory(name="Jean-Yves Le Drian", title="Defense Minister", nation=world["france"])
    return official, "Official", "Jean-Yves Le Drian (Defense Minister)"


def uncited_meeting(world):
    meeting = MeetingFactory(title="Brussels ministerial")
    return meeting, "Meeting", "Brussels ministerial (11 February 2016)"


def uncited_participation(world):
    # Its meeting and nation are cited, so the participation is the only record without a citation.
    meeting = MeetingFactory(title="Cited ministerial")
    CitationFactory(source=world["source"], contribution=None, meeting=meeting, quote="BRUSSELS")
    participation = ParticipationFactory(meeting=meeting, nation=world["france"])
    return participation, "Participation", "France at Cited ministerial (participant)"


def uncited_figure(world):
    figure = FigureFactory(meeting=None, value=65, label="nations in the coalition", metric="coalition_members")
    return figure, "Figure", str(figure)


def uncited_contribution(world):
    contribution = ContributionFactory(nation=world["france"], description="Uncited trainers")
    return contribution, "Contribution", str(contribution)


def uncited_request(world):
    request = CapabilityRequestFactory(requested_by=world["france"])
    return request, "Capability request", "Intelligence, surveillance and reconnaissance requested by France"


# In the order the command checks them.
UNCITED = {
    "Nation": uncited_nation,
    "Official": uncited_official,
    "Meeting": uncited_meeting,
    "Participation": uncited_participation,
    "Figure": uncited_figure,
    "Contribution": uncited_contribution,
    "CapabilityRequest": uncited_request,
}


@pytest.mark.parametrize("kind", UNCITED)
def test_it_fails_naming_the_one_record_of_each_kind_that_has_no_citation(world, kind):
    record, label, shown = UNCITED[kind](world)
    assert str(record) == shown

    report = problems(world["folder"])

    assert report == [f"{label} #{record.pk} ({shown}): no citation."]


def test_it_fails_on_every_uncited_record_at_once_and_names_each(world):
    uncited = [build(world) for build in UNCITED.values()]

    report = problems(world["folder"])

    assert report == [f"{label} #{record.pk} ({shown}): no citation." for record, label, shown in uncited]


def test_it_fails_on_a_source_without_citations_or_without_a_text(world):
    SourceFactory(slug="no-text")
    silent = SourceFactory(slug="silent")
    (world["folder"] / "silent.txt").write_text(ARTICLE, encoding="utf-8")
    assert silent.citations.count() == 0

    report = problems(world["folder"])

    assert report == [
        f"Source 'no-text': no text file no-text.txt in {world['folder']}.",
        "Source 'no-text': no citations.",
        "Source 'silent': no citations.",
    ]
