"""A rate of its own for whole-table downloads: /export/ and any list as CSV.

A download costs the server the whole table, a page of JSON fifty rows: the "download" rate counts
them apart, by account or else by address, on top of the anonymous and user rates.
"""

from rest_framework import throttling
from rest_framework.throttling import ScopedRateThrottle

SPREADSHEETS = {"csv", "zip"}


def is_download(request, view):
    # By route name: the export module's views load this module through the settings (a cycle).
    if getattr(request.resolver_match, "url_name", None) == "export":
        return True
    renderer = getattr(request, "accepted_renderer", None)
    return getattr(view, "action", None) == "list" and getattr(renderer, "format", None) in SPREADSHEETS


class DownloadRateThrottle(ScopedRateThrottle):
    scope = "download"

    def allow_request(self, request, view):
        if not is_download(request, view):
            return True
        # ScopedRateThrottle reads the scope from the view; here the request decides it.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super(ScopedRateThrottle, self).allow_request(request, view)


class UserRateThrottle(throttling.UserRateThrottle):
    """Signed-in clients (token or session), by account. Anonymous ones have the "anon" rate alone."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
