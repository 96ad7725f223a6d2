"""The text of an uploaded source file: plain text, a web page's article, or a PDF's text layer.

An editor archives a source by pasting its text or uploading one of these. A file that cannot be read
is an ExtractionError with a message to show on the form, never a traceback.
"""

import io
import re
import unicodedata
from pathlib import PurePath

import pypdf
from bs4 import BeautifulSoup
from pypdf.errors import PyPdfError

SUFFIXES = (".txt", ".html", ".htm", ".pdf")
# Page furniture around a web page's article: menus, banners, forms, scripts, "more from" lists, and
# photos with their captions (which pages often print twice).
FURNITURE = [
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "figure",
]
BLOCKS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td"]
BLANK_LINES = re.compile(r"\n\s*\n\s*(?:\n\s*)+")


class ExtractionError(ValueError):
    """A file whose text cannot be read; the message is shown to the editor as it is."""


def extract_text(name, data):
    """The text of an uploaded file, chosen by its name's suffix."""
    suffix = PurePath(name or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise ExtractionError(f"Upload a .txt, .html or .pdf file; “{PurePath(name or '').name}” is none of these.")
    if suffix == ".pdf":
        text = pdf_text(data)
    elif suffix == ".txt":
        text = decode(data)
    else:
        text = html_text(data)
    text = clean(text)
    if not text.strip():
        raise ExtractionError(
            "No text was found in this file. A scanned PDF has no text layer: paste the text instead."
        )
    return text


def decode(data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExtractionError("This text file is not UTF-8: save it as UTF-8 and upload it again.") from None


def html_text(data):
    """The article of a web page: its <article> (else <main>, else <body>) less the page furniture."""
    soup = BeautifulSoup(data, "html.parser")
    for tag in soup.find_all(FURNITURE):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    # Each block on its own line; inline tags (<a>, <em>) keep the sentence together.
    blocks = root.find_all(BLOCKS)
    if blocks:
        # A block inside another (a <p> in a <blockquote>) is read with its container, once.
        lines = [block.get_text(" ", strip=True) for block in blocks if not block.find_parent(BLOCKS)]
        return "\n\n".join(line for line in lines if line)
    return root.get_text("\n", strip=True)


def pdf_text(data):
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ExtractionError("This PDF is encrypted; upload a copy without a password, or paste its text.")
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except ExtractionError:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, OSError, RecursionError):
        # pypdf raises many kinds of error on a damaged file; each means the same to an editor.
        raise ExtractionError("This PDF could not be read (it may be damaged or not a PDF at all).") from None


def clean(text):
    """Line endings as LF, no control characters but tab and line feed, no runs of blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n")
    text = "".join(char for char in text if char in "\t\n" or unicodedata.category(char) not in ("Cc", "Cs"))
    return BLANK_LINES.sub("\n\n", text).strip() + "\n"
