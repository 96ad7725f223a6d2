"""Meetings, who took part in them, and the figures reported about them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .choices import (
    DatePrecision,
    FigureMetric,
    MeetingKind,
    MeetingSeries,
    MeetingStatus,
    ParticipationRole,
    Qualifier,
    format_date,
)
from .constraints import date_in_range, known_value, non_negative
from .fields import CharField, DateField, TextField
from .nations import Nation, Official


class MeetingQuerySet(models.QuerySet):
    def held_by(self, day):
        """Those dated on or before `day`: the meetings the tracker knew of then, planned or held."""
        return self.filter(date__lte=day)

    def with_related(self):
        return self.select_related("host", "announced_at").prefetch_related(
            models.Prefetch("participations", queryset=Participation.objects.select_related("nation")),
        )


class Meeting(models.Model):
    """A meeting of the coalition, or about it, where contributions were sought or announced."""

    Kind = MeetingKind

    Status = MeetingStatus

    Series = MeetingSeries

    slug = models.SlugField(max_length=120)
    title = CharField(max_length=300)
    kind = CharField(max_length=30, choices=Kind.choices)
    status = CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    city = CharField(max_length=100, blank=True)
    venue = CharField(max_length=200, blank=True)
    host = models.ForeignKey(Nation, on_delete=models.PROTECT, null=True, blank=True, related_name="hosted_meetings")
    date = DateField(help_text="For a month or season, the first day of it.")
    date_precision = CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    end_date = DateField(null=True, blank=True, help_text="Last day, for a meeting over several days.")
    description = TextField(blank=True)
    series = CharField(
        max_length=40, choices=Series.choices, blank=True, help_text="The series of meetings this one belongs to."
    )
    announced_at = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="announced_meetings",
        help_text="The meeting where this one was announced.",
    )
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
            known_value("kind", MeetingKind, "meeting_kind_valid"),
            known_value("status", MeetingStatus, "meeting_status_valid"),
            known_value("date_precision", DatePrecision, "meeting_precision_valid"),
            # Series group meetings on their pages and in filters, so only known series may be stored.
            known_value("series", MeetingSeries, "meeting_series_valid", blank=True),
            # A meeting cannot be announced at itself.
            models.CheckConstraint(
                condition=~Q(announced_at=F("pk")),
                name="meeting_not_announced_at_itself",
                violation_error_message="A meeting cannot be announced at itself.",
            ),
            # A meeting cannot end before it begins.
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("date")),
                name="meeting_end_after_start",
                violation_error_message="A meeting cannot end before it begins.",
            ),
            # A date outside 1990–2100 is a typing error, and one far off broke the timelines.
            date_in_range("date", "meeting_date_in_range", nullable=False),
            date_in_range("end_date", "meeting_end_date_in_range"),
        ]
        indexes = [
            models.Index(fields=["date"], name="meeting_date_idx"),
            models.Index(fields=["kind"], name="meeting_kind_idx"),
            models.Index(fields=["series", "date"], name="meeting_series_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.date_display})"

    def get_absolute_url(self):
        return reverse("meeting-detail", args=[self.slug])

    def clean(self):
        errors = {}
        if self.end_date and self.date and self.end_date < self.date:
            errors["end_date"] = "A meeting cannot end before it begins."
        if self.announced_at_id and self.pk and self.announced_at_id == self.pk:
            errors["announced_at"] = "A meeting cannot be announced at itself."
        elif self.announced_at and self.date and self.announced_at.date > self.date:
            errors["announced_at"] = "A meeting cannot be announced at one held after it."
        planned = self.pk and self.status == MeetingStatus.PLANNED
        if planned and self.figures.filter(metric__in=Figure.ATTENDANCE_METRICS).exists():
            errors["status"] = "This meeting has attendance figures; remove them before marking it planned."
        if errors:
            raise ValidationError(errors)

    @property
    def as_of_display(self):
        return format_date(self.as_of, self.as_of_precision)

    def neighbours_in_series(self):
        """(previous, next) meeting of the same series by date; None where there is none."""
        if not self.series:
            return None, None
        # A series has a handful of meetings: one query for all of them beats one for each neighbour.
        series = list(Meeting.objects.filter(series=self.series).order_by("date", "pk"))
        place = next(i for i, meeting in enumerate(series) if meeting.pk == self.pk)
        return (series[place - 1] if place else None), (series[place + 1] if place + 1 < len(series) else None)

    def shares_a_day_with(self, other):
        """Whether two meetings known to the day overlap: same_days() asks the database the same."""
        if self.date_precision != DatePrecision.DAY or other.date_precision != DatePrecision.DAY:
            return False
        return other.date <= (self.end_date or self.date) and self.date <= (other.end_date or other.date)

    def same_days(self):
        """Other meetings on any of this one's days: those a reader could take it for."""
        if self.date_precision != DatePrecision.DAY:
            return Meeting.objects.none()
        last = self.end_date or self.date
        overlapping = Q(date__lte=last) & (Q(end_date__gte=self.date) | Q(end_date__isnull=True, date__gte=self.date))
        return Meeting.objects.filter(overlapping, date_precision=DatePrecision.DAY).exclude(pk=self.pk)

    @property
    def date_display(self):
        if self.end_date and self.end_date != self.date and self.date_precision == DatePrecision.DAY:
            end = format_date(self.end_date, DatePrecision.DAY)
            if (self.date.year, self.date.month) == (self.end_date.year, self.end_date.month):
                return f"{self.date.day}–{end}"
            return f"{format_date(self.date, DatePrecision.DAY)} – {end}"
        return format_date(self.date, self.date_precision)


class Participation(models.Model):
    """A nation's part in a meeting: host, participant, observer or invitee."""

    Role = ParticipationRole

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participations")
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="participations")
    role = CharField(max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting__date", "nation__name"]
        constraints = [
            # A nation takes one part in a meeting; two rows would double-count attendance.
            models.UniqueConstraint(fields=["meeting", "nation"], name="participation_unique_nation"),
            known_value("role", ParticipationRole, "participation_role_valid"),
        ]

    def __str__(self):
        return f"{self.nation} at {self.meeting.title} ({self.get_role_display().lower()})"

    def get_absolute_url(self):
        return self.meeting.get_absolute_url() + f"#participation-{self.pk}"


class FigureQuerySet(models.QuerySet):
    def known_on(self, day):
        """Those the tracker knew on `day`: dated by then, or undated and reported by a source by then."""
        from .citations import Citation

        reported = Exists(Citation.objects.filter(figure=OuterRef("pk"), source__published__lte=day))
        return self.filter(Q(as_of__lte=day) | (Q(as_of__isnull=True) & reported))

    def with_bounds(self):
        """Annotate the range of values each figure allows: "more than 24" allows 25 and up, "about 50" 45–55,
        "up to 10" 0–10, "several hundred" (100) 200–900."""
        # In 64 bits: "about 2,147,483,647" allows 10% more, which overflows PostgreSQL's integer (a 500).
        big = models.BigIntegerField()
        value = Cast("value", big)
        return self.annotate(
            low=Case(
                When(qualifier=Qualifier.MORE_THAN, then=value + 1),
                When(qualifier=Qualifier.NEARLY, then=value * 4 / 5),
                When(qualifier=Qualifier.ABOUT, then=value * 9 / 10),
                When(qualifier=Qualifier.UP_TO, then=Value(0)),
                When(qualifier=Qualifier.SEVERAL, then=value * 2),
                default=value,
                output_field=big,
            ),
            high=Case(
                When(qualifier=Qualifier.MORE_THAN, then=Value(2**31 - 1)),
                When(qualifier=Qualifier.NEARLY, then=value - 1),
                When(qualifier=Qualifier.ABOUT, then=value * 11 / 10),
                When(qualifier=Qualifier.SEVERAL, then=value * 9),
                default=value,
                output_field=big,
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

    Qualifier = Qualifier

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
    metric = CharField(max_length=40, choices=Metric.choices)
    qualifier = CharField(max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT)
    value = models.IntegerField()
    out_of = models.IntegerField(null=True, blank=True, help_text='The whole, as in "59 of the 65".')
    label = CharField(max_length=300, help_text="What is counted, in the source's own terms.")
    as_of = DateField(null=True, blank=True)
    as_of_precision = CharField(max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY)
    official = models.ForeignKey(
        Official,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="figures",
        help_text="Who gave the figure, where the source says.",
    )
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = FigureQuerySet.as_manager()

    class Meta:
        ordering = ["meeting__date", "metric", "pk"]
        constraints = [
            # A count of countries cannot be negative.
            non_negative("value", "figure_value_non_negative", "A count cannot be negative.", nullable=False),
            # "59 of the 65": the part cannot exceed the whole.
            models.CheckConstraint(
                condition=Q(out_of__isnull=True) | Q(out_of__gte=F("value")),
                name="figure_part_within_whole",
                violation_error_message="The part cannot exceed the whole.",
            ),
            known_value("metric", FigureMetric, "figure_metric_valid"),
            known_value("qualifier", Qualifier, "figure_qualifier_valid"),
            # The precision says how to read the as-of date, so only a known one may be stored.
            known_value("as_of_precision", DatePrecision, "figure_as_of_precision_valid"),
            # A date outside 1990–2100 is a typing error, and one far off broke the timelines.
            date_in_range("as_of", "figure_as_of_in_range"),
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

    @property
    def as_of_display(self):
        return format_date(self.as_of, self.as_of_precision)
