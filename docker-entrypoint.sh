#!/bin/sh
# Apply migrations, then hand over to the command (gunicorn by default).
set -e
python manage.py migrate --noinput
exec "$@"
