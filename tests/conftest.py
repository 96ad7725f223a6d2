import datetime
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django_countries import countries

from contributions import search
from contributions.management.commands.load_curated import FIXTURES as CURATED_FIXTURES
from contributions.models import (
    Citation,
    Contribution,
    Figure,
    LineLead,
    LineOfEffort,
    Nation,
    Participation,
    RoleStatement,
    StatusEvent,
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
    add_event,
)


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Serve static files by their own names in tests.

    With DEBUG off, the production storage needs collectstatic's manifest before any page renders,
    and the live server used by browser tests finds files by their original names. One test in
    test_web.py runs collectstatic and renders every page with the production storage.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache, so throttles and cached pages never leak between tests."""
    from django.core.cache import cache

    from contributions.cache import forget

    cache.clear()
    forget()


@pytest.fixture
def curated(db):
    """The curated dataset from fixtures/, loaded into the test database, and its search index."""
    from django.core.management import call_command

    from contributions import search

    call_command("loaddata", *CURATED_FIXTURES, verbosity=0)
    search.rebuild()


class Cast(dict):
    """The cast's records by name, as attributes or as keys: cast.france is cast["france"]."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def grow(self, n):
        """Add n of every kind of record, each tied to the records the detail pages show.

        For query counts at scale: a page that runs a query per row shows it as a count that grows.
        """
        with search.deferred():
            return self._grow(n)

    def _grow(self, n):
        france, carter, brussels, reuters = self.france, self.carter, self.brussels, self.reuters
        taken = set(Nation.objects.values_list("country", flat=True))
        codes = [code for code, _ in countries if code not in taken][:n]
        for index, code in enumerate(codes):
            nation = NationFactory(country=code, role="military")
            contribution = ContributionFactory(
                nation=france if index % 2 else nation,
                meeting=brussels,
                official=carter,
                announced=datetime.date(2016, 1, 1) + datetime.timedelta(days=index),
            )
            for _ in range(2):
                CitationFactory(contribution=contribution, source=reuters)
            participation = ParticipationFactory(meeting=brussels, nation=nation)
            Citation.objects.create(source=reuters, participation=participation, quote="Attended.")
            figure = FigureFactory(meeting=brussels if index % 2 else None, metric="other", value=index, label="things")
            Citation.objects.create(source=reuters, figure=figure, quote=f"{index} things.")
            capability_request = CapabilityRequestFactory(requested_by=france, official=carter, meeting=brussels)
            Citation.objects.create(source=reuters, capability_request=capability_request, quote="Asked.")
            brussels.officials.add(OfficialFactory(nation=france))
            carter.meetings.add(MeetingFactory())
            Citation.objects.create(source=reuters, official=carter, quote=f"Quote {index}.")
            Citation.objects.create(source=reuters, meeting=brussels, quote=f"Meeting quote {index}.")
            Citation.objects.create(source=reuters, nation=france, quote=f"Nation quote {index}.")
            SourceFactory()
        return self


@pytest.fixture
def cast(db):
    # Indexed once, at the end: indexing on each of the cast's hundred saves was most of its cost.
    with search.deferred():
        return build_cast()


def build_cast():
    """One named cast of sample data, shaped like the curated dataset: enough for every part of every page.

    Eleven nations, three officials, four meetings (one planned), three sources and sixteen contributions,
    fifteen of them cited; participations, attendance and coalition-wide figures (some disputed),
    capability requests, two lines of effort (one led by Italy), and citations of every kind of record.
    One international organization, the European Union (cast.eu), with no contribution; Saudi Arabia's
    role in two statements. France has one contribution, the carrier, and no participation in Brussels:
    tests in test_admin.py and test_api.py count France's contributions and add that participation
    themselves (a second one would break the one-per-nation constraint).
    Each record is named (cast.brussels, cast.carrier, cast.isr, ...); cast.grow(n) adds n more of each kind.
    """
    reuters = SourceFactory(
        slug="2016-02-11-reuters-us-tells-allies",
        outlet="Reuters",
        headline="US tells allies campaign to defeat ISIS must be accelerated",
        published=datetime.date(2016, 2, 11),
    )
    defense_news = SourceFactory(
        slug="2016-02-09-defense-news-carter-heads-to-brussels",
        outlet="Defense News",
        headline="Carter heads to Belgium, ISIS coalition focus",
        headline_inferred=True,
        author="Aaron Mehta",
        published=datetime.date(2016, 2, 9),
        published_approximate=True,
        date_note="From the address; the capture prints no date.",
    )
    voa = SourceFactory(
        slug="2015-11-23-voa-us-pushes-for-more-ally-support",
        outlet="Voice of America",
        headline="US Pushes for More Ally Support in IS Fight, But Big Increases Called Unlikely",
        published=datetime.date(2015, 11, 23),
    )

    us = NationFactory(country="US", name="United States", role="lead", joined=datetime.date(2014, 9, 10))
    france = NationFactory(country="FR", name="France", role="military", joined=datetime.date(2014, 9, 15))
    italy = NationFactory(country="IT", name="Italy", role="military")
    uk = NationFactory(country="GB", name="United Kingdom", role="military")
    netherlands = NationFactory(country="NL", name="Netherlands", role="military")
    germany = NationFactory(country="DE", name="Germany", role="non_military")
    saudi = NationFactory(country="SA", name="Saudi Arabia", role="military")
    uae = NationFactory(country="AE", name="United Arab Emirates", role="military")
    canada = NationFactory(country="CA", name="Canada", role="military")
    japan = NationFactory(country="JP", name="Japan", role="non_military")
    iraq = NationFactory(country="IQ", name="Iraq", role="member")

    carter = OfficialFactory(slug="ash-carter", name="Ash Carter", title="U.S. Secretary of Defense", nation=us)
    le_drian = OfficialFactory(
        slug="jean-yves-le-drian",
        name="Jean-Yves Le Drian",
        title="French Defense Minister",
        nation=france,
        name_variants="Jean-Yves Le Driant",
        spelling_note="One source prints “Le Driant”; the minister's name is Le Drian.",
    )
    pinotti = OfficialFactory(
        slug="roberta-pinotti", name="Roberta Pinotti", title="Italian Defense Minister", nation=italy
    )

    paris = MeetingFactory(
        slug="paris-2016-01",
        title="Defence ministers of the seven leading contributors",
        city="Paris",
        host=france,
        date=datetime.date(2016, 1, 20),
    )
    brussels = MeetingFactory(
        slug="brussels-2016-02",
        title="Coalition defence ministerial",
        city="Brussels",
        venue="NATO headquarters",
        host=us,
        date=datetime.date(2016, 2, 11),
        description="The first meeting of defence ministers from the whole military coalition.",
        series="counter_isil_defence_ministerials",
    )
    stuttgart = MeetingFactory(
        slug="stuttgart-2016-05",
        title="Counter-ISIL coalition defence ministers",
        city="Stuttgart",
        kind="defense_ministerial",
        host=us,
        date=datetime.date(2016, 5, 4),
    )
    washington = MeetingFactory(
        slug="washington-2016-07",
        title="Joint meeting of foreign and defence ministers",
        city="Washington",
        kind="diplomatic_plenary",
        status="planned",
        date=datetime.date(2016, 7, 1),
        date_precision="month",
    )
    participations = {}
    for meeting, nations in (
        (paris, [us, france, italy, uk, netherlands, germany]),
        (brussels, [us, italy, uk, netherlands, germany, saudi, uae, canada, iraq]),
        (stuttgart, [us, france, italy, uk, germany, canada]),
    ):
        for nation in nations:
            role = Participation.Role.HOST if nation == meeting.host else Participation.Role.PARTICIPANT
            participations[nation, meeting] = ParticipationFactory(meeting=meeting, nation=nation, role=role)
    for nation in (saudi, uae):
        Citation.objects.create(
            source=reuters, participation=participations[nation, brussels], quote=f"{nation.name} attended the meeting."
        )
    brussels.officials.set([carter, le_drian, pinotti])
    paris.officials.set([carter, le_drian])

    at_the_table = FigureFactory(meeting=brussels, value=27, label="nations at the table", official=carter)
    represented = FigureFactory(meeting=brussels, value=26, label="countries represented", qualifier="about")
    for figure, source in ((at_the_table, reuters), (represented, defense_news)):
        Citation.objects.create(source=source, figure=figure, quote=f"{figure.value} countries were represented.")
    members = FigureFactory(meeting=None, metric=Figure.Metric.COALITION_MEMBERS, value=65, label="members")
    members_again = FigureFactory(meeting=None, metric=Figure.Metric.COALITION_MEMBERS, value=66, label="members")
    military_partners = FigureFactory(
        meeting=None, metric=Figure.Metric.MILITARY_PARTICIPANTS, value=59, out_of=65, label="military partners"
    )
    for figure, source in ((members, voa), (members_again, reuters), (military_partners, voa)):
        Citation.objects.create(source=source, figure=figure, quote=f"The coalition of {figure.value} nations.")

    def contribution(nation, category, capability, status, description, meeting=None, official=None, **fields):
        # Cited by the meeting's report when there was one, else by the survey of pledges.
        made = ContributionFactory(
            nation=nation,
            category=category,
            capability=capability,
            status=status,
            description=description,
            meeting=meeting,
            official=official,
            announced=meeting.date if meeting else datetime.date(2015, 11, 23),
            **fields,
        )
        CitationFactory(contribution=made, source=reuters if meeting else voa, quote=f"“{description}.”")
        return made

    aircraft, personnel = {"unit": "aircraft"}, {"unit": "personnel"}
    contributions = {
        "carrier": contribution(
            france,
            "military",
            "aircraft_carrier",
            "delivered",
            "Charles de Gaulle carrier deployed",
            brussels,
            le_drian,
            quantity=38,
            quantity_before=12,
            **aircraft,
        ),
        "uk_trainers": contribution(uk, "training", "trainers", "pledged", "More trainers for Iraqi forces", brussels),
        "police": contribution(
            italy,
            "police_training",
            "police_trainers",
            "delivered",
            "Leads training of Iraqi police",
            None,
            pinotti,
            quantity=450,
            **personnel,
        ),
        "money": contribution(
            italy,
            "financial",
            "funding",
            "under_consideration",
            "Possible increase of the financial commitment",
            brussels,
            pinotti,
            amount="1000000.00",
            currency="USD",
            amount_basis="one_off",
        ),
        "uk_strikes": contribution(
            uk,
            "military",
            "air_strikes",
            "delivered",
            "Air strikes extended to Syria",
            quantity=16,
            quantity_before=8,
            **aircraft,
        ),
        "reapers": contribution(uk, "intelligence", "isr", "delivered", "Reaper drones and surveillance flights"),
        "dutch_strikes": contribution(
            netherlands, "military", "air_strikes", "under_consideration", "Extending air strikes into Syria", brussels
        ),
        "tornados": contribution(
            germany, "intelligence", "isr", "delivered", "Tornado reconnaissance jets", paris, quantity=6, **aircraft
        ),
        "peshmerga_trainers": contribution(
            germany, "training", "trainers", "delivered", "Trainers for Kurdish Peshmerga", quantity=150, **personnel
        ),
        "saudi_troops": contribution(
            saudi, "military", "ground_troops", "unlikely", "Ground troops offered for Syria", brussels
        ),
        "special_forces": contribution(
            uae, "military", "special_forces", "pledged", "Special forces for ground operations", brussels
        ),
        "cf18s": contribution(
            canada, "military", "aircraft", "declined", "Withdrawal of CF-18 fighter jets", quantity=6, **aircraft
        ),
        "canada_trainers": contribution(
            canada,
            "training",
            "trainers",
            "pledged",
            "Tripling of special forces trainers",
            stuttgart,
            quantity=210,
            quantity_before=69,
            **personnel,
        ),
        "japan_aid": contribution(japan, "humanitarian", "", "delivered", "Humanitarian aid to displaced people"),
        "us_strikes": contribution(
            us, "military", "air_strikes", "delivered", "Most of the coalition's air strikes", None, carter
        ),
    }
    # Where some of them operate and who hosts them (issue 14): Canada's jets were based abroad, the
    # German trainers work in Iraq with Iraq as host, and their number is approximate.
    contributions["uk_strikes"].theatres.set(["iraq", "syria"])
    contributions["carrier"].theatres.set(["iraq", "region"])
    contributions["peshmerga_trainers"].theatres.set(["iraq"])
    # Updated in place, so each keeps the one history entry its creation made.
    for name, changes in (
        ("cf18s", {"host": uae}),
        ("peshmerga_trainers", {"host": iraq, "quantity_qualifier": "about"}),
    ):
        Contribution.objects.filter(pk=contributions[name].pk).update(**changes)
        contributions[name].refresh_from_db()
    # The one contribution no source supports yet, with a date known only to the month.
    contributions["japan_funding"] = ContributionFactory(
        nation=japan,
        category="financial",
        capability="funding",
        status="delivered",
        description="Aid to Iraq",
        amount="100000000.00",
        currency="USD",
        amount_basis="one_off",
        announced=datetime.date(2015, 9, 1),
        announced_precision="month",
    )

    isr = CapabilityRequestFactory(
        requested_by=us, official=carter, meeting=brussels, announced=brussels.date, description="More surveillance"
    )
    police_request = CapabilityRequestFactory(
        requested_by=us,
        official=carter,
        meeting=brussels,
        announced=brussels.date,
        capability="police_trainers",
        category="police_training",
        description="Police trainers for Ramadi and Mosul",
    )
    for capability_request in (isr, police_request):
        Citation.objects.create(
            source=defense_news, capability_request=capability_request, quote="Carter asked for it."
        )
    Citation.objects.create(source=reuters, official=carter, quote="“We must accelerate the campaign,” Carter said.")
    Citation.objects.create(source=reuters, meeting=brussels, quote="Defence ministers met in Brussels.")
    Citation.objects.create(source=voa, nation=france, quote="France has stepped up its air strikes.")

    # Two lines of effort: one led by Italy, served by its police training and the request for police
    # trainers; one with no lead recorded, served by three military contributions.
    police_line = LineOfEffort.objects.create(
        slug="iraqi-police-training", name="Training the Iraqi police", order=5, description="Police for Iraq."
    )
    police_line.contributions.set([contributions["police"]])
    police_line.requests.set([police_request])
    italy_leads_police = LineLead.objects.create(line=police_line, partner=italy)
    Citation.objects.create(source=voa, line_of_effort=police_line, quote="An effort to train Iraqi police forces.")
    Citation.objects.create(source=voa, line_lead=italy_leads_police, quote="An effort led by Italy is underway.")
    campaign_line = LineOfEffort.objects.create(slug="military-campaign", name="The military campaign", order=1)
    campaign_line.contributions.set([contributions[name] for name in ("carrier", "uk_strikes", "us_strikes")])
    Citation.objects.create(source=voa, line_of_effort=campaign_line, quote="The military campaign against IS.")
    # An international organization among the partners, with no contribution of its own.
    eu = NationFactory(kind="organization", country="", slug="eu", name="European Union", role="non_military")
    Citation.objects.create(source=reuters, nation=eu, quote="The European Union is a partner.")
    # Saudi Arabia's role over time: a member first, then flying strikes; the latest is its current role.
    saudi_member = RoleStatement.objects.create(partner=saudi, role="member", as_of=datetime.date(2015, 11, 23))
    saudi_strikes = RoleStatement.objects.create(
        partner=saudi, role="military", as_of=datetime.date(2016, 2, 11), as_of_precision="day"
    )
    Citation.objects.create(source=voa, role_statement=saudi_member, quote="Saudi Arabia is a member.")
    Citation.objects.create(source=reuters, role_statement=saudi_strikes, quote="Saudi Arabia flies strikes in Syria.")
    return Cast(
        reuters=reuters,
        defense_news=defense_news,
        voa=voa,
        us=us,
        france=france,
        italy=italy,
        uk=uk,
        netherlands=netherlands,
        germany=germany,
        saudi=saudi,
        uae=uae,
        canada=canada,
        japan=japan,
        iraq=iraq,
        carter=carter,
        le_drian=le_drian,
        pinotti=pinotti,
        paris=paris,
        brussels=brussels,
        stuttgart=stuttgart,
        washington=washington,
        france_at_paris=participations[france, paris],
        saudi_at_brussels=participations[saudi, brussels],
        uae_at_brussels=participations[uae, brussels],
        at_the_table=at_the_table,
        represented=represented,
        members=members,
        members_again=members_again,
        military_partners=military_partners,
        **contributions,
        isr=isr,
        police_request=police_request,
        police_line=police_line,
        italy_leads_police=italy_leads_police,
        campaign_line=campaign_line,
        eu=eu,
        saudi_member=saudi_member,
        saudi_strikes=saudi_strikes,
    )


@pytest.fixture
def dated(cast):
    """The carrier's jets: 12 on 1 December 2015, 38 from 1 February 2016; the UK's trainers pledged at
    Brussels (11 February 2016) and withdrawn (ended) on 20 February 2016."""
    carrier, trainers = cast.carrier, cast.uk_trainers
    StatusEvent.objects.filter(contribution=carrier).update(date=datetime.date(2015, 12, 1), quantity=12)
    first = carrier.events.get()
    first.save()  # recompute the derived state from the edited row
    add_event(carrier, "delivered", datetime.date(2016, 2, 1), quantity=38)
    add_event(trainers, "ended", datetime.date(2016, 2, 20))
    return cast


@pytest.fixture
def editor(db):
    """A staff user in the Editors group, which migrate creates (contributions.signals)."""
    user = User.objects.create_user("editor", password="correct horse battery staple", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def reader(db):
    """A logged-in account with no permissions at all."""
    return User.objects.create_user("reader", password="correct horse battery staple")


# --- Browser tests: Playwright for Python driving Debian's Chromium -------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def chromium():
    """One Chromium for the whole run. Missing browser is a failure, not a skip: make test installs it."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
    # live_server fixture are still synchronous, so the async-safety guard does not apply.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser page; `page.base_url` is the live server's address."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    browser_page = context.new_page()
    browser_page.base_url = live_server.url
    # Every browser test doubles as a Content-Security-Policy test: a blocked script or style fails it.
    violations = []
    browser_page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield browser_page
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(browser_page, name):
        path = ARTIFACTS / f"{name}.png"
        browser_page.screenshot(path=str(path), full_page=True)
        return path

    return take
