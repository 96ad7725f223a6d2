#!/usr/bin/env bash
# Write a consistent dump of the database named by DATABASE_URL (default: the SQLite file).
# PostgreSQL: pg_dump's custom format, taken in one snapshot. SQLite: dumpdata as JSON.
# Usage: scripts/backup.sh [FILE]; prints the file written.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p backups

case "${DATABASE_URL:-sqlite}" in
postgres*)
    file=${1:-backups/coalition-$stamp.dump}
    pg_dump --format=custom --no-owner --no-privileges --file="$file" "$DATABASE_URL"
    ;;
*)
    file=${1:-backups/coalition-$stamp.json}
    # Natural keys for content types and permissions, so the dump loads into any freshly migrated database.
    "$PY" manage.py dumpdata --natural-foreign --natural-primary --indent 1 \
        --exclude contenttypes --exclude auth.permission --exclude sessions \
        --exclude axes --output "$file"
    ;;
esac
echo "$file"
