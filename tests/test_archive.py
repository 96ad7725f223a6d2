"""A source's archived text: pasted or uploaded (.txt, .html, .pdf) in the admin, its original kept in
media storage with its sha256, its history kept; a file that cannot be read is a form error, never a 500.
"""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contributions.extraction import ExtractionError, extract_text
from contributions.models import Citation, Source, SourceText
from tests.factories import NationFactory
from tests.test_admin import admin_url, change_form_data

REPORT_LINES = [
    "Coalition Contributions to the Counter-ISIL Campaign",
    "Partners pledged more trainers for the Iraqi police and the",
    "Kurdish Peshmerga at the Brussels meeting. Canada tripled its",
    "special forces trainers.",
]
# Spans the PDF's line break after "the".
SPANNING = "Partners pledged more trainers for the Iraqi police and the Kurdish Peshmerga at the Brussels meeting."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded originals go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def tiny_pdf(*lines):
    """A one-page PDF whose text layer holds `lines`, one per line (ASCII), written by hand."""
    escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
    content = "\n".join(["BT", "/F1 11 Tf", "14 TL", "72 720 Td", *(f"({line}) Tj T*" for line in escaped), "ET"])
    content = content.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def archive_post(client, source, text="", upload=None):
    """The source's change form as shown, with its archived text pasted (or a file uploaded)."""
    url = admin_url("source", "change", source.pk)
    data = change_form_data(client.get(url))
    archive = SourceText.objects.filter(source=source).first()
    data.update(
        {
            "archive-TOTAL_FORMS": "1",
            "archive-INITIAL_FORMS": "1" if archive else "0",
            "archive-MIN_NUM_FORMS": "0",
            "archive-MAX_NUM_FORMS": "1",
            "archive-0-text": text,
            "archive-0-captured": "2026-11-30 12:00",
            "archive-0-source": str(source.pk),
        }
    )
    if archive:
        data["archive-0-id"] = str(archive.pk)
    if upload is not None:
        data["archive-0-upload"] = upload
    return url, data


def archive_errors(response):
    [formset] = [
        inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.prefix == "archive"
    ]
    return formset.errors[0]


# --- Reading files ------------------------------------------------------------------------------------


def test_a_pdf_keeps_its_line_breaks_and_a_quote_spanning_one_is_found():
    text = extract_text("report.pdf", tiny_pdf(*REPORT_LINES))

    assert "Iraqi police and the\nKurdish Peshmerga" in text


def test_html_extraction_keeps_the_article_and_drops_the_page_furniture():
    page = b"""<html><head><title>T</title><script>var ad = 1;</script><style>p {}</style></head><body>
    <header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
    <aside>More from Reuters: Ten things to know</aside>
    <article><h1>Allies pledge trainers</h1>
      <p>Partners pledged <em>more</em> trainers.</p>
      <figure><img src="x.jpg"><figcaption>FILE - A photo caption</figcaption></figure>
      <p>Canada tripled its trainers.</p>
      <form>Sign up for our newsletter</form>
    </article>
    <footer>Copyright Reuters</footer></body></html>"""

    text = extract_text("page.html", page)

    assert text == "Allies pledge trainers\n\nPartners pledged more trainers.\n\nCanada tripled its trainers.\n"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        pytest.param("report.pdf", b"%PDF-1.4\nthis is not really a pdf", "could not be read", id="corrupt-pdf"),
        pytest.param("report.pdf", tiny_pdf(*REPORT_LINES)[:200], "could not be read", id="truncated-pdf"),
        pytest.param("report.docx", b"PK\x03\x04", "Upload a .txt, .html or .pdf file", id="other-kind"),
        pytest.param("notes.txt", "caf\u00e9".encode("cp1252"), "not UTF-8", id="not-utf-8"),
        pytest.param("blank.txt", b"  \n\n", "No text was found", id="empty"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_clear_error(name, data, message):
    with pytest.raises(ExtractionError, match=message):
        extract_text(name, data)


# --- The admin ---------------------------------------------------------------------------------------


def test_an_editor_adds_a_source_by_uploading_a_pdf_and_its_original_is_kept(editor_client, db, media):
    data = {
        "kind": "research_report",
        "outlet": "Congressional Research Service",
        "publisher": "",
        "agency": "",
        "headline": "Coalition Contributions",
        "author": "",
        "url": "https://example.org/report.pdf",
        "slug": "crs-coalition-contributions",
        "published": "2016-03-10",
        "date_note": "",
        "report_number": "R44135",
        "edition": "2016-03-10",
        "archive-TOTAL_FORMS": "1",
        "archive-INITIAL_FORMS": "0",
        "archive-MIN_NUM_FORMS": "0",
        "archive-MAX_NUM_FORMS": "1",
        "archive-0-text": "",
        "archive-0-captured": "2026-11-30 12:00",
        "archive-0-upload": SimpleUploadedFile("../../etc/CRS report (2016).pdf", tiny_pdf(*REPORT_LINES)),
    }

    response = editor_client.post(admin_url("source", "add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    archive = Source.objects.get(slug="crs-coalition-contributions").archive
    assert "Kurdish Peshmerga" in archive.text
    assert archive.original_sha256 == hashlib.sha256(tiny_pdf(*REPORT_LINES)).hexdigest()
    # Sanitised: no folders from the upload's name, no spaces or brackets.
    assert archive.original.name.startswith("sources/crs-coalition-contributions/")
    assert archive.original.name.endswith("-CRS_report_2016.pdf")
    assert (media / archive.original.name).read_bytes() == tiny_pdf(*REPORT_LINES)

    canada = NationFactory(country="CA", name="Canada")
    assert Citation.objects.create(source=archive.source, nation=canada, quote=SPANNING).verified


def test_a_corrupt_pdf_is_a_form_error_and_nothing_is_saved(editor_client, cast):
    url, data = archive_post(
        editor_client, cast.voa, upload=SimpleUploadedFile("report.pdf", b"%PDF-1.7\n garbage \x00\xff")
    )

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert "could not be read" in str(archive_errors(response)["upload"])
    assert not SourceText.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(editor_client, cast, settings):
    settings.SOURCE_UPLOAD_MAX_BYTES = 100
    url, data = archive_post(editor_client, cast.voa, upload=SimpleUploadedFile("big.txt", b"x " * 100))

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert "the largest accepted is 100" in str(archive_errors(response)["upload"])


def test_an_editor_pastes_a_text_and_replacing_it_keeps_the_earlier_one_in_the_history(editor_client, cast):
    editor_client.post(*archive_post(editor_client, cast.voa, text="France has stepped up its air strikes.\n"))
    archive = SourceText.objects.get(source=cast.voa)
    assert cast.voa.citations.get(quote="France has stepped up its air strikes.").verified

    response = editor_client.post(
        *archive_post(editor_client, cast.voa, text="In Paris: France has stepped up its air strikes.\n")
    )

    assert response.status_code == 302
    texts = [entry.text for entry in archive.history.order_by("history_date")]
    # The form trims the pasted text's ends, as every text box of the admin does.
    assert texts == ["France has stepped up its air strikes.", "In Paris: France has stepped up its air strikes."]


def test_saving_a_source_without_touching_its_empty_archive_form_archives_nothing(editor_client, cast):
    url, data = archive_post(editor_client, cast.voa, text="")

    response = editor_client.post(url, data)

    assert response.status_code == 302
    assert not SourceText.objects.exists()


@pytest.mark.parametrize("view", ["changelist", "add", "change", "history"])
def test_the_archived_texts_pages_render_for_an_editor(editor_client, cast, view):
    archive = SourceText.objects.create(source=cast.voa, text="France has stepped up its air strikes.")
    args = [] if view in ("changelist", "add") else [archive.pk]

    response = editor_client.get(admin_url("sourcetext", view, *args))

    assert response.status_code == 200


def test_a_text_changed_on_its_own_page_is_checked_like_any_other(editor_client, cast):
    archive = SourceText.objects.create(source=cast.voa, text="France has stepped up its air strikes.")
    url = admin_url("sourcetext", "change", archive.pk)

    response = editor_client.post(url, {"text": "France has stepped up.", "captured": "2026-11-30 12:00"})

    assert response.status_code == 200
    assert "would no longer match" in str(response.context["adminform"].form.errors["text"])
    assert SourceText.objects.get(pk=archive.pk).text == "France has stepped up its air strikes."
