"""Sustained mixed load: researchers reading and an editor writing at once, on PostgreSQL.

    .venv/bin/python bench/load.py                          # 32 connections for 60 s
    .venv/bin/python bench/load.py --duration 10 --connections 8

Builds a fresh PostgreSQL database (migrate, the curated fixtures, 10,000 synthetic contributions),
serves it on 127.0.0.1 with gunicorn as the Dockerfile runs it (production settings, DEBUG off, three
sync workers), and drives it with wrk. Four requests in five are GETs across the API's lists, details
and summary and the researchers' pages; one in five is a PATCH by an editor's token, sent with the
ETag of the latest version of that contribution the client has seen (its own read, or the answer to
an earlier PATCH). A 412 is the right answer when another write got there first; any 5xx, other
unexpected status, timeout or connection error is an error.

Afterwards it checks that every acknowledged PATCH left exactly one history row. It prints requests,
req/s, latency percentiles and errors, and writes bench/results/load.json. Anonymous throttling is
lifted (API_ANON_RATE), as bench/run.py does: the load comes from one address.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from server import PYTHON, ROOT, fresh_postgres, production_env, run, shell, stop
from server import serve as start_gunicorn

RESULTS = ROOT / "bench" / "results"
DATABASE = "coalition_load"
EDITOR = "load-editor"

# GETs other than the reads that precede a write, with their weights. {id}, {code} and {slug} are filled
# in per request from the records in the database.
READS = [
    (8, "/api/v1/contributions/?page_size=50"),
    (6, "/api/v1/contributions/?nation={code}&category=military"),
    (3, "/api/v1/contributions/?q=carrier&page_size=20"),
    (2, "/api/v1/contributions/?pagination=cursor&page_size=100"),
    (10, "/api/v1/contributions/{id}/"),
    (3, "/api/v1/summary/"),
    (3, "/api/v1/nations/"),
    (4, "/api/v1/nations/{code}/"),
    (2, "/api/v1/meetings/{slug}/"),
    (5, "/contributions/"),
    (5, "/contributions/?nation={code}&category=military"),
    (5, "/contributions/{id}/"),
    (4, "/nations/{code}/"),
    (2, "/nations/"),
    (2, "/meetings/"),
    (3, "/"),
]

LUA = r"""
-- Filled in by bench/load.py.
local token = "@TOKEN@"
local reads = @READS@
local ids = @IDS@
local hot = @HOT@
local codes = @CODES@
local slugs = @SLUGS@

-- In the main Lua state: one entry per wrk thread, for done() to add up.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)  -- a global in that thread's own Lua state
end

-- Per thread: what was sent, what came back, and the ETags seen for the contributions it writes to.
sent = {get = 0, patch = 0, fallback = 0, applied = 0}
statuses = {}
local etags = {}     -- contribution id -> latest ETag seen
local ready = {}     -- ids with an ETag waiting to be written with
local n = 0
local edits = 0
local auth = {["Authorization"] = "Token " .. token}

function init(args)
  math.randomseed(os.time() + id * 7919)
end

local function fill(path)
  path = path:gsub("{id}", function() return ids[math.random(#ids)] end)
  path = path:gsub("{code}", function() return codes[math.random(#codes)] end)
  path = path:gsub("{slug}", function() return slugs[math.random(#slugs)] end)
  return path
end

local function pick_read()
  local roll = math.random(reads.total)
  for _, entry in ipairs(reads) do
    roll = roll - entry[1]
    if roll <= 0 then return fill(entry[2]) end
  end
end

request = function()
  n = n + 1
  local slot = n % 5
  if slot == 0 and #ready > 0 then
    -- A write: the most recently read contribution, with the ETag read.
    local id = table.remove(ready)
    local etag = etags[id]
    etags[id] = nil
    edits = edits + 1
    sent.patch = sent.patch + 1
    local body = string.format('{"description": "Edited under load by thread %d, edit %d"}', id, edits)
    -- Answered indented, so response() can tell a PATCH's 200 from a GET's.
    local headers = {["Authorization"] = auth["Authorization"], ["If-Match"] = etag,
                     ["Content-Type"] = "application/json", ["Accept"] = "application/json; indent=1"}
    return wrk.format("PATCH", "/api/v1/contributions/" .. id .. "/", headers, body)
  end
  sent.get = sent.get + 1
  if slot == 0 then
    sent.fallback = sent.fallback + 1  -- no ETag waiting yet: a read instead
  end
  if slot == 4 then
    -- The read before a write: one of a few hot records, so that writers collide.
    return wrk.format("GET", "/api/v1/contributions/" .. hot[math.random(#hot)] .. "/", auth)
  end
  return wrk.format("GET", pick_read())
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 and body:sub(1, 2) == "{\n" then
    sent.applied = sent.applied + 1
  elseif status == 200 and headers["ETag"] then
    local id = body:match('^{"url":"[^"]*/api/v1/contributions/(%d+)/"')
    if id then
      if not etags[id] then table.insert(ready, id) end
      etags[id] = headers["ETag"]
      -- Keep the newest few: an old ETag is bound to be stale.
      if #ready > 8 then etags[table.remove(ready, 1)] = nil end
    end
  end
end

done = function(summary, latency, requests)
  local total = {get = 0, patch = 0, fallback = 0, applied = 0}
  local codes_seen = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("sent")
    for k, v in pairs(s) do total[k] = total[k] + v end
    for code, count in pairs(thread:get("statuses")) do
      codes_seen[tostring(code)] = (codes_seen[tostring(code)] or 0) + count
    end
  end
  local parts = {}
  for code, count in pairs(codes_seen) do table.insert(parts, string.format('"%s": %d', code, count)) end
  local e = summary.errors
  io.write(string.format(
    'LOAD {"requests": %d, "duration_us": %d, "bytes": %d, '
    .. '"sent": {"get": %d, "patch": %d, "fallback": %d, "applied": %d}, '
    .. '"statuses": {%s}, "socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
    .. '"latency_us": {"mean": %.0f, "stdev": %.0f, "p50": %d, "p75": %d, "p90": %d, "p95": %d, "p99": %d, '
    .. '"p999": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes, total.get, total.patch, total.fallback, total.applied,
    table.concat(parts, ", "), e.connect, e.read, e.write, e.timeout,
    latency.mean, latency.stdev, latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency:percentile(99.9), latency.max))
end
"""


def build(env, contributions):
    run([PYTHON, "manage.py", "migrate", "-v0"], env)
    run([PYTHON, "manage.py", "load_curated", "-v0"], env)
    run(
        [PYTHON, "manage.py", "generate_synthetic", "--contributions", str(contributions), "--seed", "1", "--force"],
        env,
    )
    # With DEBUG off the pages need the static files' manifest.
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    script = (
        "from django.contrib.auth.models import Group, User\n"
        "from knox.models import AuthToken\n"
        f"user = User.objects.create_user({EDITOR!r}, is_staff=True)\n"
        "user.groups.add(Group.objects.get(name='Editors'))\n"
        "print(AuthToken.objects.create(user=user)[1])\n"
    )
    return shell(env, script).strip()


def serve(env, port, workers, threads, log):
    options = ["--workers", str(workers), "--timeout", "30", "--access-logfile", "-"]
    if threads > 1:
        options += ["--threads", str(threads)]
    # The log goes to a file: every 412 is a logged warning, enough to fill a pipe and stall the server.
    return start_gunicorn(env, port, options, stderr=log.open("w"))


def server_errors_logged(log):
    """Lines of the server's log about errors: tracebacks, worker timeouts and restarts.

    Left out: gunicorn's start-up and shut-down lines, and Django's warnings for 4xx answers.
    """
    lines = log.read_text(errors="replace").splitlines()
    routine = r"^(Precondition Failed|Bad Request|Not Found): |^\[[^]]+\] \[\d+\] \[INFO\] "
    return [line for line in lines if not re.search(routine, line)]


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def targets(base):
    """Records to read and write: contribution ids, nation codes, meeting slugs."""
    ids = [row["id"] for row in get_json(f"{base}/api/v1/contributions/?page_size=500&ordering=-id")["results"]]
    codes = [row["code"].lower() for row in get_json(f"{base}/api/v1/nations/?ordering=-contributions")["results"]]
    slugs = [row["slug"] for row in get_json(f"{base}/api/v1/meetings/?page_size=100")["results"]]
    random.Random(1).shuffle(ids)
    return {"ids": ids, "hot": ids[:16], "codes": codes[:20], "slugs": slugs}


def lua_list(values):
    return "{" + ", ".join(json.dumps(str(value)) for value in values) + "}"


def lua_script(token, records):
    reads = ", ".join(f"{{{weight}, {json.dumps(path)}}}" for weight, path in READS)
    total = sum(weight for weight, _ in READS)
    replacements = {
        "@TOKEN@": token,
        "@READS@": f"{{{reads}, total = {total}}}",
        "@IDS@": lua_list(records["ids"]),
        "@HOT@": lua_list(records["hot"]),
        "@CODES@": lua_list(records["codes"]),
        "@SLUGS@": lua_list(records["slugs"]),
    }
    script = LUA
    for marker, value in replacements.items():
        script = script.replace(marker, value)
    return script


def acknowledged_in_history(env):
    """Contribution history rows the load's editor left: one per acknowledged PATCH."""
    script = (
        "from contributions.models import Contribution\n"
        f"print(Contribution.history.filter(history_user__username={EDITOR!r}, history_type='~').count())\n"
    )
    return int(shell(env, script))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=60, help="Seconds of load.")
    parser.add_argument("--connections", type=int, default=32, help="Concurrent connections.")
    parser.add_argument("--contributions", type=int, default=10000, help="Synthetic contributions to add.")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (the Dockerfile's 3).")
    parser.add_argument("--threads", type=int, default=1, help="Threads per worker (1: sync, as in the Dockerfile).")
    parser.add_argument("--port", type=int, default=8777)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")

    # Other work on the machine skews every figure; the load average before we start says whether there is any.
    idle_check = os.getloadavg()
    env = production_env(fresh_postgres(DATABASE))
    print(f"Building {DATABASE}: curated data and {args.contributions:,} synthetic contributions", flush=True)
    token = build(env, args.contributions)
    workdir = Path(tempfile.mkdtemp(prefix="coalition-load-"))
    log = workdir / "gunicorn.log"
    server = serve(env, args.port, args.workers, args.threads, log)
    base = f"http://127.0.0.1:{args.port}"
    try:
        script = workdir / "load.lua"
        script.write_text(lua_script(token, targets(base)))
        print(f"Load: {args.connections} connections for {args.duration} s against {base}", flush=True)
        output = subprocess.run(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s", "-s", str(script), base],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        stop(server)
    report = json.loads(re.search(r"^LOAD (.*)$", output, re.M).group(1))
    result = summarize(report, args, acknowledged_in_history(env), server_errors_logged(log))
    result["load_average_at_start"] = [round(value, 2) for value in idle_check]
    print_result(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(result, indent=2) + "\n")
    sys.exit(1 if result["errors"]["total"] else 0)


def summarize(report, args, history_rows, server_log):
    statuses = {int(code): count for code, count in report["statuses"].items()}
    conflicts = statuses.get(412, 0)
    patches_ok = report["sent"]["applied"]
    server_errors = sum(count for code, count in statuses.items() if code >= 500)
    unexpected = {code: count for code, count in statuses.items() if code not in (200, 412) and code < 500}
    socket_errors = sum(report["socket_errors"].values())
    seconds = report["duration_us"] / 1e6
    latency = {name: round(value / 1000, 1) for name, value in report["latency_us"].items()}
    # A PATCH still in flight when wrk stopped may have been applied with its answer unread: history can
    # hold a few more rows than acknowledged writes, never fewer.
    lost = max(0, patches_ok - history_rows)
    return {
        "database": "postgresql",
        "contributions": args.contributions,
        "connections": args.connections,
        "duration_s": round(seconds, 1),
        "gunicorn": {"workers": args.workers, "threads": args.threads},
        "requests": report["requests"],
        "requests_per_s": round(report["requests"] / seconds, 1),
        "gets": report["sent"]["get"],
        "patches": report["sent"]["patch"],
        "patches_acknowledged": patches_ok,
        "conflicts_412": conflicts,
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "latency_ms": latency,
        "history_rows_for_acknowledged_patches": history_rows,
        "errors": {
            "server_5xx": server_errors,
            "unexpected_status": {str(code): count for code, count in unexpected.items()},
            "socket": report["socket_errors"],
            "lost_writes": lost,
            "total": server_errors + sum(unexpected.values()) + socket_errors + lost,
        },
        # Anything the server logged besides the 4xx warnings: tracebacks, worker timeouts, restarts.
        "server_log": server_log[-40:],
    }


def print_result(result):
    latency = result["latency_ms"]
    errors = result["errors"]
    print(
        f"\n{result['requests']:,} requests in {result['duration_s']} s: {result['requests_per_s']} req/s "
        f"({result['gets']:,} GET, {result['patches']:,} PATCH: {result['patches_acknowledged']:,} applied, "
        f"{result['conflicts_412']:,} answered 412)"
    )
    print(
        f"latency ms: p50 {latency['p50']}  p75 {latency['p75']}  p90 {latency['p90']}  p95 {latency['p95']}  "
        f"p99 {latency['p99']}  p99.9 {latency['p999']}  max {latency['max']}"
    )
    print(f"statuses: {result['statuses']}")
    print(
        f"errors: {errors['total']} (5xx {errors['server_5xx']}, unexpected {errors['unexpected_status']}, "
        f"socket {errors['socket']}, acknowledged writes missing from history {errors['lost_writes']})"
    )
    print(f"history rows for the editor's PATCHes: {result['history_rows_for_acknowledged_patches']:,}")
    print(f"load average when the script started (1, 5, 15 min): {result['load_average_at_start']}")


if __name__ == "__main__":
    main()
