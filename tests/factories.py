"""Small factories for test data. Each builds a valid, cited-free record with sensible defaults."""

import datetime

import factory
from rest_framework.test import APIClient

from contributions import models


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source

    slug = factory.Sequence(lambda n: f"source-{n}")
    outlet = "Test Gazette"
    headline = factory.Sequence(lambda n: f"Headline {n}")
    published = datetime.date(2016, 2, 11)
    url = factory.LazyAttribute(lambda o: f"https://example.org/{o.slug}")


class NationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Nation
        django_get_or_create = ("slug",)

    country = "FR"
    # A country's slug is its code; an organization (country="") names its own.
    slug = factory.LazyAttribute(lambda nation: nation.country.lower())
    role = models.NationRole.MILITARY


class OfficialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Official

    slug = factory.Sequence(lambda n: f"official-{n}")
    name = factory.Sequence(lambda n: f"Official {n}")
    title = "Defense Minister"
    nation = factory.SubFactory(NationFactory)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Meeting

    slug = factory.Sequence(lambda n: f"meeting-{n}")
    title = factory.Sequence(lambda n: f"Ministerial {n}")
    kind = models.MeetingKind.DEFENSE_MINISTERIAL
    city = "Brussels"
    date = datetime.date(2016, 2, 11)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Participation

    meeting = factory.SubFactory(MeetingFactory)
    nation = factory.SubFactory(NationFactory)


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Figure

    meeting = factory.SubFactory(MeetingFactory)
    metric = models.FigureMetric.COUNTRIES_REPRESENTED
    value = 49
    label = "countries represented"


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Contribution

    nation = factory.SubFactory(NationFactory)
    category = models.Category.MILITARY
    capability = models.Capability.AIRCRAFT
    status = models.ContributionStatus.PLEDGED
    description = factory.Sequence(lambda n: f"Contribution {n}")
    announced = datetime.date(2016, 2, 11)


class CapabilityRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CapabilityRequest

    capability = models.Capability.ISR
    category = models.Category.INTELLIGENCE
    description = "Intelligence, surveillance and reconnaissance"
    requested_by = factory.SubFactory(NationFactory, country="US", role=models.NationRole.LEAD)


class LineOfEffortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.LineOfEffort

    slug = factory.Sequence(lambda n: f"line-{n}")
    name = factory.Sequence(lambda n: f"Line of effort {n}")


class LineLeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.LineLead

    line = factory.SubFactory(LineOfEffortFactory)
    partner = factory.SubFactory(NationFactory)


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Citation

    source = factory.SubFactory(SourceFactory)
    quote = "A verbatim quote."
    contribution = factory.SubFactory(ContributionFactory)


def token_for(user):
    """A new API token for the user; the key, which the database keeps only as a hash."""
    from knox.models import AuthToken

    _, key = AuthToken.objects.create(user=user)
    return key


class CarefulAPIClient(APIClient):
    """An API client that reads a record's ETag before it changes it, as If-Match requires of every client.

    Tests of other things write through it; tests of If-Match itself pass the header, or leave it out,
    explicitly (tests/test_api_writes.py).
    """

    def with_etag(self, path, extra):
        if "HTTP_IF_MATCH" not in extra:
            etag = self.get(path).get("ETag")
            if etag:
                extra["HTTP_IF_MATCH"] = etag
        return extra

    def put(self, path, data=None, format=None, content_type=None, follow=False, **extra):
        return super().put(path, data, format, content_type, follow, **self.with_etag(path, extra))

    def patch(self, path, data=None, format=None, content_type=None, follow=False, **extra):
        return super().patch(path, data, format, content_type, follow, **self.with_etag(path, extra))

    def delete(self, path, data=None, format=None, content_type=None, follow=False, **extra):
        return super().delete(path, data, format, content_type, follow, **self.with_etag(path, extra))


def add_event(contribution, status, day, **fields):
    """A status event on `day`, cited from the contribution's first source, as every event must be."""
    event = models.StatusEvent.objects.create(contribution=contribution, status=status, date=day, **fields)
    models.Citation.objects.create(
        source=fields.pop("source", None) or contribution.citations.first().source,
        quote=f"{status} on {day}.",
        status_event=event,
    )
    return event
