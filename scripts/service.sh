#!/usr/bin/env bash
# The suite's services: `service.sh NAME FALLBACK` starts one with scripts/NAME.sh and prints its URL.
# When it cannot start, the suite falls back (FALLBACK says to what) and this prints nothing, except
# under CI=true, where the suite must run on the real thing: then it fails.
set -uo pipefail
name=$1
fallback=$2
if url=$("$(dirname "$0")/$name.sh"); then
    echo "$url"
elif [ "${CI:-}" = "true" ]; then
    echo "CI=true but $name could not be started: failing." >&2
    exit 1
else
    echo "WARNING: $name is not available; $fallback." >&2
fi
