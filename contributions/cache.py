"""Cached aggregates (row counts, facet counts, the summary) that every write invalidates.

gunicorn runs several worker processes, each with its own LocMemCache, so a write in one worker
cannot delete another worker's entries. Instead every key includes the data version: a random
token in one database row that a signal replaces on every write to a content model, in the same
transaction as the write. A request reads the token once; after a write, every worker asks for
new keys, and the old entries age out unread.

Writes that bypass model signals (QuerySet.update(), bulk_create(), raw SQL) must call bump()
themselves, as generate_synthetic does.
"""

import hashlib
import threading
import uuid
from functools import wraps

from django.core.cache import cache
from django.core.paginator import Paginator
from django.core.signals import request_finished, request_started
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.functional import cached_property

# Long enough to matter, short enough that entries under old versions do not pile up for long.
TIMEOUT = 600

_request = threading.local()


def current():
    """The data version: read once per request, on every call outside one."""
    from .models import DataVersion

    token = getattr(_request, "token", None)
    if token is None:
        token = DataVersion.objects.filter(pk=1).values_list("token", flat=True).first() or "none"
        if getattr(_request, "active", False):
            _request.token = token
    return token


def bump(**kwargs):
    """Give the data a new version, in the current transaction. A signal receiver, hence **kwargs."""
    from .models import DataVersion

    token = uuid.uuid4().hex
    if not DataVersion.objects.filter(pk=1).update(token=token):
        # A fresh or flushed database. ignore_conflicts: a concurrent first write may create it too.
        DataVersion.objects.bulk_create([DataVersion(pk=1, token=token)], ignore_conflicts=True)
    if getattr(_request, "active", False):
        _request.token = token


def cached(name, sql_source, compute):
    """compute(), cached under the data version and the SQL it runs (which captures every filter)."""
    return remember(name, sql_source.query.sql_with_params(), compute)


def key(name, material):
    """A cache key under the current data version for `material`, whatever else the value depends on."""
    digest = hashlib.sha1(repr(material).encode()).hexdigest()
    return f"agg:{name}:{current()}:{digest}"


def remember(name, material, compute):
    """compute(), cached under the data version and `material`."""
    key_ = key(name, material)
    value = cache.get(key_)
    if value is None:
        value = compute()
        cache.set(key_, value, TIMEOUT)
    return value


def cached_page(view):
    """A view decorator: keep the page under the data version and its URL until the next write.

    Rendering a page of rows costs more than fetching them. Only for pages that read the same for every
    visitor: no user, session, CSRF token or CSP nonce in them, and no headers of the view's own.
    Streamed downloads, statuses other than 200 and 400, and methods other than GET pass through.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "GET":
            return view(request, *args, **kwargs)
        key_ = key("page", request.build_absolute_uri())
        stored = cache.get(key_)
        if stored is not None:
            status, content_type, content = stored
            return HttpResponse(content, status=status, content_type=content_type)
        response = view(request, *args, **kwargs)
        if not response.streaming and response.status_code in (200, 400):
            cache.set(key_, (response.status_code, response["Content-Type"], response.content), TIMEOUT)
        return response

    return wrapped


def _start(**kwargs):
    _request.active = True
    _request.token = None


def _finish(**kwargs):
    _request.active = False
    _request.token = None


def connect():
    from . import models

    watched = [
        models.Source,
        models.Nation,
        models.Official,
        models.Meeting,
        models.Participation,
        models.Figure,
        models.Contribution,
        models.CapabilityRequest,
        models.Citation,
    ]
    for model in watched:
        post_save.connect(bump, sender=model, dispatch_uid=f"data_version_save_{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"data_version_delete_{model.__name__}")
    m2m_changed.connect(bump, sender=models.Meeting.officials.through, dispatch_uid="data_version_officials")
    request_started.connect(_start, dispatch_uid="data_version_request_started")
    request_finished.connect(_finish, dispatch_uid="data_version_request_finished")


class CachedCountPaginator(Paginator):
    """A Paginator whose total is cached: an exact COUNT over a million rows costs more than the page.

    With count_limit, it counts no further than that: a search for a common word matches most of the
    table, and counting every match would cost as much as reading it. Past the limit, `count` is the
    limit, `count_exact` is False, and the pages stop there.
    """

    def __init__(self, object_list, per_page, count_limit=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_limit = count_limit

    @cached_property
    def count(self):
        if self.count_limit is None:
            return cached("count", self.object_list.order_by(), self.object_list.count)
        return min(self.counted, self.count_limit)

    @property
    def count_exact(self):
        return self.count_limit is None or self.counted <= self.count_limit

    @cached_property
    def counted(self):
        # One row past the limit tells a total of exactly the limit from a larger one.
        head = self.object_list.order_by()[: self.count_limit + 1]
        return cached("count-bounded", head, head.count)
