"""Fill the database with realistic, deterministic synthetic data for benchmarks.

    python manage.py generate_synthetic --contributions 1000000 --seed 1

About 200 nations, meetings, officials and sources; contributions skewed as in life (a few nations
give most); every contribution cited. Rows go in with bulk inserts.
"""

import datetime
import random
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django_countries import countries
from tqdm import tqdm

from contributions import cache as data_cache
from contributions import search
from contributions.models.choices import (
    Capability,
    Category,
    ContributionStatus,
    DatePrecision,
    MeetingKind,
    MeetingStatus,
    NationRole,
    PartnerKind,
    Unit,
)
from contributions.models.citations import Citation
from contributions.models.contributions import Contribution, search_document
from contributions.models.events import StatusEvent
from contributions.models.meetings import Meeting, Participation
from contributions.models.nations import Nation, Official
from contributions.models.sources import Source

SYNTHETIC_PREFIX = "synthetic-"
BATCH = 5000
SYNTHETIC_ORGANIZATIONS = [("eu", "European Union"), ("arab-league", "Arab League"), ("nato", "NATO")]
START = datetime.date(2014, 9, 1)
DAYS = 365 * 6

# Which capabilities belong to which category, so synthetic rows look like curated ones.
CAPABILITIES = {
    Category.MILITARY: [
        Capability.AIR_STRIKES,
        Capability.AIRCRAFT,
        Capability.GROUND_TROOPS,
        Capability.SPECIAL_FORCES,
    ],
    Category.TRAINING: [Capability.TRAINERS],
    Category.POLICE_TRAINING: [Capability.POLICE_TRAINERS],
    Category.INTELLIGENCE: [Capability.ISR],
    Category.LOGISTICS: [Capability.LOGISTICS, Capability.AIR_TRANSPORT, Capability.BRIDGING],
    Category.FINANCIAL: [Capability.FUNDING],
    Category.STABILIZATION: [Capability.STABILIZATION, Capability.RECONSTRUCTION],
    Category.MEDICAL: [Capability.MEDICAL_UNIT],
    Category.HUMANITARIAN: [Capability.OTHER],
    Category.COUNTER_FINANCE: [Capability.COUNTER_FINANCING],
    Category.FOREIGN_FIGHTERS: [Capability.INFORMATION_SHARING],
}
CATEGORY_WEIGHTS = [40, 12, 6, 8, 8, 10, 6, 3, 3, 2, 2]
# In the order of ContributionStatus: requested, under consideration, pledged, delivered, ended, unlikely, declined.
STATUS_WEIGHTS = [10, 10, 35, 30, 5, 7, 3]
WORDS = [
    "air",
    "strikes",
    "carrier",
    "aircraft",
    "trainers",
    "police",
    "Iraqi",
    "forces",
    "logistics",
    "bridging",
    "surveillance",
    "reconnaissance",
    "special",
    "operations",
    "medical",
    "unit",
    "funding",
    "stabilization",
    "reconstruction",
    "Mosul",
    "Raqqa",
    "Ramadi",
    "coalition",
    "ministers",
    "pledged",
    "deployed",
    "delivered",
    "additional",
    "support",
    "campaign",
    "accelerate",
    "capabilities",
]


def create_keyed(model, kind, build, count=200):
    """Creates `count` rows of a model from build(i), each keyed by a synthetic slug, and returns their ids."""
    rows = [build(i) for i in range(count)]
    for i, row in enumerate(rows):
        row.slug = f"{SYNTHETIC_PREFIX}{kind}-{i}"
    model.objects.bulk_create(rows)
    return list(model.objects.filter(slug__startswith=SYNTHETIC_PREFIX).values_list("pk", flat=True))


class Command(BaseCommand):
    help = "Fill the database with deterministic synthetic data for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--contributions", type=int, required=True, help="How many contributions to create.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--nations", type=int, default=200)
        parser.add_argument("--force", action="store_true", help="Run even though the database holds curated data.")

    def handle(self, *args, contributions, seed, nations, force, **options):
        if contributions < 0:
            raise CommandError("--contributions must be zero or more.")
        curated = Source.objects.exclude(slug__startswith=SYNTHETIC_PREFIX).exists()
        if curated and not force:
            raise CommandError("This database holds curated data; pass --force to add synthetic data to it anyway.")
        rng = random.Random(seed)
        with transaction.atomic():
            nation_ids = self.make_nations(nations)
            source_ids = self.make_sources(rng)
            official_ids = self.make_officials(rng, nation_ids)
            meeting_ids = self.make_meetings(rng, nation_ids)
        self.make_contributions(rng, contributions, nation_ids, source_ids, official_ids, meeting_ids)
        # bulk_create sends no signals: index the new records and invalidate cached pages by hand.
        search.rebuild()
        data_cache.bump()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Created {contributions} synthetic contributions (seed {seed})."))

    def make_nations(self, count):
        taken = set(Nation.objects.values_list("country", flat=True))
        codes = [code for code, _ in countries if code not in taken][:count]
        roles = [NationRole.MILITARY, NationRole.NON_MILITARY, NationRole.MEMBER]
        # bulk_create skips save(), which sets a country's slug from its code.
        Nation.objects.bulk_create(
            Nation(country=code, slug=code.lower(), name=str(countries.name(code)), role=roles[i % len(roles)])
            for i, code in enumerate(codes)
        )
        # A few international organizations among them, as in the coalition.
        taken = set(Nation.objects.values_list("slug", flat=True))
        Nation.objects.bulk_create(
            Nation(kind=PartnerKind.ORGANIZATION, slug=slug, name=name, role=NationRole.NON_MILITARY)
            for slug, name in SYNTHETIC_ORGANIZATIONS
            if slug not in taken
        )
        return list(Nation.objects.order_by("pk").values_list("pk", flat=True))

    def make_sources(self, rng):
        def source(i):
            day = START + datetime.timedelta(days=rng.randrange(DAYS))
            url = f"https://example.org/synthetic/{i}"
            return Source(outlet=f"Synthetic Wire {i % 20}", headline=f"Synthetic report {i}", published=day, url=url)

        return create_keyed(Source, "source", source)

    def make_officials(self, rng, nation_ids):
        titles = ["Defense Minister", "Foreign Minister", "Chief of Defence Staff", "Ambassador"]
        return create_keyed(
            Official,
            "official",
            lambda i: Official(name=f"Official {i}", title=rng.choice(titles), nation_id=rng.choice(nation_ids)),
        )

    def make_meetings(self, rng, nation_ids):
        cities = ["Brussels", "Paris", "Washington", "Stuttgart", "Rome", "London"]

        def meeting(i):
            day = START + datetime.timedelta(days=rng.randrange(DAYS))
            return Meeting(
                title=f"Synthetic ministerial {i}",
                kind=rng.choice(MeetingKind.values),
                status=MeetingStatus.HELD,
                city=rng.choice(cities),
                host_id=rng.choice(nation_ids),
                date=day,
                date_precision=DatePrecision.DAY,
            )

        meeting_ids = create_keyed(Meeting, "meeting", meeting)
        Participation.objects.bulk_create(
            Participation(meeting_id=meeting_id, nation_id=nation_id)
            for meeting_id in meeting_ids
            for nation_id in rng.sample(nation_ids, 12)
        )
        return meeting_ids

    def make_contributions(self, rng, total, nation_ids, source_ids, official_ids, meeting_ids):
        # Zipf-like weights: the first few nations give most, as in the real coalition.
        nation_weights = [1 / (rank + 1) ** 1.1 for rank in range(len(nation_ids))]
        categories = list(CAPABILITIES)
        statuses = list(ContributionStatus.values)
        progress = tqdm(total=total, unit="rows", desc="contributions", disable=total < BATCH, file=self.stderr)
        done = 0
        while done < total:
            size = min(BATCH, total - done)
            nations = rng.choices(nation_ids, nation_weights, k=size)
            rows = []
            quotes = []
            for nation_id in nations:
                category = rng.choices(categories, CATEGORY_WEIGHTS)[0]
                has_quantity = rng.random() < 0.4
                has_amount = category == Category.FINANCIAL
                description = " ".join(rng.choices(WORDS, k=8))
                announced = START + datetime.timedelta(days=rng.randrange(DAYS))
                quotes.append(" ".join(rng.choices(WORDS, k=12)))
                rows.append(
                    Contribution(
                        nation_id=nation_id,
                        category=category,
                        capability=rng.choice(CAPABILITIES[category]),
                        status=rng.choices(statuses, STATUS_WEIGHTS)[0],
                        description=description,
                        # bulk_create sends no signals: the search text is written here.
                        search_text=search_document(description, [quotes[-1]]),
                        quantity=rng.randrange(1, 500) if has_quantity else None,
                        unit=rng.choice([Unit.AIRCRAFT, Unit.PERSONNEL]) if has_quantity else "",
                        amount=Decimal(rng.randrange(10_000, 50_000_000)) if has_amount else None,
                        currency="USD" if has_amount else "",
                        announced=announced,
                        # Its first event is dated when it was announced (synthetic_events).
                        known_since=announced,
                        meeting_id=rng.choice(meeting_ids) if rng.random() < 0.3 else None,
                        official_id=rng.choice(official_ids) if rng.random() < 0.3 else None,
                    )
                )
            with transaction.atomic():
                created = Contribution.objects.bulk_create(rows, batch_size=BATCH)
                StatusEvent.objects.bulk_create(synthetic_events(rng, created), batch_size=BATCH)
                Citation.objects.bulk_create(
                    (
                        Citation(source_id=rng.choice(source_ids), quote=quote, contribution_id=contribution.pk)
                        for contribution, quote in zip(created, quotes, strict=True)
                    ),
                    batch_size=BATCH,
                )
            done += size
            progress.update(size)
        progress.close()


# How a contribution usually gets where it is: asked for, considered, offered, then delivered and ended.
PATH = ["requested", "under_consideration", "pledged", "delivered", "ended"]


def synthetic_events(rng, contributions):
    """About three status events each, ending in the contribution's status, weeks apart from its
    announcement, with the derived columns update_state() would write (bulk_create skips save())."""
    for contribution in contributions:
        final = contribution.status
        # An offer judged unlikely or declined was requested, considered or pledged first.
        earlier = PATH[: PATH.index(final)] if final in PATH else PATH[:3]
        steps = [*rng.sample(earlier, min(len(earlier), rng.choice([2, 3, 4]))), final]
        steps = sorted(steps[:-1], key=PATH.index) + [final]
        day = contribution.announced
        dates = []
        for _ in steps:
            dates.append(day)
            day += datetime.timedelta(days=rng.randrange(7, 120))
        for index, (status, date) in enumerate(zip(steps, dates, strict=True)):
            latest = index == len(steps) - 1
            yield StatusEvent(
                contribution_id=contribution.pk,
                status=status,
                date=date,
                quantity=contribution.quantity,
                amount=contribution.amount,
                valid_until=None if latest else dates[index + 1],
                state_quantity=contribution.quantity,
                state_quantity_qualifier=contribution.quantity_qualifier if contribution.quantity is not None else "",
                state_amount=contribution.amount,
            )
