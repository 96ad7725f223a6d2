"""The domain: nations, the meetings where pledges were sought and made, the officials who made
them, the contributions themselves, and the cited figures and quotes that support every fact."""

from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    SEASON = "season", "Season"
    YEAR = "year", "Year"


def format_date(value, precision):
    """Render a date no more precisely than the sources state it."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.SEASON:
        seasons = {12: "Winter", 1: "Winter", 2: "Winter", 3: "Spring", 4: "Spring", 5: "Spring"}
        seasons.update({6: "Summer", 7: "Summer", 8: "Summer", 9: "Autumn", 10: "Autumn", 11: "Autumn"})
        return f"{seasons[value.month]} {value.year}"
    if precision == DatePrecision.MONTH:
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


class Source(models.Model):
    """A news article that the curated data is taken from."""

    slug = models.SlugField(max_length=120, help_text="The article's file stem in the sources folder.")
    outlet = models.CharField(max_length=120)
    headline = models.CharField(max_length=300)
    headline_inferred = models.BooleanField(
        default=False, help_text="The headline is not in the capture; it was inferred from the address."
    )
    author = models.CharField(max_length=200, blank=True, help_text="Blank when the article has no byline.")
    published = models.DateField()
    published_approximate = models.BooleanField(
        default=False, help_text="The date is inferred (from the address or the text), not printed."
    )
    date_note = models.CharField(max_length=300, blank=True, help_text="How the date was established.")
    url = models.URLField(max_length=500)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["published", "slug"]
        constraints = [
            # Citations and URLs refer to sources by slug, so it must identify one article.
            models.UniqueConstraint(fields=["slug"], name="source_unique_slug"),
        ]
        indexes = [models.Index(fields=["published"], name="source_published_idx")]

    def __str__(self):
        return f"{self.outlet}, {self.published:%d %b %Y}: {self.headline}"

    def get_absolute_url(self):
        return reverse("source-detail", args=[self.slug])


class NationRole(models.TextChoices):
    LEAD = "lead", "Lead nation"
    MILITARY = "military", "Military partner"
    NON_MILITARY = "non_military", "Non-military partner"
    MEMBER = "member", "Member (kind of contribution not stated)"
    NON_MEMBER = "non_member", "Not a member (discussed in the sources)"


class NationQuerySet(models.QuerySet):
    def with_counts(self):
        """Annotate `contribution_count`. A subquery, not a join with GROUP BY, keeps the default ordering."""
        counts = (
            Contribution.objects.filter(nation=OuterRef("pk"))
            .order_by()
            .values("nation")
            .annotate(count=Count("*"))
            .values("count")
        )
        return self.annotate(contribution_count=Coalesce(Subquery(counts), 0))


class Nation(models.Model):
    """A country named in the sources, with its place in the coalition."""

    Role = NationRole

    country = CountryField(help_text="ISO 3166-1 country.")
    # Stored, not only derived from country, so lists can sort and search on it in the database.
    name = models.CharField(max_length=100, blank=True, help_text="Defaults to the ISO short name.")
    role = models.CharField(max_length=20, choices=Role.choices)
    joined = models.DateField(null=True, blank=True, help_text="When it joined the coalition, where known.")
    joined_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY, blank=True
    )
    notes = models.TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = NationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            # One record per country: contributions for a nation must not split across duplicates.
            models.UniqueConstraint(fields=["country"], name="nation_unique_country"),
            # Role filters and the matrix rely on a known role.
            models.CheckConstraint(
                condition=Q(role__in=NationRole.values),
                name="nation_role_valid",
                violation_error_message="Unknown role.",
            ),
        ]
        indexes = [
            models.Index(fields=["role"], name="nation_role_idx"),
            models.Index(fields=["name"], name="nation_name_idx"),
        ]

    def __str__(self):
        return self.name or self.country.name

    def save(self, *args, **kwargs):
        if not self.name:
            self.name = self.country.name
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("nation-detail", args=[self.slug])

    @property
    def code(self):
        return self.country.code

    @property
    def slug(self):
        return self.country.code.lower()

    @property
    def joined_display(self):
        return format_date(self.joined, self.joined_precision)


class Official(models.Model):
    """A person named or quoted in the sources in an official capacity."""

    slug = models.SlugField(max_length=120)
    name = models.CharField(max_length=200, help_text="The correct spelling.")
    title = models.CharField(max_length=300, help_text="Title or office, as the articles give it.")
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="officials")
    tenure_start = models.DateField(null=True, blank=True)
    tenure_start_precision = models.CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    tenure_end = models.DateField(null=True, blank=True)
    tenure_end_precision = models.CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    name_variants = models.CharField(
        max_length=300, blank=True, help_text="Other spellings used in the sources, comma-separated."
    )
    spelling_note = models.TextField(
        blank=True, help_text="Where a source misspells the name: what it prints, and the correct form."
    )
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            # Official pages and API lookups use the slug.
            models.UniqueConstraint(fields=["slug"], name="official_unique_slug"),
            # A tenure cannot end before it starts.
            models.CheckConstraint(
                condition=Q(tenure_end__isnull=True)
                | Q(tenure_start__isnull=True)
                | Q(tenure_end__gte=F("tenure_start")),
                name="official_tenure_ordered",
                violation_error_message="Tenure cannot end before it starts.",
            ),
        ]
        indexes = [models.Index(fields=["name"], name="official_name_idx")]

    def __str__(self):
        return f"{self.name} ({self.title})"

    def get_absolute_url(self):
        return reverse("official-detail", args=[self.slug])

    def clean(self):
        if self.tenure_start and self.tenure_end and self.tenure_end < self.tenure_start:
            raise ValidationError({"tenure_end": "Tenure cannot end before it starts."})

    @property
    def tenure_display(self):
        start = format_date(self.tenure_start, self.tenure_start_precision)
        end = format_date(self.tenure_end, self.tenure_end_precision)
        if start and end:
            return f"{start} – {end}"
        return f"from {start}" if start else (f"until {end}" if end else "")


class MeetingKind(models.TextChoices):
    DEFENSE_MINISTERIAL = "defense_ministerial", "Defence ministerial"
    DIPLOMATIC_PLENARY = "diplomatic_plenary", "Diplomatic plenary"
    NATO_MINISTERIAL = "nato_ministerial", "NATO ministerial"
    MILITARY_LEADERS = "military_leaders", "Senior military officials"
    BILATERAL = "bilateral", "Bilateral"
    OTHER = "other", "Other"


class MeetingStatus(models.TextChoices):
    HELD = "held", "Held"
    PLANNED = "planned", "Planned"


class MeetingQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("host").prefetch_related(
            models.Prefetch("participations", queryset=Participation.objects.select_related("nation")),
        )


class Meeting(models.Model):
    """A meeting of the coalition, or about it, where contributions were sought or announced."""

    Kind = MeetingKind

    Status = MeetingStatus

    slug = models.SlugField(max_length=120)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    city = models.CharField(max_length=100, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    host = models.ForeignKey(Nation, on_delete=models.PROTECT, null=True, blank=True, related_name="hosted_meetings")
    date = models.DateField(help_text="For a month or season, the first day of it.")
    date_precision = models.CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    end_date = models.DateField(null=True, blank=True, help_text="Last day, for a meeting over several days.")
    description = models.TextField(blank=True)
    nations = models.ManyToManyField(Nation, through="Participation", related_name="meetings", blank=True)
    officials = models.ManyToManyField(Official, related_name="meetings", blank=True, help_text="Officials present.")
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[officials])
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["date", "slug"]
        constraints = [
            # Meeting pages and API lookups use the slug.
            models.UniqueConstraint(fields=["slug"], name="meeting_unique_slug"),
            # Filters and the timeline group by kind and status, so only known values may be stored.
            models.CheckConstraint(condition=Q(kind__in=MeetingKind.values), name="meeting_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=MeetingStatus.values), name="meeting_status_valid"),
            models.CheckConstraint(
                condition=Q(date_precision__in=DatePrecision.values), name="meeting_precision_valid"
            ),
            # A meeting cannot end before it begins.
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("date")),
                name="meeting_end_after_start",
                violation_error_message="A meeting cannot end before it begins.",
            ),
        ]
        indexes = [
            models.Index(fields=["date"], name="meeting_date_idx"),
            models.Index(fields=["kind"], name="meeting_kind_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.date_display})"

    def get_absolute_url(self):
        return reverse("meeting-detail", args=[self.slug])

    def clean(self):
        errors = {}
        if self.end_date and self.date and self.end_date < self.date:
            errors["end_date"] = "A meeting cannot end before it begins."
        planned = self.pk and self.status == MeetingStatus.PLANNED
        if planned and self.figures.filter(metric__in=Figure.ATTENDANCE_METRICS).exists():
            errors["status"] = "This meeting has attendance figures; remove them before marking it planned."
        if errors:
            raise ValidationError(errors)

    @property
    def date_display(self):
        if self.end_date and self.end_date != self.date and self.date_precision == DatePrecision.DAY:
            end = format_date(self.end_date, DatePrecision.DAY)
            if (self.date.year, self.date.month) == (self.end_date.year, self.end_date.month):
                return f"{self.date.day}–{end}"
            return f"{format_date(self.date, DatePrecision.DAY)} – {end}"
        return format_date(self.date, self.date_precision)


class ParticipationRole(models.TextChoices):
    HOST = "host", "Host"
    PARTICIPANT = "participant", "Participant"
    OBSERVER = "observer", "Observer"
    INVITED = "invited", "Invited"


class Participation(models.Model):
    """A nation's part in a meeting: host, participant, observer or invitee."""

    Role = ParticipationRole

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participations")
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting__date", "nation__name"]
        constraints = [
            # A nation takes one part in a meeting; two rows would double-count attendance.
            models.UniqueConstraint(fields=["meeting", "nation"], name="participation_unique_nation"),
            models.CheckConstraint(condition=Q(role__in=ParticipationRole.values), name="participation_role_valid"),
        ]

    def __str__(self):
        return f"{self.nation} at {self.meeting.title} ({self.get_role_display().lower()})"

    def get_absolute_url(self):
        return self.meeting.get_absolute_url() + f"#participation-{self.pk}"


class FigureMetric(models.TextChoices):
    COALITION_MEMBERS = "coalition_members", "Countries in the coalition"
    COUNTRIES_REPRESENTED = "countries_represented", "Countries represented"
    COUNTRIES_INVITED = "countries_invited", "Countries invited"
    MILITARY_PARTICIPANTS = "military_participants", "Countries taking part militarily"
    NON_MILITARY_PARTICIPANTS = "non_military_participants", "Countries taking part non-militarily"
    MILITARY_CONTRIBUTORS = "military_contributors", "Nations that made a military contribution"
    TRAINING_CONTRIBUTORS = "training_contributors", "Nations that deployed trainers"
    STABILIZATION_PARTICIPANTS = "stabilization_participants", "Nations in stabilization efforts"
    FOREIGN_FIGHTER_ARRESTS = "foreign_fighter_arrests", "Countries that arrested foreign fighters"
    OTHER = "other", "Other"


class FigureQualifier(models.TextChoices):
    EXACT = "exact", "Exactly"
    ABOUT = "about", "About"
    MORE_THAN = "more_than", "More than"
    NEARLY = "nearly", "Nearly"


class FigureQuerySet(models.QuerySet):
    def with_bounds(self):
        """Annotate the range of values each figure allows: "more than 24" allows 25 and up, "about 50" 45–55."""
        value = F("value")
        return self.annotate(
            low=Case(
                When(qualifier=FigureQualifier.MORE_THAN, then=value + 1),
                When(qualifier=FigureQualifier.NEARLY, then=value * 4 / 5),
                When(qualifier=FigureQualifier.ABOUT, then=value * 9 / 10),
                default=value,
            ),
            high=Case(
                When(qualifier=FigureQualifier.MORE_THAN, then=Value(2**31 - 1)),
                When(qualifier=FigureQualifier.NEARLY, then=value - 1),
                When(qualifier=FigureQualifier.ABOUT, then=value * 11 / 10),
                default=value,
            ),
        )

    def with_disputes(self):
        """Annotate `disputed`: another figure for the same thing (meeting and metric) cannot be true with it."""
        rivals = (
            Figure.objects.with_bounds()
            .annotate(meeting_key=Coalesce("meeting_id", 0))
            .filter(metric=OuterRef("metric"), meeting_key=Coalesce(OuterRef("meeting_id"), 0))
            .exclude(pk=OuterRef("pk"))
            # Two "other" figures are about the same thing only when they count the same thing.
            .filter(~Q(metric=FigureMetric.OTHER) | Q(label=OuterRef("label")))
            .filter(Q(high__lt=OuterRef("low")) | Q(low__gt=OuterRef("high")))
        )
        return self.with_bounds().annotate(disputed=Exists(rivals))


class Figure(models.Model):
    """A number reported about a meeting or about the coalition as a whole, with its own citation."""

    Metric = FigureMetric

    Qualifier = FigureQualifier

    # Planned meetings may have invitation figures, but not attendance ones.
    ATTENDANCE_METRICS = {
        Metric.COUNTRIES_REPRESENTED,
        Metric.MILITARY_PARTICIPANTS,
        Metric.NON_MILITARY_PARTICIPANTS,
    }

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="figures",
        help_text="Blank for a figure about the coalition as a whole.",
    )
    metric = models.CharField(max_length=40, choices=Metric.choices)
    qualifier = models.CharField(max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT)
    value = models.IntegerField()
    out_of = models.IntegerField(null=True, blank=True, help_text='The whole, as in "59 of the 65".')
    label = models.CharField(max_length=300, help_text="What is counted, in the source's own terms.")
    as_of = models.DateField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = FigureQuerySet.as_manager()

    class Meta:
        ordering = ["meeting__date", "metric", "pk"]
        constraints = [
            # A count of countries cannot be negative.
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="figure_value_non_negative",
                violation_error_message="A count cannot be negative.",
            ),
            # "59 of the 65": the part cannot exceed the whole.
            models.CheckConstraint(
                condition=Q(out_of__isnull=True) | Q(out_of__gte=F("value")),
                name="figure_part_within_whole",
                violation_error_message="The part cannot exceed the whole.",
            ),
            models.CheckConstraint(condition=Q(metric__in=FigureMetric.values), name="figure_metric_valid"),
            models.CheckConstraint(condition=Q(qualifier__in=FigureQualifier.values), name="figure_qualifier_valid"),
        ]
        indexes = [models.Index(fields=["metric"], name="figure_metric_idx")]

    def __str__(self):
        prefix = "" if self.qualifier == self.Qualifier.EXACT else f"{self.get_qualifier_display().lower()} "
        whole = f" of {self.out_of}" if self.out_of is not None else ""
        return f"{prefix}{self.value}{whole} {self.label}"

    def get_absolute_url(self):
        base = self.meeting.get_absolute_url() if self.meeting_id else reverse("home")
        return f"{base}#figure-{self.pk}"

    def clean(self):
        errors = {}
        if self.value is not None and self.value < 0:
            errors["value"] = "A count cannot be negative."
        if self.out_of is not None and self.value is not None and self.out_of < self.value:
            errors["out_of"] = "The part cannot exceed the whole."
        # `meeting`, not `meeting_id`: in an inline the meeting may be new and unsaved.
        planned = self.meeting is not None and self.meeting.status == MeetingStatus.PLANNED
        if planned and self.metric in self.ATTENDANCE_METRICS:
            errors["metric"] = "A planned meeting has no attendance yet; record an invitation figure instead."
        if errors:
            raise ValidationError(errors)


class Category(models.TextChoices):
    MILITARY = "military", "Military forces"
    TRAINING = "training", "Training local forces"
    POLICE_TRAINING = "police_training", "Police training"
    INTELLIGENCE = "intelligence", "Intelligence, surveillance and reconnaissance"
    LOGISTICS = "logistics", "Logistics"
    FINANCIAL = "financial", "Financial"
    STABILIZATION = "stabilization", "Stabilization and reconstruction"
    MEDICAL = "medical", "Medical"
    HUMANITARIAN = "humanitarian", "Humanitarian"
    COUNTER_FINANCE = "counter_finance", "Countering ISIL financing"
    FOREIGN_FIGHTERS = "foreign_fighters", "Stopping foreign fighters"
    OTHER = "other", "Other"


class Capability(models.TextChoices):
    AIR_STRIKES = "air_strikes", "Air strikes"
    AIRCRAFT = "aircraft", "Combat aircraft"
    AIRCRAFT_CARRIER = "aircraft_carrier", "Aircraft carrier"
    GROUND_TROOPS = "ground_troops", "Ground troops"
    SPECIAL_FORCES = "special_forces", "Special forces"
    TRAINERS = "trainers", "Trainers"
    POLICE_TRAINERS = "police_trainers", "Police trainers"
    ISR = "isr", "Intelligence, surveillance and reconnaissance"
    AIR_TRANSPORT = "air_transport", "Air transport"
    LOGISTICS = "logistics", "Logistics support"
    BRIDGING = "bridging", "Bridging"
    MEDICAL_UNIT = "medical_unit", "Medical unit"
    FUNDING = "funding", "Funding"
    STABILIZATION = "stabilization", "Stabilization of liberated areas"
    RECONSTRUCTION = "reconstruction", "Economic and reconstruction aid"
    COUNTER_FINANCING = "counter_financing", "Choking ISIL financing"
    INFORMATION_SHARING = "information_sharing", "Information sharing"
    OTHER = "other", "Other"


class ContributionStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    UNDER_CONSIDERATION = "under_consideration", "Under consideration"
    PLEDGED = "pledged", "Pledged or offered"
    DELIVERED = "delivered", "Delivered or ongoing"
    UNLIKELY = "unlikely", "Judged unlikely"
    DECLINED = "declined", "Declined"


class Unit(models.TextChoices):
    AIRCRAFT = "aircraft", "aircraft"
    PERSONNEL = "personnel", "personnel"
    SHIPS = "ships", "ships"
    UNITS = "units", "units"
    NATIONS = "nations", "nations"
    DAYS = "days", "days"


class AmountBasis(models.TextChoices):
    ONE_OFF = "one_off", "One-off"
    TOTAL_TO_DATE = "total_to_date", "Total to date"
    PER_DAY = "per_day", "Per day"
    PER_YEAR = "per_year", "Per year"


class ContributionQuerySet(models.QuerySet):
    def with_related(self):
        """The shape every contribution list and detail needs: no query per row."""
        return self.select_related("nation", "meeting", "official").prefetch_related(
            models.Prefetch("citations", queryset=Citation.objects.select_related("source"))
        )

    def search(self, text):
        """Rows whose description or any citation quote contains `text`, case-insensitively."""
        # One column holds both (see search_document), so PostgreSQL can answer from its trigram index
        # when few rows match, or walk the list order and stop at a page when many do.
        return self.filter(search_text__icontains=text)

    def reindex(self):
        """Rebuild search_text for these rows. Writes through the model's signals call this for you."""
        quotes = {}
        for contribution_id, quote in (
            Citation.objects.filter(contribution__in=self.values("pk"))
            .order_by("pk")
            .values_list("contribution_id", "quote")
        ):
            quotes.setdefault(contribution_id, []).append(quote)
        for pk, description in self.values_list("pk", "description"):
            self.model.objects.filter(pk=pk).update(search_text=search_document(description, quotes.get(pk, [])))


def search_document(description, quotes):
    """What a contribution search looks in: the description and every quote citing it."""
    # A line break between parts keeps a match from spanning the end of one and the start of the next.
    return "\n".join([description, *quotes])


class Contribution(models.Model):
    """What a nation gave, pledged or was asked for."""

    Status = ContributionStatus

    Unit = Unit

    AmountBasis = AmountBasis

    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="contributions")
    category = models.CharField(max_length=30, choices=Category.choices)
    capability = models.CharField(max_length=30, choices=Capability.choices, blank=True)
    status = models.CharField(max_length=30, choices=Status.choices)
    description = models.TextField()
    quantity = models.IntegerField(null=True, blank=True)
    quantity_before = models.IntegerField(
        null=True, blank=True, help_text="The level before this contribution, where a source gives it (12 → 38)."
    )
    unit = models.CharField(max_length=20, choices=Unit.choices, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, help_text="ISO 4217 code; amounts are stored in USD.")
    amount_basis = models.CharField(max_length=20, choices=AmountBasis.choices, blank=True)
    announced = models.DateField(null=True, blank=True)
    announced_precision = models.CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="contributions")
    official = models.ForeignKey(
        Official, on_delete=models.PROTECT, null=True, blank=True, related_name="contributions"
    )
    updated = models.DateTimeField(auto_now=True)
    search_text = models.TextField(
        blank=True, editable=False, help_text="Description and citation quotes, kept by signals for search."
    )

    # search_text is derived, so a change to it is not an edit worth a history entry.
    history = HistoricalRecords(excluded_fields=["search_text"])
    objects = ContributionQuerySet.as_manager()

    class Meta:
        ordering = ["announced", "pk"]
        constraints = [
            # A negative number of aircraft or troops is a typing error, not data.
            models.CheckConstraint(
                condition=Q(quantity__gte=0) | Q(quantity__isnull=True),
                name="contribution_quantity_non_negative",
                violation_error_message="Quantity cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(quantity_before__gte=0) | Q(quantity_before__isnull=True),
                name="contribution_quantity_before_non_negative",
                violation_error_message="The earlier quantity cannot be negative.",
            ),
            # "From 12 to 38" needs the 38 as well as the 12.
            models.CheckConstraint(
                condition=Q(quantity_before__isnull=True) | Q(quantity__isnull=False),
                name="contribution_before_needs_quantity",
                violation_error_message="An earlier quantity needs the new quantity too.",
            ),
            # A count without a unit cannot be read.
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | ~Q(unit=""),
                name="contribution_quantity_needs_unit",
                violation_error_message="A quantity needs a unit.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(amount__isnull=True),
                name="contribution_amount_non_negative",
                violation_error_message="Amount cannot be negative.",
            ),
            # Money without a currency is meaningless; a currency without money is a stray value.
            models.CheckConstraint(
                condition=(Q(amount__isnull=True) & Q(currency="")) | (Q(amount__isnull=False) & ~Q(currency="")),
                name="contribution_amount_needs_currency",
                violation_error_message="An amount needs a currency, and a currency needs an amount.",
            ),
            # The product stores money in US dollars so amounts can be compared and summed.
            models.CheckConstraint(
                condition=Q(currency__in=["", "USD"]),
                name="contribution_currency_usd",
                violation_error_message="Amounts are stored in USD.",
            ),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="contribution_category_valid"),
            models.CheckConstraint(
                condition=Q(capability__in=[*Capability.values, ""]), name="contribution_capability_valid"
            ),
            models.CheckConstraint(condition=Q(status__in=ContributionStatus.values), name="contribution_status_valid"),
            models.CheckConstraint(condition=Q(unit__in=[*Unit.values, ""]), name="contribution_unit_valid"),
            models.CheckConstraint(
                condition=Q(amount_basis__in=[*AmountBasis.values, ""]), name="contribution_amount_basis_valid"
            ),
            models.CheckConstraint(
                condition=Q(announced_precision__in=DatePrecision.values), name="contribution_precision_valid"
            ),
        ]
        indexes = [
            # The lists sort by (announced, id): ending each index in that order lets a filtered page
            # be read off the index in order, LIMIT rows, instead of sorting every match.
            models.Index(fields=["nation", "category", "announced", "id"], name="contribution_nation_cat_idx"),
            # A nation's profile and list without a category: SQLite otherwise sorts all of a leading
            # nation's rows (150,000 of a million) for the first 50.
            models.Index(fields=["nation", "announced", "id"], name="contribution_nation_date_idx"),
            # Counts by nation, category and status (the summary, facets, a nation's profile) read this
            # index alone, in group order, without touching the table.
            models.Index(fields=["nation", "category", "status"], name="contribution_nation_status_idx"),
            models.Index(fields=["category", "status"], name="contribution_cat_status_idx"),
            models.Index(fields=["status"], name="contribution_status_idx"),
            models.Index(fields=["announced", "id"], name="contribution_announced_idx"),
        ]

    def __str__(self):
        return f"{self.nation}: {self.get_category_display()} ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("contribution-detail", args=[self.pk])

    def clean(self):
        errors = {}
        negatives = {
            "quantity": "Quantity cannot be negative.",
            "quantity_before": "The earlier quantity cannot be negative.",
            "amount": "Amount cannot be negative.",
        }
        for field, message in negatives.items():
            if getattr(self, field) is not None and getattr(self, field) < 0:
                errors[field] = message
        if self.amount is not None and not self.currency:
            errors["currency"] = "An amount needs a currency."
        if self.currency and self.amount is None:
            errors["amount"] = "A currency needs an amount."
        if self.currency and self.currency != "USD":
            errors["currency"] = "Convert the amount to US dollars and enter USD."
        if self.quantity is not None and not self.unit:
            errors["unit"] = "A quantity needs a unit."
        if self.quantity_before is not None and self.quantity is None:
            errors["quantity"] = "An earlier quantity needs the new quantity too."
        if errors:
            raise ValidationError(errors)

    @property
    def announced_display(self):
        return format_date(self.announced, self.announced_precision)


class CapabilityRequest(models.Model):
    """A capability the coalition's leaders asked partners to supply, not yet tied to one nation."""

    capability = models.CharField(max_length=30, choices=Capability.choices)
    category = models.CharField(max_length=30, choices=Category.choices)
    description = models.TextField()
    requested_by = models.ForeignKey(
        Nation, on_delete=models.PROTECT, related_name="capability_requests", help_text="The nation asking."
    )
    official = models.ForeignKey(
        Official, on_delete=models.PROTECT, null=True, blank=True, related_name="capability_requests"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="capability_requests"
    )
    announced = models.DateField(null=True, blank=True)
    announced_precision = models.CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["announced", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capability__in=Capability.values), name="request_capability_valid"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="request_category_valid"),
        ]
        indexes = [models.Index(fields=["capability"], name="request_capability_idx")]

    def __str__(self):
        return f"{self.get_capability_display()} requested by {self.requested_by}"

    def get_absolute_url(self):
        return reverse("matrix") + f"#request-{self.pk}"

    @property
    def announced_display(self):
        return format_date(self.announced, self.announced_precision)


# The kinds of record a citation can support; the constraint on Citation enforces exactly one.
CITATION_TARGETS = ("nation", "official", "meeting", "participation", "figure", "contribution", "capability_request")


def exactly_one_of(fields):
    """A condition true when exactly one of the nullable foreign keys is set."""
    return reduce(
        or_,
        (Q(**{f"{other}__isnull": other != f for other in fields}) for f in fields),
    )


class Citation(models.Model):
    """A verbatim quote from a source that supports exactly one record."""

    TARGETS = CITATION_TARGETS

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(help_text="Copied character for character, curly quotes included.")
    note = models.CharField(max_length=300, blank=True, help_text="What the quote establishes, where not obvious.")
    nation = models.ForeignKey(Nation, on_delete=models.CASCADE, null=True, blank=True, related_name="citations")
    official = models.ForeignKey(Official, on_delete=models.CASCADE, null=True, blank=True, related_name="citations")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="citations")
    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    figure = models.ForeignKey(Figure, on_delete=models.CASCADE, null=True, blank=True, related_name="citations")
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    capability_request = models.ForeignKey(
        CapabilityRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="citations"
    )
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["source__published", "pk"]
        constraints = [
            # A citation with no record proves nothing; one with two is ambiguous about what it supports.
            models.CheckConstraint(
                condition=exactly_one_of(CITATION_TARGETS),
                name="citation_exactly_one_target",
                violation_error_message="A citation supports exactly one record.",
            ),
            # An empty quote cites nothing.
            models.CheckConstraint(
                condition=~Q(quote=""), name="citation_quote_not_empty", violation_error_message="The quote is empty."
            ),
        ]

    def __str__(self):
        quote = self.quote if len(self.quote) <= 80 else self.quote[:77] + "…"
        return f"“{quote}” ({self.source.outlet})"

    def get_absolute_url(self):
        target = self.target
        base = target.get_absolute_url() if target else self.source.get_absolute_url()
        return f"{base.split('#')[0]}#citation-{self.pk}"

    @classmethod
    def from_db(cls, db, field_names, values):
        citation = super().from_db(db, field_names, values)
        # A quote moved to another contribution leaves the old one's search text to rebuild too.
        citation.loaded_contribution_id = citation.__dict__.get("contribution_id")
        return citation

    @property
    def target(self):
        for name in self.TARGETS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None

    def clean(self):
        # "None chosen" is left to the constraint: in an inline the parent is not set yet.
        chosen = [name for name in self.TARGETS if getattr(self, f"{name}_id")]
        if len(chosen) > 1:
            raise ValidationError("Choose exactly one record for this citation to support.")


class DataVersion(models.Model):
    """One row whose token changes with every write to the data: the key of every cached aggregate.

    See contributions/cache.py. A random token rather than a counter, so a rolled-back transaction
    (or test) that restores an old value cannot revive entries cached for other data.
    """

    token = models.CharField(max_length=32)

    def __str__(self):
        return self.token
