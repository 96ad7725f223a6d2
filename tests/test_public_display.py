"""What the public sees of an archived text: each quote with at most a sentence either side, and whether
it was verified. Never the text itself: every page, API resource, download and export is fetched with a
long text archived, and no sentence two away from a quote appears in any of them.
"""

import io
import json
import zipfile
from pathlib import Path

import pytest

from contributions.models import Citation, Contribution, Meeting, Nation, Official, Source, SourceText

# Twenty-one sentences, each carrying its own sentinel; a quote is taken from sentence 5 (whole) and one
# from the middle of sentence 12. Sentences 4 and 6 may be shown as context, and 12 around its quote.
SENTENCES = [f"Sentence {n} of the report says SENTINEL{n:02d} happened on day {n}." for n in range(21)]
TEXT = "\n".join(" ".join(SENTENCES[i : i + 3]) for i in range(0, 21, 3)) + "\n"
WHOLE = SENTENCES[5]
PART = "says SENTINEL12 happened"
SHOWN = {4, 5, 6, 12}
NEVER = [f"SENTINEL{n:02d}" for n in range(21) if n not in SHOWN]

API = "/api/v1"
RESOURCES = [
    "nations",
    "officials",
    "meetings",
    "participations",
    "figures",
    "contributions",
    "capability-requests",
    "citations",
    "sources",
]


@pytest.fixture
def archived(cast):
    SourceText.objects.create(source=cast.reuters, text=TEXT)
    whole = Citation.objects.create(source=cast.reuters, nation=cast.france, quote=WHOLE)
    part = Citation.objects.create(source=cast.reuters, contribution=cast.carrier, quote=PART)
    assert whole.verified and part.verified
    return cast


def public_urls(client):
    pages = ["/", "/nations/", "/contributions/", "/meetings/", "/officials/", "/matrix/", "/sources/"]
    records = [Nation, Official, Meeting, Contribution, Source]
    pages += [record.get_absolute_url() for model in records for record in model.objects.all()]
    downloads = [f"{page}?format={kind}" for page in pages[:7] for kind in ("csv", "json")]
    # The site-wide search: every match of a word in every sentence, on the page and in the API.
    pages += ["/search/?q=sentence", "/search/?q=sentence&kind=nation", "/search/?q=report"]
    api = [f"{API}/", f"{API}/summary/", f"{API}/export/", f"{API}/export/dictionary/"]
    api += [f"{API}/search/?q=sentence&page_size=500", f"{API}/search/?q=happened&page_size=500"]
    for resource in RESOURCES:
        api += [f"{API}/{resource}/", f"{API}/{resource}/?format=csv", f"{API}/{resource}/?page_size=500"]
    # Each API list's records are fetched one by one as well (bodies() follows their URLs).
    return pages + downloads + api


def bodies(client, urls):
    """Every URL's body as text, each API list's detail records included; zip entries one by one."""
    seen = {}
    queue = list(urls)
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code < 500, url
        content = b"".join(response.streaming_content) if response.streaming else response.content
        seen[url] = content.decode("utf-8", errors="replace")
        if response.get("Content-Type", "").startswith("application/json") and url.startswith(API):
            data = json.loads(content or b"null")
            results = data.get("results") if isinstance(data, dict) else None
            for row in results or []:
                if isinstance(row, dict) and isinstance(row.get("url"), str):
                    queue.append(row["url"].replace("http://testserver", ""))
    zipped = client.get(f"{API}/export/?format=zip")
    assert zipped.status_code == 200
    content = b"".join(zipped.streaming_content) if zipped.streaming else zipped.content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            seen[f"zip:{name}"] = archive.read(name).decode("utf-8")
    return seen


def test_no_page_api_answer_download_or_export_holds_more_than_a_quote_and_a_sentence_either_side(client, archived):
    found = bodies(client, public_urls(client))

    assert len(found) > 60
    for url, body in found.items():
        leaked = [sentinel for sentinel in NEVER if sentinel in body]
        assert not leaked, f"{url} shows sentences of the archived text beyond the context: {leaked}"
    # The test has teeth: the quotes and their context are there to be seen.
    everything = "\n".join(found.values())
    for n in SHOWN:
        assert f"SENTINEL{n:02d}" in everything


def test_a_real_article_text_archived_shows_no_paragraph_of_it_on_any_public_answer(client, cast, settings):
    folder = Path(settings.SOURCES_DIR)
    path = folder / "2016-02-11-reuters-us-tells-allies-campaign-must-be-accelerated.txt"
    if not path.is_file():
        pytest.skip(f"no article texts at {folder}")
    text = path.read_text(encoding="utf-8")
    SourceText.objects.create(source=cast.reuters, text=text)
    quote = "Carter, speaking to reporters ahead of his talks, sought to draw a line between military and diplomatic"
    if quote not in text:
        pytest.skip("the capture changed")
    Citation.objects.create(source=cast.reuters, nation=cast.us, quote=quote)

    found = bodies(client, public_urls(client))

    # No public answer carries a paragraph of the article longer than the context may run (240
    # characters a side), other than the quote's own.
    lines = [line for line in text.splitlines() if len(line) > 260 and quote not in line]
    assert lines
    for url, body in found.items():
        for line in lines:
            assert line not in body, url


def test_a_verified_quote_shows_its_state_fingerprint_and_context_on_its_page(client, archived):
    page = client.get(archived.france.get_absolute_url()).content.decode()

    assert "Verified against the text captured on" in page
    assert archived.reuters.archive.sha256[:12] in page
    assert SENTENCES[4] in page and SENTENCES[6] in page


def test_an_unverified_quote_says_so_on_its_page(client, cast):
    page = client.get(cast.france.get_absolute_url()).content.decode()

    assert "Unverified" in page


def test_the_api_gives_each_citation_its_state_and_context_but_a_source_only_its_texts_fingerprint(client, archived):
    citation = archived.france.citations.get(quote=WHOLE)
    body = client.get(f"{API}/citations/{citation.pk}/").json()

    assert body["verified"] is True
    assert body["context_before"].strip() == SENTENCES[4]
    assert body["context_after"].strip() == SENTENCES[6]
    source = client.get(f"{API}/sources/{archived.reuters.slug}/").json()
    assert source["text_sha256"] == archived.reuters.archive.sha256
    assert "text" not in source


def test_a_source_page_names_its_archived_text_by_date_and_fingerprint_and_its_kind(client, archived):
    source = archived.reuters
    source.kind, source.agency, source.publisher = Source.Kind.NEWS_ARTICLE, "Reuters", "AOL"
    source.save()

    page = client.get(source.get_absolute_url()).content.decode()

    assert "News article" in page and "Originating agency" in page and "AOL" in page
    assert f"sha256 <code>{source.archive.sha256[:12]}…</code>" in page
    assert SENTENCES[0] not in page
