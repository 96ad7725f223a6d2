"""Benchmark: build databases of growing size, serve them with gunicorn (production settings, DEBUG
off) and drive the main endpoints with wrk from a second process.

    python bench/run.py                         # 10k, 100k and 1M on PostgreSQL and SQLite
    python bench/run.py --sizes 10000 --databases sqlite --duration 5

Prints a table and writes it as JSON and Markdown under bench/results/.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from server import PYTHON, ROOT, clear_cache, existing_postgres, fresh_postgres, generate, production_env, run, stop
from server import serve as start_gunicorn

RESULTS = ROOT / "bench" / "results"
PORT = 8765
CONCURRENCY = 8

DEEP_PAGE = "deep cursor"
DEEP_PAGE_NUMBER = 1000

# (name, path). Nation "af" is the heaviest contributor in the synthetic data (Zipf rank 1).
ENDPOINTS = [
    ("api filtered page", "/api/v1/contributions/?nation=af&category=military&page_size=50"),
    ("api search", "/api/v1/contributions/?q=carrier&page_size=50"),
    # The cursor for about page 1,000 is fetched first (deep_cursor_path): the path is a placeholder.
    ("api deep page (cursor)", DEEP_PAGE),
    ("api summary", "/api/v1/summary/"),
    ("html list with facets", "/contributions/?nation=af&category=military"),
    # The same pages as they stood on a date: each row's state read from its status events.
    ("api filtered page as of", "/api/v1/contributions/?nation=af&category=military&page_size=50&as_of=2016-06-01"),
    ("html list with facets as of", "/contributions/?nation=af&category=military&as_of=2016-06-01"),
    ("html nation profile", "/nations/af/"),
    ("html nation profile as of", "/nations/af/?as_of=2016-06-01"),
    ("html matrix", "/matrix/"),
    ("html matrix as of", "/matrix/?as_of=2016-06-01"),
    ("html site search", "/search/?q=carrier"),
    ("api site search", "/api/v1/search/?q=carrier&page_size=50"),
]
# Pages are cached under the data version until the next write, so the rows above measure a page
# served again. These are measured a second time with a parameter that changes on every request
# (and that every view ignores): each request then renders its page, as after a write or on a first visit.
UNCACHED = [
    "api filtered page",
    "api search",
    "api deep page (cursor)",
    "html list with facets",
    "api filtered page as of",
    "html list with facets as of",
    "html nation profile",
    "html nation profile as of",
    "html matrix",
    "html matrix as of",
    "html site search",
    "api site search",
]
DATABASES = ["postgresql", "sqlite"]
CSV_EXPORT = "/api/v1/contributions/?format=csv"
CSV_EXPORT_SIZE = 100_000

# wrk prints these after the run; its own summary has no p95.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %d %.0f %.0f %.0f\\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""

# Each wrk thread has its own Lua state: the thread number keeps their parameters apart.
UNCACHED_SCRIPT = """
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end
counter = 0
request = function()
  counter = counter + 1
  local glue = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. glue .. "uncached=" .. id .. "-" .. counter)
end
"""


def build(database, size, workdir, reuse=False):
    """The environment of a database of `size` contributions, and the seconds it took to build (None
    when an earlier run's database was kept)."""
    if database == "postgresql" and reuse and (url := existing_postgres(f"bench_{size}")):
        # The database an earlier run generated: a million rows take half an hour to build again. Its
        # pages are still cached from that run, and the first requests must find nothing there.
        env = production_env(url)
        run([PYTHON, "manage.py", "migrate", "-v0"], env)
        clear_cache(env)
        return env, None
    if database == "sqlite":
        url = f"sqlite:///{workdir}/bench-{size}.sqlite3"
    else:
        url = fresh_postgres(f"bench_{size}")
    env = production_env(url)
    started = time.monotonic()
    generate(env, size)
    return env, time.monotonic() - started


def serve(env):
    return start_gunicorn(env, PORT, ["--workers", "2", "--threads", "4", "--timeout", "120"])


def wrk(path, duration, script):
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONCURRENCY}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            script,
            f"http://127.0.0.1:{PORT}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", output, re.M)
    requests, errors, bad_status, micros, p50, p95, p99 = map(int, match.groups())
    return {
        "requests": requests,
        "rps": round(requests / (micros / 1e6), 1),
        "errors": errors + bad_status,
        "p50_ms": round(p50 / 1000, 1),
        "p95_ms": round(p95 / 1000, 1),
        "p99_ms": round(p99 / 1000, 1),
    }


def worker_rss(server, field):
    """The largest VmRSS (resident now) or VmHWM (peak resident) among the gunicorn workers, in MB."""
    children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    largest = 0
    for pid in children:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        largest = max(largest, int(re.search(rf"{field}:\s+(\d+) kB", status).group(1)))
    return round(largest / 1024, 1)


def deep_cursor_path(page_size=50):
    """The cursor URL of about page 1,000 of 50 rows, walked to in pages of 500 as a client would."""
    walk = 500
    url = f"http://127.0.0.1:{PORT}/api/v1/contributions/?pagination=cursor&page_size={walk}"
    for _ in range(DEEP_PAGE_NUMBER * page_size // walk - 1):
        with urllib.request.urlopen(url, timeout=60) as response:
            following = json.load(response)["next"]
        if following is None:
            break
        url = following
    # The cursor holds a position, not a page size, so the same cursor serves pages of 50.
    return url.split("127.0.0.1:" + str(PORT), 1)[1].replace(f"page_size={walk}", f"page_size={page_size}")


def csv_export():
    started = time.monotonic()
    first_byte = None
    rows = 0
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{CSV_EXPORT}", timeout=600) as response:
        # read1 returns as soon as any bytes arrive; read(n) would wait for n of them.
        while chunk := response.read1(65536):
            first_byte = first_byte or time.monotonic() - started
            rows += chunk.count(b"\n")
    return {
        "rows": rows - 1,
        "first_byte_ms": round((first_byte or 0) * 1000, 1),
        "total_s": round(time.monotonic() - started, 2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--databases", default=",".join(DATABASES))
    parser.add_argument("--duration", type=int, default=10, help="Seconds of load per endpoint.")
    parser.add_argument("--csv-only", action="store_true", help="Measure only the CSV export (at 100,000 rows).")
    parser.add_argument(
        "--endpoints", help="Measure only the endpoints whose names contain one of these, comma-separated."
    )
    parser.add_argument(
        "--reuse", action="store_true", help="Keep a PostgreSQL database an earlier run built at that size."
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: make bench installs it with apt-get.")

    results = []
    workdir = tempfile.mkdtemp(prefix="coalition-bench-")
    cached_script = Path(workdir) / "report.lua"
    cached_script.write_text(WRK_SCRIPT)
    uncached_script = Path(workdir) / "uncached.lua"
    uncached_script.write_text(WRK_SCRIPT + UNCACHED_SCRIPT)
    for database in args.databases.split(","):
        for size in map(int, args.sizes.split(",")):
            env, build_seconds = build(database, size, workdir, args.reuse)
            built = "kept from an earlier run" if build_seconds is None else f"built in {build_seconds:.0f} s"
            print(f"\n{database}, {size:,} contributions ({built})", flush=True)
            if build_seconds is not None:
                results.append(
                    {"database": database, "size": size, "endpoint": "build", "total_s": round(build_seconds, 1)}
                )
            if not args.csv_only:
                server = serve(env)
                try:
                    for name, path in chosen(ENDPOINTS, args.endpoints):
                        if path == DEEP_PAGE:
                            path = deep_cursor_path()
                        first = first_request_ms(path)
                        runs = [(name, cached_script)]
                        if name in UNCACHED:
                            runs.append((f"{name} (uncached)", uncached_script))
                        for label, script in runs:
                            wrk(path, 2, str(script))  # warm caches and connections
                            row = {"database": database, "size": size, "endpoint": label}
                            row.update(wrk(path, args.duration, str(script)), first_ms=first)
                            results.append(row)
                            print(
                                f"  {label:36} p50 {row['p50_ms']:8.1f} ms  p95 {row['p95_ms']:8.1f}  "
                                f"p99 {row['p99_ms']:8.1f}  {row['rps']:8.1f} req/s  errors {row['errors']}  "
                                f"first {first} ms",
                                flush=True,
                            )
                finally:
                    stop(server)
            if size == CSV_EXPORT_SIZE:
                # A server of its own: requests wrk left in flight would delay the first byte, and pages
                # cached under load would count towards the export's memory.
                server = serve(env)
                try:
                    export = {"database": database, "size": size, "endpoint": "csv export"}
                    export.update(baseline_rss_mb=worker_rss(server, "VmRSS"), **csv_export())
                    export.update(peak_rss_mb=worker_rss(server, "VmHWM"))
                finally:
                    stop(server)
                results.append(export)
                print(
                    f"  {'csv export':36} {export['rows']:,} rows in {export['total_s']} s, first byte "
                    f"{export['first_byte_ms']} ms, worker RSS {export['baseline_rss_mb']} MB before, "
                    f"peak {export['peak_rss_mb']} MB",
                    flush=True,
                )
            # After each database, so a long run that fails later keeps what it measured.
            write_results(results)


def chosen(endpoints, names):
    """The endpoints named by --endpoints: those whose names contain one of its comma-separated parts."""
    if not names:
        return endpoints
    parts = names.split(",")
    return [(name, path) for name, path in endpoints if any(part in name for part in parts)]


def first_request_ms(path):
    """The first request for a path after the server starts: nothing cached yet (in that worker)."""
    started = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=600) as response:
        response.read()
    return round((time.monotonic() - started) * 1000, 1)


def write_results(measured):
    """Write the table. Rows this run measured replace those of earlier runs with the same database, size
    and endpoint, so a partial run (--sizes, --databases, --csv-only) updates the table in place."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    latest = RESULTS / "latest.json"
    results = json.loads(latest.read_text()) if latest.exists() else []
    for row in measured:
        same = [i for i, old in enumerate(results) if key(old) == key(row)]
        if same:
            results[same[0]] = row
        else:
            results.append(row)
    results.sort(key=lambda row: (DATABASES.index(row["database"]), row["size"]))
    latest.write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "| database | contributions | endpoint | p50 ms | p95 ms | p99 ms | req/s | errors | first request ms |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results:
        if row["endpoint"] == "build":
            lines.append(
                f"| {row['database']} | {row['size']:,} | build (migrate + generate_synthetic) | | "
                f"total {row['total_s']} s | | | | |"
            )
        elif row["endpoint"] == "csv export":
            lines.append(
                f"| {row['database']} | {row['size']:,} | csv export ({row['rows']:,} rows) | first byte "
                f"{row['first_byte_ms']} | total {row['total_s'] * 1000:.0f} | "
                f"worker RSS {row.get('baseline_rss_mb', '?')} MB "
                f"before, peak {row['peak_rss_mb']} MB | | | |"
            )
        else:
            lines.append(
                f"| {row['database']} | {row['size']:,} | {row['endpoint']} | {row['p50_ms']} | {row['p95_ms']} | "
                f"{row['p99_ms']} | {row['rps']} | {row['errors']} | {row['first_ms']} |"
            )
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n")
    print("\n" + "\n".join(lines))
    print(f"\nWritten to {RESULTS / 'latest.json'} and {RESULTS / 'latest.md'}")


def key(row):
    return row["database"], row["size"], row["endpoint"]


if __name__ == "__main__":
    main()
