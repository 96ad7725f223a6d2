"""Every worker process shares one cache: a value, and a throttle's count, seen by each (issue 13).

Each check runs in its own interpreter, as a gunicorn worker would: with a per-process memory cache,
each would allow the whole rate by itself. Under `make test` this runs on Redis (REDIS_URL), else on
the file cache that `make run` uses.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

ROOT = Path(__file__).resolve().parent.parent

WORKER = """
import json, sys, time
import django
django.setup()
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

command, argument, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
if command == "set":
    cache.set("shared-probe", argument, 60)
    print(json.dumps(None))
elif command == "get":
    print(json.dumps(cache.get("shared-probe")))
else:
    SimpleRateThrottle.THROTTLE_RATES = {"anon": "10/minute"}
    request = RequestFactory().get("/api/v1/nations/", REMOTE_ADDR="198.51.100.9")
    request.user = AnonymousUser()
    while time.time() < start:
        time.sleep(0.001)
    print(json.dumps([AnonRateThrottle().allow_request(request, None) for _ in range(int(argument))]))
"""


def worker(command, argument="", start=0.0):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "coalition.settings"}
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, command, str(argument), str(start)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def result(process):
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return json.loads(out)


def test_it_uses_a_cache_that_processes_share():
    assert settings.CACHES["default"]["BACKEND"] in {
        "django.core.cache.backends.redis.RedisCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    }


def test_a_value_one_process_caches_is_read_by_another():
    result(worker("set", "written by the first worker"))
    assert result(worker("get")) == "written by the first worker"
    assert cache.get("shared-probe") == "written by the first worker"


def test_two_processes_one_after_the_other_share_one_throttle_count():
    first = result(worker("throttle", 6))
    second = result(worker("throttle", 6))
    assert first == [True] * 6
    assert second == [True] * 4 + [False] * 2


def test_two_processes_at_the_same_time_share_one_throttle_count():
    start = time.time() + 3  # both interpreters are up by then, and start checking together
    counts = [result(process) for process in [worker("throttle", 10, start), worker("throttle", 10, start)]]
    allowed = sum(sum(count) for count in counts)
    # Each process alone would allow its 10. DRF reads and writes a count without a lock, so two
    # checks at the very same moment may both pass: a shared count allows 10, give or take that race.
    assert 10 <= allowed < 20
    assert not all(counts[0]) or not all(counts[1])
