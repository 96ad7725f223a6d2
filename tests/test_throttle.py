"""Throttles count each real client once: forged X-Forwarded-For values, tokens and downloads (finding 11)."""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

PROXY = "10.0.0.2"


@pytest.fixture
def rates(monkeypatch):
    """Small rates; DRF's throttles read theirs once, at import, so the class attribute is replaced."""
    values = {"anon": "10/minute", "user": "5/minute", "download": "2/minute"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", values)
    return values


def statuses(client, count, path="/api/v1/nations/", **headers):
    return [client.get(path, **headers).status_code for _ in range(count)]


def test_it_refuses_forged_forwarded_addresses_after_the_limit_by_default(db, rates):
    client = APIClient(REMOTE_ADDR="198.51.100.9")
    codes = [client.get("/api/v1/nations/", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(45)]
    assert codes == [200] * 10 + [429] * 35


def test_behind_one_trusted_proxy_only_the_address_it_appended_counts(db, rates, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = APIClient(REMOTE_ADDR=PROXY)
    codes = [
        client.get("/api/v1/nations/", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}, 198.51.100.9").status_code
        for i in range(45)
    ]
    assert codes == [200] * 10 + [429] * 35
    # Another client behind the same proxy has a count of its own.
    assert client.get("/api/v1/nations/", HTTP_X_FORWARDED_FOR="198.51.100.10").status_code == 200


def test_token_users_have_a_rate_of_their_own(db, rates, editor):
    _, key = AuthToken.objects.create(user=editor)
    client = APIClient(REMOTE_ADDR="198.51.100.9")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert statuses(client, 7) == [200] * 5 + [429] * 2
    # Counted by account, not address: the same account from elsewhere is still over its limit.
    elsewhere = APIClient(REMOTE_ADDR="198.51.100.77")
    elsewhere.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert elsewhere.get("/api/v1/nations/").status_code == 429


def test_whole_table_downloads_have_a_rate_of_their_own(db, rates):
    client = APIClient(REMOTE_ADDR="198.51.100.9")
    assert client.get("/api/v1/nations/", {"format": "csv"}).status_code == 200
    assert client.get("/api/v1/export/").status_code == 200
    refused = client.get("/api/v1/contributions/", {"format": "csv"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # Pages of JSON are not downloads: they still count only against the anonymous rate.
    assert client.get("/api/v1/nations/").status_code == 200
