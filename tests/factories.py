"""Small factories for test data. Each builds a valid, cited-free record with sensible defaults."""

import datetime

import factory

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
        django_get_or_create = ("country",)

    country = "FR"
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
