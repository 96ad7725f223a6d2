#!/usr/bin/env bash
# Load a dump written by backup.sh into the empty database named by DATABASE_URL.
# Usage: scripts/restore.sh FILE
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
file=${1:?usage: restore.sh FILE}
[ -f "$file" ] || { echo "restore.sh: no such file: $file" >&2; exit 1; }

case "$file" in
*.dump)
    case "${DATABASE_URL:-}" in
    postgres*) ;;
    *) echo "restore.sh: a .dump file restores into PostgreSQL; set DATABASE_URL" >&2; exit 1 ;;
    esac
    # --single-transaction: a failed restore leaves the database as it was.
    pg_restore --single-transaction --no-owner --no-privileges --exit-on-error --dbname="$DATABASE_URL" "$file"
    ;;
*.json)
    "$PY" manage.py migrate --noinput -v0
    if [ "$("$PY" manage.py shell -v0 -c 'from contributions.models import Source; print(Source.objects.exists())')" = True ]; then
        echo "restore.sh: the database is not empty; restore into an empty one" >&2
        exit 1
    fi
    "$PY" manage.py loaddata "$file"
    # loaddata's raw saves leave the search index as the file had it: build it from the records.
    "$PY" manage.py rebuild_search -v0
    ;;
*)
    echo "restore.sh: expected a .dump (PostgreSQL) or .json (SQLite) file" >&2
    exit 1
    ;;
esac
echo "Restored $file"
