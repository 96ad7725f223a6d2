"""gunicorn settings, read from the working directory by the Dockerfile's server, `make run` and the
benchmarks. Command-line options override them."""

import gc

# Sync workers: each answers one request at a time, so three let a slow export not hold up the rest.
workers = 3
# Well above the slowest request (a 100,000-row CSV streams in about 11 s): a worker silent longer is stuck.
timeout = 30


def post_worker_init(worker):
    # Django's modules, classes and URL patterns live as long as the worker. Moving them out of the
    # collector's reach keeps its full passes short: under load those passes made the slowest tenth of
    # cached API pages ten times slower than the median (bench/).
    gc.collect()
    gc.freeze()
