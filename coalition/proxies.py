"""The client's address behind NUM_PROXIES trusted proxies, one rule for the API throttles and django-axes."""

from rest_framework.throttling import BaseThrottle


def client_ip(request):
    """What DRF's throttles key on: REMOTE_ADDR, or the address the outermost trusted proxy saw.

    A client can write anything into X-Forwarded-For; only the entries the trusted proxies appended,
    counted from the right, are believed.
    """
    return BaseThrottle().get_ident(request)
