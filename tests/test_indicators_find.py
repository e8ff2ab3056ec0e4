"""The all-indicators table in pages, read in Chromium on a served build: the search over every page
lists a bounded number of matches, then 更多 goes on from the row where it stopped, to the last
page; without JavaScript the pages are plain tables linked by the pager."""

from __future__ import annotations

import pytest

from tests.conftest import served, write_tree
from tests.test_peers import FILES


@pytest.fixture(scope="module")
def paged_url(tmp_path_factory):
    """20 indicators, 7 a page (3 pages); the search lists 2 matches at a time."""
    from sitegen.build.site import PDF, build, without
    from sitegen.render import indicators

    root = tmp_path_factory.mktemp("paged")
    content = write_tree(root / "content", FILES)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indicators, "PAGE_SIZE", 7)
        patch.setattr(indicators, "FIND_LIMIT", 2)
        build(content, root / "output", renderers=without(PDF))
    with served(root / "output") as url:
        yield url


def hrefs(tab) -> list[str]:
    links = tab.locator(".find-results a")
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


def test_in_chromium_more_goes_on_past_the_first_matches_to_the_last_page(paged_url, page):
    page.goto(f"{paged_url}/indicators/3/")
    page.fill("#find-everywhere", "满意度")
    page.click("form.find-everywhere button[type=submit]")
    status = page.locator(".find-status")
    status.filter(has_text="已列出 2 项").wait_for()
    # the five 满意度 rows are rows 4, 8, 12, 16 and 20: the first two are on pages 1 and 2
    assert hrefs(page) == ["../#i-u1-2023-train-4", "../2/#i-u1-2024-train-4"]
    assert "第 2 / 3 页" in status.inner_text()
    more = page.locator("button.find-more")
    assert more.is_visible() and more.inner_text() == "更多（再列出至多 2 项）"
    more.click()
    status.filter(has_text="已列出 4 项").wait_for()
    assert hrefs(page)[2:] == ["../2/#i-u2-2024-train-4", "../3/#i-u3-2024-train-4"]
    assert page.evaluate("document.activeElement.getAttribute('href')") == "../2/#i-u2-2024-train-4"
    more.click()
    status.filter(has_text="在全部 3 页中找到 5 项").wait_for()
    assert len(hrefs(page)) == 5 and hrefs(page)[4] == "../3/#i-u4-2024-train-4" and not more.is_visible()
    # a new search starts over
    page.fill("#find-everywhere", "培训人数")
    page.click("form.find-everywhere button[type=submit]")
    status.filter(has_text="已列出 2 项").wait_for()
    assert hrefs(page) == ["../#i-u1-2023-train-1", "../#i-u1-2024-train-1"]
    page.locator(".find-results a").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/indicators/#i-u1-2023-train-1")
    assert page.locator("tr[id='i-u1-2023-train-1']").is_visible()
    assert page.errors == []


def test_without_javascript_every_page_is_a_plain_table_reached_by_the_pager(browser, paged_url):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(f"{paged_url}/indicators/")
        seen = []
        while True:
            assert not tab.locator("form.find-everywhere").is_visible()
            seen.append(tab.locator("#indicators tbody tr").count())
            following = tab.locator("nav.pager a[rel=next]").first
            if following.count() == 0:
                break
            following.click()
            tab.wait_for_load_state()
        assert seen == [7, 7, 6]
    finally:
        context.close()
