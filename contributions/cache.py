"""The versioned cache: pages, fragments and values that every write to the data invalidates.

Every key includes the data version: a random token in one database row that a signal replaces on
every write to a content model, in the same transaction as the write. A request reads the token once;
after a write, every worker asks for new keys, and the old entries age out unread. So no worker serves
anything older than the last write, whether the cache is per process or shared (Redis).

There is one way in, `versioned()`; `cached_page` is the same for a whole page, and `remembered()` the
same in the process's own memory, for small values read on nearly every request.

Writes that bypass model signals (QuerySet.update(), bulk_create(), raw SQL) must call bump()
themselves, as generate_synthetic does.
"""

import hashlib
import itertools
import threading
import uuid
from functools import wraps

from django.core.cache import cache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.signals import request_finished, request_started
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse

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


def versioned(name, material, compute, keep=None):
    """compute(), kept under the data version and `material` until the next write.

    `material` is whatever else the value depends on: a URL, a tuple, or a QuerySet, which stands for
    its SQL and parameters (and so for every filter on it). `keep(value)` False leaves a value uncached.
    """
    if isinstance(material, QuerySet):
        material = material.query.sql_with_params()
    digest = hashlib.sha1(repr(material).encode()).hexdigest()
    key = f"v:{name}:{current()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        if keep is None or keep(value):
            cache.set(key, value, TIMEOUT)
    return value


# This process's own values under the data version it read them at: see remembered().
_remembered = {"token": None, "values": {}}
REMEMBERED_MAX = 20_000


def remembered(name, material, compute):
    """compute(), kept in this process's memory under the data version and `material` until the next write.

    For small values read by nearly every request and rebuilt in microseconds, such as a nation's compact
    form in the API or a facet's choices: fetching them from the shared cache would cost more than
    building them. The data version is the same as versioned()'s, so they go stale at the same moment;
    the whole store is dropped when it changes, and it holds REMEMBERED_MAX values at the most.
    """
    token = current()
    if _remembered["token"] != token:
        _remembered["token"], _remembered["values"] = token, {}
    values = _remembered["values"]
    key = (name, material)
    if key not in values:
        value = compute()
        if len(values) >= REMEMBERED_MAX:
            values.clear()
        values[key] = value
    return values[key]


def forget():
    """Drop every remembered value: for tests, whose rolled-back writes leave the data version unchanged."""
    _remembered["token"], _remembered["values"] = None, {}


class FileCache(FileBasedCache):
    """Django's file cache, which looks at its folder on one write in CULL_EVERY instead of on each.

    FileBasedCache lists every file in its folder on every set(), to decide whether to cull: 2.2 ms a
    write at 3,000 entries and about 11 ms at the 20,000 the settings allow, more than the page it keeps.
    A folder can so pass MAX_ENTRIES by at most CULL_EVERY entries per worker before it is culled.
    """

    def _cull(self):
        if next(_writes) % CULL_EVERY == 0:
            super()._cull()


CULL_EVERY = 100
_writes = itertools.count(1)


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
        passed = []

        def render():
            response = view(request, *args, **kwargs)
            if response.streaming or response.status_code not in (200, 400):
                passed.append(response)
                return None
            return (response.status_code, response["Content-Type"], response.content)

        stored = versioned("page", request.build_absolute_uri(), render, keep=lambda value: value is not None)
        if passed:
            return passed[0]
        status, content_type, content = stored
        return HttpResponse(content, status=status, content_type=content_type)

    return wrapped


def _start(**kwargs):
    _request.active = True
    _request.token = None


def _finish(**kwargs):
    _request.active = False
    _request.token = None


def connect():
    from .models import CONTENT_MODELS, Contribution, LineOfEffort, Meeting

    for model in CONTENT_MODELS:
        post_save.connect(bump, sender=model, dispatch_uid=f"data_version_save_{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"data_version_delete_{model.__name__}")
    m2m_changed.connect(bump, sender=Meeting.officials.through, dispatch_uid="data_version_officials")
    m2m_changed.connect(bump, sender=LineOfEffort.contributions.through, dispatch_uid="data_version_line_contributions")
    m2m_changed.connect(bump, sender=LineOfEffort.requests.through, dispatch_uid="data_version_line_requests")
    m2m_changed.connect(bump, sender=Contribution.theatres.through, dispatch_uid="data_version_theatres")
    request_started.connect(_start, dispatch_uid="data_version_request_started")
    request_finished.connect(_finish, dispatch_uid="data_version_request_finished")
