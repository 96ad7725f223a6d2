"""gunicorn settings, read from the working directory by the Dockerfile's server and the benchmarks.
Command-line options override them."""

import gc


def post_worker_init(worker):
    # Django's modules, classes and URL patterns live as long as the worker. Moving them out of the
    # collector's reach keeps its full passes short: under load those passes made the slowest tenth of
    # cached API pages ten times slower than the median (bench/).
    gc.collect()
    gc.freeze()
