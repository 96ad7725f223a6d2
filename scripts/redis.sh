#!/usr/bin/env bash
# Start Debian's redis-server (installing it if missing) on a loopback port, without saving to disk,
# and print a REDIS_URL on stdout. Progress goes to stderr. Exits non-zero if it cannot.
set -euo pipefail

PORT=${REDIS_PORT:-6390}
DIR=${REDIS_DIR:-/tmp/coalition-redis}

if ! command -v redis-server >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "redis.sh: redis-server is not installed and we are not root to install it" >&2
        exit 1
    fi
    echo "redis.sh: installing redis-server with apt-get" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
fi

ping() { redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -qx PONG; }
if ! ping; then
    mkdir -p "$DIR"
    # A cache only: nothing is written to disk, and it listens on loopback alone.
    redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$DIR" \
        --daemonize yes --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" >&2
    for _ in $(seq 1 30); do
        ping && break
        sleep 0.2
    done
fi
ping || { echo "redis.sh: redis-server did not start (see $DIR/redis.log)" >&2; exit 1; }

echo "redis://127.0.0.1:$PORT/0"
