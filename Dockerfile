# Production image: gunicorn behind your proxy, PostgreSQL through DATABASE_URL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000

WORKDIR /app

RUN useradd --create-home --uid 10001 app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY --chown=app:app . .

# The key only satisfies settings during the build; the container must be given its own.
RUN DEBUG=false SECRET_KEY=build-only-collectstatic python manage.py collectstatic --noinput -v0
# Uploaded source files (MEDIA_ROOT): the app user writes them; a volume mounted here keeps this owner.
RUN mkdir -p /app/media && chown app:app /app/media

USER 10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-m", "coalition.healthcheck"]

ENTRYPOINT ["./docker-entrypoint.sh"]
# Workers and timeout are in gunicorn.conf.py, which `make run` serves with too.
CMD ["gunicorn", "coalition.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
