#!/usr/bin/env bash
# Start Debian's PostgreSQL 15 (installing it if missing), create the project's role and database,
# and print a DATABASE_URL on stdout. Progress goes to stderr. Exits non-zero if it cannot.
set -euo pipefail

ROLE=${PG_ROLE:-coalition}
DB=${PG_DATABASE:-coalition}

if [ ! -x /usr/lib/postgresql/15/bin/postgres ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "postgres.sh: PostgreSQL 15 is not installed and we are not root to install it" >&2
        exit 1
    fi
    echo "postgres.sh: installing PostgreSQL 15 with apt-get" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-client-15 >&2
fi

if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "15 main"; then
    pg_createcluster 15 main >&2
fi
# "Already running" is not an error; a real failure shows up in pg_isready below.
pg_ctlcluster 15 main start >&2 2>/dev/null || true

PORT=$(pg_lsclusters -h | awk '$1=="15" && $2=="main" {print $3}')
for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$PORT" && break
    sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$PORT" || { echo "postgres.sh: PostgreSQL did not start" >&2; exit 1; }

as_postgres() { runuser -u postgres -- psql -p "$PORT" -v ON_ERROR_STOP=1 -tAq "$@"; }
# CREATEDB because the test runner creates and drops its own test database.
if [ "$(as_postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]; then
    as_postgres -c "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$ROLE'" >&2
fi
if [ "$(as_postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
    as_postgres -c "CREATE DATABASE $DB OWNER $ROLE" >&2
fi

echo "postgres://$ROLE:$ROLE@127.0.0.1:$PORT/$DB"
