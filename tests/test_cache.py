"""The process's own remembered values and the file cache's culling (contributions/cache.py)."""

from contributions import cache
from contributions.cache import FileCache
from tests.factories import ContributionFactory

API = "/api/v1/contributions/"


def test_a_remembered_value_is_made_once_until_the_next_write(db):
    made = []

    def make():
        made.append(1)
        return len(made)

    assert cache.remembered("probe", "a", make) == 1
    assert cache.remembered("probe", "a", make) == 1
    assert cache.remembered("probe", "b", make) == 2
    cache.bump()
    assert cache.remembered("probe", "a", make) == 3


def test_the_contribution_list_shows_a_renamed_partner_and_meeting_at_once(client, cast):
    def carrier_row():
        rows = client.get(f"{API}?nation=fr&page_size=50").json()["results"]
        return next(row for row in rows if row["id"] == cast.carrier.pk)

    row = carrier_row()
    assert (row["nation"]["name"], row["meeting"]["title"]) == ("France", cast.carrier.meeting.title)

    cast.france.name = "French Republic"
    cast.france.save()
    cast.carrier.meeting.title = "A meeting renamed"
    cast.carrier.meeting.save()

    row = carrier_row()
    assert (row["nation"]["name"], row["meeting"]["title"]) == ("French Republic", "A meeting renamed")


def test_the_contribution_list_offers_a_renamed_meeting_and_official_at_once(client, cast):
    meeting, official = cast.carrier.meeting, cast.carrier.official
    assert meeting.title in client.get("/contributions/").content.decode()

    meeting.title = "A meeting renamed"
    meeting.save()
    official.name = "An official renamed"
    official.save()

    page = client.get("/contributions/").content.decode()
    assert f'value="{meeting.slug}"><span class="option-label">A meeting renamed (' in page
    assert f'value="{official.slug}"><span class="option-label">An official renamed</span>' in page


def test_the_contribution_list_names_the_host_it_was_asked_on_in_every_url(client, cast):
    # The rows and the compact records are kept per host: a second host must not get the first's URLs.
    first = client.get(f"{API}?nation=fr").json()["results"][0]
    second = client.get(f"{API}?nation=fr", HTTP_HOST="localhost").json()["results"][0]
    assert first["url"].startswith("http://testserver/")
    assert first["nation"]["url"].startswith("http://testserver/")
    assert second["url"].startswith("http://localhost/")
    assert second["nation"]["url"].startswith("http://localhost/")


def test_the_file_cache_reads_its_folder_on_one_write_in_a_hundred(tmp_path, monkeypatch):
    listings = []
    list_files = FileCache._list_cache_files
    monkeypatch.setattr(FileCache, "_list_cache_files", lambda self: listings.append(1) or list_files(self))
    files = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 50}})
    for n in range(2 * cache.CULL_EVERY):
        files.set(f"key-{n}", n)
    # Two hundred writes in a row hold exactly two multiples of a hundred, wherever the count stood.
    assert len(listings) == 2
    # Each of those found more than MAX_ENTRIES and dropped a third of the files.
    assert len(list(tmp_path.glob("*.djcache"))) < 2 * cache.CULL_EVERY


def test_the_rows_of_a_page_stay_right_after_a_contribution_is_added(client, cast):
    before = client.get(f"{API}?nation=fr").json()["count"]
    ContributionFactory(nation=cast.france, description="Added after the first page")
    page = client.get(f"{API}?nation=fr").json()
    assert page["count"] == before + 1
    assert "Added after the first page" in [row["description"] for row in page["results"]]
