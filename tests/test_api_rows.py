"""The API's contribution list builds its rows from .values() (contributions/api/rows.py); the
serializer still defines a row. These hold the two equal on every row of the cast and the curated data,
on the latest state and as of dates before, between and after the changes."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from contributions.api.rows import Rows
from contributions.api.serializers import ContributionSerializer
from contributions.api.views import ContributionViewSet
from contributions.filters import ContributionFilter
from contributions.models import Contribution

API = "/api/v1/contributions/"
DATES = [None, "2014-01-01", "2015-12-15", "2016-02-10", "2016-02-25", "2026-01-01"]


def serialized(params):
    """The rows as the serializer writes them from model instances, in the list's order."""
    request = Request(APIRequestFactory().get(API, params))
    queryset = ContributionFilter(params, ContributionViewSet.queryset, request=request).qs
    data = ContributionSerializer(queryset, many=True, context={"request": request}).data
    return json.loads(json.dumps(data, default=str))


def listed(client, params):
    return client.get(API, {**params, "page_size": 500}).json()["results"]


@pytest.mark.parametrize("as_of", DATES)
def test_the_list_rows_equal_the_serializers_on_every_contribution_of_the_cast(client, dated, as_of):
    params = {"as_of": as_of} if as_of else {}
    rows = listed(client, params)
    assert rows == serialized(params)
    if as_of is None:
        assert len(rows) == Contribution.objects.count() and any(row["theatres"] for row in rows)
        assert any(row["meeting"] for row in rows) and any(row["host"] for row in rows)


@pytest.mark.parametrize("as_of", [None, "2015-12-15", "2016-02-10"])
def test_the_list_rows_equal_the_serializers_on_the_curated_data(client, curated, as_of):
    params = {"as_of": as_of} if as_of else {}
    rows = listed(client, params)
    assert rows and rows == serialized(params)
    assert any(row["lines_of_effort"] for row in rows) and any(row["quantity_before"] for row in rows)


def test_the_carriers_row_follows_its_jets_from_12_to_38(client, dated):
    def carrier(as_of):
        rows = listed(client, {"as_of": as_of, "nation": "fr"})
        return next(row for row in rows if row["id"] == dated.carrier.pk)

    assert carrier("2016-01-15")["quantity"] == 12 and carrier("2016-02-15")["quantity"] == 38
    assert carrier("2016-01-15")["quantity_display"] == "12 aircraft"
    assert carrier("2016-02-15")["quantity_display"] == "12 → 38 aircraft"


def test_a_field_the_rows_cannot_read_fails_loudly_rather_than_leaving_it_out():
    class Extended(ContributionSerializer):
        shout = serializers.SerializerMethodField()

        class Meta(ContributionSerializer.Meta):
            fields = [*ContributionSerializer.Meta.fields, "shout"]

    request = Request(APIRequestFactory().get(API))
    with pytest.raises(ImproperlyConfigured, match="shout"):
        Rows(Extended(context={"request": request}))
