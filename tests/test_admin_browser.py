"""An editor, in a real browser, adds a cited contribution through the admin and finds it on the site."""

import pytest

from tests.factories import NationFactory, SourceFactory

pytestmark = [pytest.mark.browser]


def choose(page, container, search, option):
    """Pick a value in one of the admin's autocomplete boxes."""
    container.locator(".select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=option).click()


def test_an_editor_adds_a_cited_contribution_and_it_appears_on_the_site(page, transactional_db, editor, screenshot):
    NationFactory(country="JO", name="Jordan", role="military")
    SourceFactory(slug="2016-02-11-reuters", outlet="Reuters", headline="Allies pledge more jets")

    page.goto(page.base_url + "/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    assert page.locator("#site-name").inner_text() == "Coalition Contributions Tracker"

    screenshot(page, "admin-index")
    page.get_by_role("link", name="Contributions", exact=True).first.click()
    page.get_by_role("link", name="Add contribution").click()
    choose(page, page.locator(".field-nation"), "Jor", "Jordan")
    page.select_option("#id_status", "pledged")
    page.select_option("#id_category", "military")
    page.select_option("#id_capability", "aircraft")
    page.fill("#id_description", "Jordan adds six F-16s to the air campaign")
    page.fill("#id_quantity", "6")
    page.select_option("#id_unit", "aircraft")
    page.fill("#id_announced", "2016-02-11")
    choose(page, page.locator("#citations-0 .field-source"), "Reuters", "Allies pledge more jets")
    page.fill("#id_citations-0-quote", "Jordan will add six F-16s, officials said.")
    screenshot(page, "admin-add-contribution")
    page.click("input[name=_save]")

    assert "was added successfully" in page.locator(".messagelist").inner_text()
    assert page.locator("#result_list", has_text="Jordan adds six F-16s").count() == 1
    screenshot(page, "admin-contribution-list")

    page.goto(page.base_url + "/contributions/")
    assert page.get_by_text("Jordan adds six F-16s to the air campaign").count() >= 1
    screenshot(page, "public-contribution-list-after-admin-add")
