import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from contributions.management.commands.load_curated import FIXTURES as CURATED_FIXTURES
from tests.factories import CitationFactory, ContributionFactory, MeetingFactory, NationFactory, OfficialFactory


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

    cache.clear()


@pytest.fixture
def curated(db):
    """The curated dataset from fixtures/, loaded into the test database."""
    from django.core.management import call_command

    call_command("loaddata", *CURATED_FIXTURES, verbosity=0)


@pytest.fixture
def cast(db):
    """A small named cast: France and Italy, one meeting, one official, three cited contributions."""
    france = NationFactory(country="FR", name="France")
    italy = NationFactory(country="IT", name="Italy", role="military")
    brussels = MeetingFactory(slug="brussels", title="Brussels defence ministerial")
    le_drian = OfficialFactory(slug="le-drian", name="Jean-Yves Le Drian", nation=france)
    carrier = ContributionFactory(
        nation=france,
        capability="aircraft_carrier",
        description="Charles de Gaulle carrier deployed",
        quantity=38,
        quantity_before=12,
        unit="aircraft",
        meeting=brussels,
        official=le_drian,
    )
    police = ContributionFactory(
        nation=italy,
        category="police_training",
        capability="police_trainers",
        status="delivered",
        description="Leads training of Iraqi police",
    )
    money = ContributionFactory(
        nation=italy,
        category="financial",
        capability="funding",
        status="under_consideration",
        description="Possible increase of the financial commitment",
        amount="1000000.00",
        currency="USD",
        amount_basis="one_off",
    )
    for contribution in (carrier, police, money):
        CitationFactory(contribution=contribution, quote=f"Quote about {contribution.description}")
    return {
        "france": france,
        "italy": italy,
        "brussels": brussels,
        "le_drian": le_drian,
        "carrier": carrier,
        "police": police,
        "money": money,
    }


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
