"""Spreadsheet bombs uploaded at the same time do not take the server down (finding 5, concurrently).

Three editors upload three bombs at once to a live server: one that declares a sheet of every row and
column Excel has, one that unpacks to more than the limit, and the original 1,704-byte file declaring
A1:XFD2000. Each is answered promptly, the first two refused by name, while /healthz keeps answering.
How much was read is counted, as in test_import_strict.py, rather than inferred from the time taken.
"""

import io
import re
import threading
import time
import zipfile

import pytest
import requests
from django.conf import settings

from tests.factories import SourceFactory
from tests.test_admin import admin_url
from tests.test_import import XLSX
from tests.test_import_strict import cells_read, xlsx  # noqa: F401  (cells_read is a fixture)

HEADER = ["nation_code", "category", "status", "description", "source", "quote"]
ROW = ["FR", "military", "pledged", "Jets", "src", "It said so."]


def declaring(rows, dimension):
    """A workbook of these rows whose sheet declares `dimension` as its size, as a hostile file would."""
    source, packed = zipfile.ZipFile(io.BytesIO(xlsx(rows))), io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{dimension}"/>'.encode(), data)
                assert count == 1
            target.writestr(item, data)
    return packed.getvalue()


def bombs():
    many_rows = declaring([HEADER] + [ROW] * (settings.IMPORT_MAX_ROWS + 1), "A1:XFD1048576")
    # Compresses to a few kilobytes; unpacked, each cell alone is 1,000 bytes.
    unpacks_big = xlsx([HEADER] + [[*ROW[:3], "x" * 1000, *ROW[4:]]] * 2200)
    original = declaring([HEADER, ROW], "A1:XFD2000")
    return {
        "every row and column": (many_rows, f"more than {settings.IMPORT_MAX_ROWS:,} rows"),
        "unpacks past the limit": (unpacks_big, "The workbook unpacks to "),
        "declares A1:XFD2000": (original, "Confirm import"),
    }


@pytest.fixture
def editor_session(live_server, client, editor):
    """A requests session signed in as the editor, with the CSRF token the import form wants."""
    client.force_login(editor)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    page = session.get(f"{live_server.url}{admin_url('contribution', 'import')}", timeout=30)
    assert page.status_code == 200
    session.csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session


@pytest.mark.django_db(transaction=True)
def test_three_bombs_uploaded_at_once_are_answered_promptly_while_healthz_answers(
    live_server, editor_session, cast, request
):
    read = request.getfixturevalue("cells_read")
    SourceFactory(slug="src")
    url = f"{live_server.url}{admin_url('contribution', 'import')}"
    files = bombs()
    start = threading.Barrier(len(files) + 1)
    answers, health = {}, []
    uploading = threading.Event()
    uploading.set()

    def upload(name, content):
        start.wait()
        began = time.monotonic()
        response = editor_session.post(
            url,
            data={"csrfmiddlewaretoken": editor_session.csrf, "resource": "0", "format": XLSX},
            files={"import_file": (f"{name}.xlsx", content)},
            headers={"Referer": url},
            timeout=60,
        )
        answers[name] = (response.status_code, response.text, time.monotonic() - began)

    def watch():
        start.wait()
        while uploading.is_set():
            began = time.monotonic()
            status = requests.get(f"{live_server.url}/healthz", timeout=30).status_code
            health.append((status, time.monotonic() - began))
            time.sleep(0.05)

    threads = [threading.Thread(target=upload, args=(name, content)) for name, (content, _) in files.items()]
    watcher = threading.Thread(target=watch)
    for thread in [*threads, watcher]:
        thread.start()
    for thread in threads:
        thread.join(120)
    uploading.clear()
    watcher.join(60)

    for name, (_, expected) in files.items():
        status, text, seconds = answers[name]
        assert status == 200, name
        assert expected in text, (name, text[:2000])
        # Generous on a shared two-core machine; the original file alone held a worker for 30 s.
        assert seconds < 20, (name, seconds)
    assert health, "the health check never ran"
    assert all(status == 200 for status, _ in health), health
    assert max(seconds for _, seconds in health) < 10, health
    # The row bomb stops one row past the cap, the unpack bomb is refused before a cell is read, and the
    # original is read as far as its two rows: nothing of the millions of cells they declare.
    assert read[0] <= (settings.IMPORT_MAX_ROWS + 2) * len(HEADER) + 2 * len(HEADER)
