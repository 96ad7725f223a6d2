"""The shape of the code: no module grows past what a newcomer can read in one go."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 450


def modules():
    for package in ("contributions", "coalition", "bench"):
        for path in sorted((ROOT / package).rglob("*.py")):
            # Not the virtualenv and data that `make bench` keeps in bench/.datasette-venv and bench/.data.
            inside = path.relative_to(ROOT).parts
            if "migrations" not in inside and not any(part.startswith(".") for part in inside):
                yield path


@pytest.mark.parametrize("path", list(modules()), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_module_is_longer_than_about_450_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines; split it by what it holds"


def test_the_layout_test_sees_the_modules():
    names = {path.relative_to(ROOT).as_posix() for path in modules()}
    assert {"contributions/filters/__init__.py", "contributions/queries.py", "contributions/tables.py"} <= names
