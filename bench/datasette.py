"""The project beside Datasette 0.65 on the same SQLite file, every page a cache miss.

    python bench/datasette.py                     # 1M contributions, built once into bench/.data/
    python bench/datasette.py --size 100000 --rounds 1 --duration 5

What a miss is: each request asks a query the project has not answered since its cache was emptied
(a partner × category × status, a partner's page deep in its rows, a partner × word search; each
asked once), so no page and no count comes from the cache, and no parameter is added that the answer
ignores. Datasette runs in a virtualenv of its own (bench/.datasette-venv), with facet suggestions off
(`_nosuggest=1`), on the same file, read-only. The pairs are in bench/pairs.py; before measuring,
each JSON pair is checked to return the same rows. The pairs are interleaved over the rounds. Prints
each ratio, the load average, concurrency 1 latency beside concurrency 8 throughput, then the pages
served again from the cache, the first request after a write (the data version bumped before each),
one partner's CSV on both sides with the worker's peak memory, and the SQL floor of the filtered page
(its SELECT timed on its own, and EXPLAIN ANALYZE on PostgreSQL); writes
bench/results/datasette-<size>-<database>.md and .json.
"""

import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from pairs import PAGES, TABLE
from server import (
    ROOT,
    clear_cache,
    existing_postgres,
    fresh_postgres,
    generate,
    production_env,
    serve,
    shell,
    stop,
    wait_until_up,
)

DATA = ROOT / "bench" / ".data"
VENV = ROOT / "bench" / ".datasette-venv"
RESULTS = ROOT / "bench" / "results"
DATASETTE = "datasette==0.65.5"
PROJECT_PORT, DATASETTE_PORT = 8766, 8767

# wrk: every thread walks its own share of the paths in paths.txt, each path once while they last.
WRK_SCRIPT = """
local paths = {}
local errors = function(e) return e.connect + e.read + e.write + e.timeout + e.status end
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end
local counter = 0
request = function()
  local index = (counter * %(threads)d + id - 1) %% #paths + 1
  counter = counter + 1
  return wrk.format(nil, paths[index])
end
done = function(summary, latency, requests)
  io.write(string.format("BENCH %%d %%d %%d %%.0f %%.0f\\n", summary.requests,
    errors(summary.errors),
    summary.duration, latency:percentile(50), latency:percentile(99)))
end
"""


def database(size):
    """The SQLite file of `size` synthetic contributions (seed 1), built on the first run."""
    path = DATA / f"bench-{size}.sqlite3"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        building = path.with_suffix(".building")
        generate(production_env(f"sqlite:///{building}"), size)
        building.rename(path)
    return path


def postgres(size):
    """A PostgreSQL database of the same rows: generate_synthetic with the same seed, into a fresh database."""
    name = f"bench_datasette_{size}"
    if url := existing_postgres(name):
        return url
    url = fresh_postgres(name)
    generate(production_env(url), size)
    return url


def datasette_binary():
    binary = VENV / "bin" / "datasette"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", DATASETTE], check=True)
    return binary


def serve_datasette(path):
    # Immutable (-i): read-only, and counts of the whole table are read once; no facet suggestions.
    command = [str(datasette_binary()), "serve", "-i", str(path), "--port", str(DATASETTE_PORT)]
    command += ["--setting", "sql_time_limit_ms", "60000", "--setting", "facet_time_limit_ms", "60000"]
    command += ["--setting", "max_returned_rows", "1000", "--setting", "num_sql_threads", "3"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    return wait_until_up(server, f"http://127.0.0.1:{DATASETTE_PORT}/-/versions.json", "datasette", tries=150)


def same_rows(db, name, params):
    project, other = (template.format(db=db, **params) for template in PAGES[name][:2])
    ours = [row["id"] for row in fetch_json(PROJECT_PORT, project)["results"]]
    theirs = [row["id"] for row in fetch_json(DATASETTE_PORT, other)["rows"]]
    if ours != theirs or not ours:
        raise SystemExit(f"The {name} pair differs for {params}: {ours[:5]}… against {theirs[:5]}…")


def fetch_json(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120) as response:
        return json.load(response)


def wrk(port, paths, concurrency, duration, workdir):
    listing = workdir / "paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    threads = min(concurrency, 2)
    script = workdir / "cycle.lua"
    script.write_text(WRK_SCRIPT % {"paths": listing, "threads": threads})
    command = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{duration}s", "--timeout", "30s", "-s", str(script)]
    output = subprocess.run([*command, f"http://127.0.0.1:{port}/"], capture_output=True, text=True, check=True)
    line = next(line for line in output.stdout.splitlines() if line.startswith("BENCH "))
    requests, errors, micros, p50, p99 = (float(value) for value in line.split()[1:])
    return {
        "requests": int(requests),
        "errors": int(errors),
        "rps": round(requests / (micros / 1e6), 1),
        "p50_ms": round(p50 / 1000, 1),
        "p99_ms": round(p99 / 1000, 1),
        "distinct": len(paths),
    }


SQL_FLOOR = """
import re, statistics, time
from django.db import connection
from contributions.filters import ContributionFilter
from contributions.models import Contribution
times, executions = [], []
for params in {filters!r}:
    page = ContributionFilter(params, Contribution.objects.all()).qs.values()[:50]
    started = time.perf_counter()
    list(page)
    times.append((time.perf_counter() - started) * 1000)
    if connection.vendor == "postgresql":
        plan = page.explain(analyze=True)
        executions.append(float(re.search(r"Execution Time: ([0-9.]+) ms", plan).group(1)))
print(round(statistics.median(times), 2), round(statistics.median(executions), 2) if executions else "-")
"""


def sql_floor(env, filters):
    """The page's SELECT on its own, through the ORM (median ms of 20 filter sets), and on PostgreSQL
    the median execution time EXPLAIN ANALYZE reports for it."""
    wanted = [
        {"nation": f["slug"], "category": f["category"], "status": f["status"], "ordering": f["ordering"]}
        for f in filters[:20]
    ]
    code = SQL_FLOOR.format(filters=wanted)
    timed, explained = shell(env, code).split()[-2:]
    return float(timed), None if explained == "-" else float(explained)


def csv_pair(path, slug, nation, times=3):
    """Seconds for one partner's every row as CSV, the project's download and Datasette's stream taken
    in turns, `times` each: the median of each side, and the rows it sent."""
    urls = {
        PROJECT_PORT: f"/api/v1/contributions/?nation={slug}&format=csv",
        DATASETTE_PORT: f"/{path.stem}/{TABLE}.csv?nation_id={nation}&_stream=on&_size=max",
    }
    seconds, rows = {port: [] for port in urls}, {}
    for _ in range(times):
        for port, url in urls.items():
            started = time.monotonic()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=900) as response:
                body = b"".join(iter(lambda: response.read1(65536), b""))
            seconds[port].append(round(time.monotonic() - started, 2))
            # Counted after the clock stops, as CSV: a quoted cell may hold a line break.
            rows[port] = sum(1 for _ in csv.reader(io.StringIO(body.decode()))) - 1
    return {port: (statistics.median(seconds[port]), rows[port]) for port in urls}


AFTER_WRITE = """
import statistics, time, urllib.request
from django.db import transaction
from contributions.cache import bump
times = []
for _ in range({count}):
    with transaction.atomic():
        bump()
    started = time.perf_counter()
    urllib.request.urlopen({url!r}, timeout=120).read()
    times.append((time.perf_counter() - started) * 1000)
print(round(statistics.median(times), 1), round(max(times), 1))
"""


def after_write(env, paths, count=20):
    """Median and slowest ms of the first request after a write: the data version bumped before each,
    so every page, count and facet is computed afresh, at concurrency 1."""
    found = {}
    for name, path in paths.items():
        code = AFTER_WRITE.format(count=count, url=f"http://127.0.0.1:{PROJECT_PORT}{path}")
        found[name] = [float(value) for value in shell(env, code).split()[-2:]]
    return found


def cache_hits(paths, duration, workdir):
    """The project serving pages it has answered before: each path asked once, then the load."""
    for path in paths:
        urllib.request.urlopen(f"http://127.0.0.1:{PROJECT_PORT}{path}", timeout=120).read()
    return {concurrency: wrk(PROJECT_PORT, paths, concurrency, duration, workdir) for concurrency in (1, 8)}


def worker_memory(server, field="VmHWM"):
    """The largest of gunicorn's workers' (the children of its master) peak resident set (VmHWM), or
    resident set now (VmRSS), in MB."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(next(line.split()[1] for line in status.splitlines() if line.startswith(field))))
    return round(max(sizes) / 1024)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="Seconds of load per page and side.")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="What the project serves: the same SQLite file as Datasette, or PostgreSQL built from the same seed.",
    )
    args = parser.parse_args()

    path = database(args.size)
    env = production_env(f"sqlite:///{path}" if args.database == "sqlite" else postgres(args.size))
    params = {name: make(path) for name, (_, _, make) in PAGES.items()}
    workdir = DATA / "work"
    workdir.mkdir(exist_ok=True)
    project = serve(env, PROJECT_PORT, ["--workers", "2", "--threads", "4", "--timeout", "300"])
    results, hits = [], {}
    try:
        other = serve_datasette(path)
        try:
            for name in PAGES:
                if name.startswith("api"):
                    for sample in params[name][:: max(1, len(params[name]) // 25)]:
                        same_rows(path.stem, name, sample)
            for round_number in range(1, args.rounds + 1):
                for name, (ours, theirs, _) in PAGES.items():
                    for concurrency in (1, 8):
                        # The project's cache is emptied before each run, so every path is its first asking.
                        clear_cache(env)
                        mine = wrk(
                            PROJECT_PORT, expand(ours, path.stem, params[name]), concurrency, args.duration, workdir
                        )
                        yours = wrk(
                            DATASETTE_PORT, expand(theirs, path.stem, params[name]), concurrency, args.duration, workdir
                        )
                        results.append(
                            {
                                "round": round_number,
                                "page": name,
                                "concurrency": concurrency,
                                "project": mine,
                                "datasette": yours,
                                "load": os.getloadavg()[0],
                            }
                        )
                        print(line(results[-1]), flush=True)
            # Fresh workers for the downloads, so that their peak is the download's and not the load's.
            stop(project)
            project = serve(env, PROJECT_PORT, ["--workers", "2", "--threads", "4", "--timeout", "300"])
            first = params["api filtered page"][0]
            resting = worker_memory(project, "VmRSS")
            exports = csv_pair(path, first["slug"], first["nation"])
            exports["rss_mb"], exports["resting_mb"] = worker_memory(project), resting
        finally:
            stop(other)
        for name, (ours, _, _) in PAGES.items():
            hits[name] = cache_hits(expand(ours, path.stem, params[name])[:40], args.duration, workdir)
        written = after_write(env, {name: expand(PAGES[name][0], path.stem, params[name])[0] for name in PAGES})
    finally:
        stop(project)
    floor = sql_floor(env, params["api filtered page"])
    write(args.size, args.database, results, hits, written, exports, floor)


def expand(template, db, params):
    return [template.format(db=db, **each) for each in params]


def line(result):
    mine, yours = result["project"], result["datasette"]
    ratio = mine["rps"] / yours["rps"] if yours["rps"] else float("inf")
    return (
        f"round {result['round']} {result['page']} c={result['concurrency']}: project {mine['rps']} req/s "
        f"(p50 {mine['p50_ms']} ms), Datasette {yours['rps']} req/s (p50 {yours['p50_ms']} ms), "
        f"ratio {ratio:.2f}×, load {result['load']:.2f}{repeated(result)}"
    )


def repeated(result):
    # More requests than distinct paths: some were answered from the cache, and the row is no miss.
    sides = [side for side in ("project", "datasette") if result[side]["requests"] > result[side]["distinct"]]
    return f" (paths repeated on the {' and '.join(sides)} side: not all misses)" if sides else ""


def write(size, database, results, hits, written, exports, floor):
    out = io.StringIO()
    out.write(f"Project (gunicorn, 2 workers × 4 threads, on {database}) against Datasette 0.65.5 ")
    out.write(f"(the SQLite file), {size:,} contributions, ")
    out.write("every request a distinct real query after the cache was emptied.\n\n")
    out.write("| page | concurrency | project req/s | project p50 ms | Datasette req/s | Datasette p50 ms ")
    out.write("| ratio | load |\n")
    out.write("|---|---:|---:|---:|---:|---:|---:|---:|\n")
    for result in results:
        mine, yours = result["project"], result["datasette"]
        ratio = mine["rps"] / yours["rps"] if yours["rps"] else float("inf")
        out.write(
            f"| {result['page']} (round {result['round']}) | {result['concurrency']} | {mine['rps']} | "
            f"{mine['p50_ms']} | {yours['rps']} | {yours['p50_ms']} | {ratio:.2f}×{repeated(result)} | "
            f"{result['load']:.2f} |\n"
        )
    out.write("\nThe same pages served again from the project's cache (40 paths, each answered once before), ")
    out.write("and the first request after a write (the data version bumped before each of 20, concurrency 1):\n\n")
    out.write("| page | hit c=1 req/s | hit c=1 p50 ms | hit c=8 req/s | after a write, median ms | slowest ms |\n")
    out.write("|---|---:|---:|---:|---:|---:|\n")
    for name, runs in hits.items():
        median, slowest = written[name]
        out.write(f"| {name} | {runs[1]['rps']} | {runs[1]['p50_ms']} | {runs[8]['rps']} | {median} | {slowest} |\n")
    (ours, rows), (theirs, their_rows) = exports[PROJECT_PORT], exports[DATASETTE_PORT]
    out.write(f"\nCSV of one partner's {rows:,} rows (median of 3, in turns): project {ours} s, Datasette {theirs} s ")
    out.write(f"({their_rows:,} rows); ")
    out.write(
        f"the project's largest worker, started for the downloads, peaked at {exports['rss_mb']} MB resident "
        f"({exports['resting_mb']} MB before them).\n"
    )
    timed, explained = floor
    out.write(f"SQL floor of the filtered page (its SELECT alone, median of 20 filter sets): {timed} ms")
    out.write(f"; EXPLAIN ANALYZE execution time {explained} ms.\n" if explained is not None else ".\n")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"datasette-{size}-{database}.md").write_text(out.getvalue())
    (RESULTS / f"datasette-{size}-{database}.json").write_text(
        json.dumps(
            {
                "results": results,
                "hits": hits,
                "after_write_ms": written,
                "csv": {"project": exports[PROJECT_PORT], "datasette": exports[DATASETTE_PORT]},
                "worker_peak_rss_mb": exports["rss_mb"],
                "worker_resting_rss_mb": exports["resting_mb"],
                "sql_floor_ms": timed,
                "explain_analyze_ms": explained,
            },
            indent=1,
        )
    )
    print(out.getvalue())


if __name__ == "__main__":
    main()
