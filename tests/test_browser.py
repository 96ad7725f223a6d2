"""The researchers' pages in a real browser: Debian's Chromium through Playwright, axe-core for accessibility.

Screenshots of the main pages, on a desktop and a phone, go to test-artifacts/ for a person to look at.
"""

import csv
import io
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


def check_accessibility(page):
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def open_page(page, path):
    response = page.goto(page.base_url + path)
    assert response.status == 200, path
    return response


MAIN_PAGES = [
    ("home", "/"),
    ("contributions", "/contributions/"),
    ("matrix", "/matrix/"),
    ("nations", "/nations/"),
    ("nation-france", "/nations/fr/"),
    ("meetings", "/meetings/"),
    ("meeting-brussels", "/meetings/brussels-2016-02/"),
    ("officials", "/officials/"),
    ("official-carter", "/officials/ash-carter/"),
    ("sources", "/sources/"),
    ("source-reuters", "/sources/2016-02-11-reuters-us-tells-allies/"),
    ("search", "/search/?q=carrier"),
    ("search-one-kind", "/search/?q=attended&kind=participation"),
]


# The screen position of a point inside an SVG path's fill, found on a grid over its bounding box.
INSIDE_THE_FILL = """path => {
    const box = path.getBBox(), matrix = path.getScreenCTM(), svg = path.ownerSVGElement;
    for (let i = 1; i < 40; i++) for (let j = 1; j < 40; j++) {
        const point = svg.createSVGPoint();
        point.x = box.x + box.width * i / 40; point.y = box.y + box.height * j / 40;
        if (path.isPointInFill(point)) {
            const screen = point.matrixTransform(matrix), rect = path.getBoundingClientRect();
            return {x: screen.x - rect.left, y: screen.y - rect.top};
        }
    }
    throw new Error("no point inside the fill");
}"""


def test_a_researcher_clicks_a_country_on_the_map_and_reaches_its_profile(page, cast, screenshot):
    open_page(page, "/")
    country = page.locator(".world-map a[aria-label^='France:'] path")
    country.scroll_into_view_if_needed()
    screenshot(page, "map-home")
    # France's outline includes French Guiana, so the middle of its box is ocean: click a point of its fill.
    # A point relative to the path, clicked through the locator: Playwright waits for the map to stop
    # moving and checks the path itself receives the click, where raw page coordinates went stale
    # whenever the layout above the map shifted after they were read.
    country.click(position=country.evaluate(INSIDE_THE_FILL))
    # The map links to the partner's canonical address.
    page.wait_for_url("**/partners/fr/")
    assert page.locator("h1").inner_text().startswith("France")


def test_a_researcher_searches_from_the_header_and_opens_a_result(page, curated_live, screenshot):
    open_page(page, "/meetings/")
    page.get_by_role("searchbox", name="Search every record and quote").fill("carrier")
    page.get_by_role("search").first.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=carrier")
    results = page.locator("#kind-contribution + .search-hits a")
    assert results.first.inner_text() == "France: Military forces, aircraft carrier"
    assert page.locator(".search-hits mark").first.inner_text().lower() == "carrier"
    screenshot(page, "search-carrier")
    results.first.click()
    page.wait_for_url("**/contributions/*/")
    assert "aircraft carrier Charles de Gaulle" in page.locator("h1").inner_text()


def test_every_page_loads_with_no_accessibility_violations_on_a_desktop(page, cast, screenshot):
    for name, path in [*MAIN_PAGES, ("contribution", cast.carrier.get_absolute_url())]:
        open_page(page, path)
        assert page.locator("h1").count() == 1, path
        check_accessibility(page)
        screenshot(page, f"desktop-{name}")


def test_every_page_loads_with_no_accessibility_violations_on_a_phone(page, cast, screenshot):
    page.set_viewport_size(PHONE)
    for name, path in MAIN_PAGES:
        open_page(page, path)
        check_accessibility(page)
        # Nothing may force the page wider than the phone; wide tables scroll inside their own box.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide"
        screenshot(page, f"phone-{name}")


def test_a_researcher_filters_contributions_by_clicking_the_form(page, cast, screenshot):
    open_page(page, "/contributions/")
    page.get_by_role("checkbox", name="France").check()
    page.get_by_role("checkbox", name="Military forces").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()

    assert "nation=fr" in page.url and "category=military" in page.url
    # Empty fields are left out of the address by static/js/site.js.
    assert "q=" not in page.url
    assert page.locator("#results-title").inner_text() == "1 contribution"
    assert "Charles de Gaulle" in page.locator("table.contributions-table").inner_text()
    check_accessibility(page)
    screenshot(page, "desktop-contributions-filtered")

    page.get_by_role("link", name="Partner: France").click()
    page.wait_for_load_state()
    assert "nation=" not in page.url
    assert page.locator("#results-title").inner_text() == "7 contributions"


def test_a_bad_filter_value_shows_the_error_and_passes_axe(page, cast, screenshot):
    response = page.goto(page.base_url + "/contributions/?nation=zz&announced_after=2016-13-01&page_size=0")
    assert response.status == 400
    summary = page.locator(".error-summary").inner_text()
    # Partner keys are slugs, so the unknown one is named in lower case.
    assert "zz is not one of the available choices" in summary
    assert "Enter a valid date" in summary and "A whole number from 1 up" in summary
    check_accessibility(page)
    screenshot(page, "desktop-contributions-400")


def test_a_matrix_cell_leads_to_the_filtered_list(page, cast):
    open_page(page, "/matrix/")
    page.get_by_role("link", name="France, Military forces:").click()
    page.wait_for_load_state()
    assert page.url.endswith("/contributions/?nation=fr&category=military")
    assert page.locator("#results-title").inner_text() == "1 contribution"
    assert page.get_by_role("checkbox", name="France").is_checked()


def test_a_capability_request_is_reached_by_its_anchor(page, cast):
    open_page(page, cast.isr.get_absolute_url())
    request = page.locator(f"#request-{cast.isr.pk}")
    expect(request).to_be_in_viewport()
    offered = page.locator(".match", has=request).locator(".offered")
    expect(offered).to_contain_text("Reaper drones and surveillance flights")


def test_the_csv_download_has_the_filtered_rows(page, cast):
    open_page(page, "/contributions/?nation=fr")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == "contributions.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert {row["nation_code"] for row in rows} == {"FR"}
    assert len(rows) == 1


def test_the_filters_fold_away_on_a_phone_and_open_again(page, cast):
    page.set_viewport_size(PHONE)
    open_page(page, "/contributions/")
    panel = page.locator(".filter-panel")
    assert panel.get_attribute("open") is None
    page.get_by_text("Filter and sort").click()
    assert panel.get_attribute("open") is not None
    assert page.get_by_role("button", name="Apply filters").is_visible()


def test_the_not_found_page_is_accessible(page, cast, screenshot):
    response = page.goto(page.base_url + "/nations/zz/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    check_accessibility(page)
    screenshot(page, "desktop-404")


def test_static_files_are_served_from_this_site_only(page, cast):
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    open_page(page, "/")
    open_page(page, "/matrix/")
    assert hosts == {page.base_url.split("/")[2]}


@pytest.fixture
def curated_live(transactional_db):
    from django.core.management import call_command

    from contributions import search
    from tests.conftest import CURATED_FIXTURES

    call_command("loaddata", *CURATED_FIXTURES, verbosity=0)
    search.rebuild()


def test_the_curated_data_passes_axe_on_every_kind_of_page(page, curated_live, screenshot):
    from contributions.models import Contribution, LineOfEffort, Meeting, Nation, Official, Source

    paths = ["/", "/contributions/", "/matrix/", "/nations/", "/meetings/", "/officials/", "/sources/", "/lines/"]
    # A line with leads, their quotes, contributions and requests.
    paths += [LineOfEffort.objects.get(slug="iraqi-police-training").get_absolute_url()]
    paths += ["/search/?q=police", "/search/?q=the&kind=contribution&page=2"]
    paths += [model.objects.first().get_absolute_url() for model in (Nation, Contribution, Meeting, Official, Source)]
    for viewport in (None, PHONE):
        if viewport:
            page.set_viewport_size(viewport)
        for path in paths:
            open_page(page, path)
            check_accessibility(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], path
    page.set_viewport_size({"width": 1280, "height": 900})
    for name, path in (("home", "/"), ("contributions", "/contributions/"), ("matrix", "/matrix/")):
        open_page(page, path)
        screenshot(page, f"curated-{name}")


def test_a_researcher_follows_the_defence_ministerials_from_paris_to_washington(page, curated_live, screenshot):
    open_page(page, "/meetings/?series=counter_isil_defence_ministerials")
    page.get_by_role("link", name="First counter-ISIL defence ministerial (chief contributors), Paris").click()
    visited = []
    while True:
        page.wait_for_load_state()
        visited.append(page.locator("h1").inner_text())
        series = page.get_by_role("navigation", name="Counter-ISIL defence ministerials")
        screenshot(page, f"series-{len(visited)}")
        following = series.locator("a[rel=next]")
        if not following.count():
            break
        href = following.get_attribute("href")
        following.click()
        page.wait_for_url(f"**{href}")
    assert [title.split("\n")[0] for title in visited] == [
        "First counter-ISIL defence ministerial (chief contributors), Paris",
        "Counter-ISIL coalition defence ministerial, Brussels",
        "Counter-ISIL defence ministerial, Stuttgart",
        "Coalition meeting in Washington",
    ]
    assert "The latest of the series" in series.inner_text()
    check_accessibility(page)
    # Washington was announced at Stuttgart, and the link leads back there.
    page.locator("dt:text-is('Announced at') + dd a").click()
    page.wait_for_url("**/meetings/2016-05-stuttgart-counter-isil-ministerial/")


def test_a_researcher_moves_the_date_control_and_the_pages_follow(page, dated, screenshot):
    # The carrier's jets were 12 on 1 December 2015 and 38 from 1 February 2016 (the dated fixture).
    open_page(page, "/partners/fr/")
    cards = page.locator("#contributions-title ~ .category-group")
    assert "12 → 38 aircraft" in cards.inner_text()

    page.get_by_label("The tracker as it stood on (blank: today)").fill("2016-01-25")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/partners/fr/?as_of=2016-01-25")
    assert page.locator(".as-of-note").inner_text().startswith("As the tracker stood on 25 January 2016")
    assert "12 aircraft" in cards.inner_text() and "38" not in cards.inner_text()
    check_accessibility(page)
    screenshot(page, "desktop-partner-as-of")

    # Before any of France's events the profile is empty, not an error.
    page.get_by_label("The tracker as it stood on (blank: today)").fill("2015-10-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(lambda url: "as_of=2015-10-01" in url)
    assert "No contribution recorded for France." in page.locator("main").inner_text()
    page.get_by_role("link", name="See it today").click()
    page.wait_for_url("**/partners/fr/")
    assert "12 → 38 aircraft" in cards.inner_text()

    # On a filtered list the date is one more field of the filter form, and the links keep it.
    open_page(page, "/contributions/")
    assert page.locator("#results-title").inner_text() == "16 contributions"
    page.get_by_label("Date (blank: today)").fill("2016-01-25")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(lambda url: "as_of=2016-01-25" in url)
    assert page.locator("#results-title").inner_text() == "10 contributions"
    page.get_by_role("checkbox", name="France").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(lambda url: "nation=fr" in url)
    assert "as_of=2016-01-25" in page.url
    assert page.locator("#results-title").inner_text() == "1 contribution"
    assert "12 aircraft" in page.locator("table.contributions-table").inner_text()
    screenshot(page, "desktop-contributions-as-of")
