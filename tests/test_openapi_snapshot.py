"""The API only gains: the committed schema shows every change to it in review.

After an intended change, write the new snapshot with
    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_openapi_snapshot.py
and commit it with the change; the diff is what other tools' authors read.
"""

import json
import os
from pathlib import Path

from drf_spectacular.generators import SchemaGenerator

SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "openapi.json"


def current_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.dumps(schema, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_openapi_schema_matches_the_committed_snapshot(db):
    text = current_schema()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(text, encoding="utf-8")
    committed = SNAPSHOT.read_text(encoding="utf-8")
    assert text == committed, "The API schema changed: review it, then run with UPDATE_SNAPSHOTS=1 and commit."


def test_the_snapshot_keeps_every_path_of_version_1():
    paths = json.loads(SNAPSHOT.read_text(encoding="utf-8"))["paths"]
    for path in (
        "/api/v1/contributions/",
        "/api/v1/contributions/{id}/",
        "/api/v1/nations/{code}/",
        "/api/v1/summary/",
    ):
        assert path in paths
