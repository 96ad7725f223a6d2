import pytest
from django.contrib.auth.models import Group, Permission, User

from tests.factories import CitationFactory, ContributionFactory, MeetingFactory, NationFactory, OfficialFactory

CURATED_FIXTURES = ["sources", "nations", "officials", "meetings", "figures", "contributions", "requests", "citations"]


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
    """A staff user in the Editors group (created by the editors migration when it exists)."""
    user = User.objects.create_user("editor", password="correct horse battery staple", is_staff=True)
    group, _ = Group.objects.get_or_create(name="Editors")
    if not group.permissions.exists():
        group.permissions.set(Permission.objects.filter(content_type__app_label="contributions"))
    user.groups.add(group)
    return user


@pytest.fixture
def reader(db):
    """A logged-in account with no permissions at all."""
    return User.objects.create_user("reader", password="correct horse battery staple")
