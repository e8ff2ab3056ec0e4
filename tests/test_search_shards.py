"""A search index split into shards (one Pagefind process each, merged in the browser)
finds what the one index finds: every project name and every 三级指标 of the example."""

from __future__ import annotations

import json
import re

import pytest

from sitegen.build.site import PDF, build, without
from sitegen.checks.pipeline import load_content
from sitegen.render.search import search_shards
from tests.conftest import CONTENT, FIGURES, served
from tests.test_site import open_page, search

SHARD_PAGES = 4  # the example's larger units become shards of their own


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("SITEGEN_SEARCH_SHARD_PAGES", str(SHARD_PAGES))
    out = tmp_path_factory.mktemp("sharded") / "output"
    try:
        build(CONTENT, out, renderers=without(PDF), cache_dir=out.parent / "cache")
        shards = search_shards(load_content(CONTENT).content)
    finally:
        mp.undo()
    with served(out) as url:
        yield out, url, shards


def test_each_shard_is_a_bundle_of_its_own_units(sharded):
    out, _, shards = sharded
    agencies = load_content(CONTENT).content.agencies
    assert len(shards) > 1 and [a for shard in shards for a in shard] == [a.id for a in agencies]
    for number, units in enumerate(shards):
        folder = out / "pagefind" / (f"shard-{number}" if number else "")
        entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
        pages = sum(info["page_count"] for info in entry["languages"].values())
        expected = sum(1 + sum(1 + len(uy.projects) for uy in a.years)  # the unit's page, its years' and projects'
                       for a in load_content(CONTENT).content.agencies if a.id in units)
        assert pages == expected
    html = (out / "search/index.html").read_text(encoding="utf-8")
    assert "data-pagefind-shards='[\"shard-1/\"" in html


def test_merged_shards_find_every_project_and_indicator(page, sharded):
    _, url, shards = sharded
    content = load_content(CONTENT).content
    open_page(page, url, "/search/")
    # Every project name and each project's first and last 三级指标 that few projects share
    # (a name ten projects print cannot rank one of them first); every shard answers.
    # The full set of queries over one index is tests/test_site.py's.
    def sharing(name):  # projects that print the name somewhere in their indicator table
        return sum(any(name in f"{i.level1}{i.level2}{i.name}" for i in p.indicators) for p in content.projects())

    queries = [(p.name, p.url) for p in content.projects()]
    queries += [(i.name, p.url) for p in content.projects() for i in p.indicators[:1] + p.indicators[-1:]
                if sharing(i.name) <= 3]
    misses = [(query, where) for query, where in queries if where not in [r["path"] for r in search(page, query)[:10]]]
    FIGURES.append(f"search recall over {len(shards)} merged shards: {len(queries) - len(misses)}/{len(queries)}")
    assert misses == [] and page.errors == []


def test_facets_count_over_every_shard(page, sharded):
    _, url, _ = sharded
    open_page(page, url, "/search/")
    search(page, "满意度")
    years = page.eval_on_selector_all("#facets input[name=year]", "boxes => boxes.map(b => b.value)")
    assert {"2022", "2023"} <= set(years)
    # The count beside each year is of the results found in every shard: the two years (in
    # different shards) both count some, and together the years count no more than the results
    counts = dict(page.eval_on_selector_all(
        "#facets input[name=year]", "boxes => boxes.map(b => [b.value, Number(b.parentElement.textContent.match(/（(\\d+)）/)[1])])"))
    found = int(re.search(r"(\d+) 项", page.inner_text("#search-status")).group(1))
    assert counts["2022"] > 0 and counts["2023"] > 0 and sum(counts.values()) <= found


def test_a_small_site_has_one_index_as_before():
    assert search_shards(load_content(CONTENT).content) == [[a.id for a in load_content(CONTENT).content.agencies]]


def test_the_index_does_not_depend_on_the_order_pages_were_written(built, tmp_path):
    """tmpfs lists files newest first, ext4 in a hash order: the same pages, written in
    two opposite orders, give the same index files."""
    from sitegen.render import Context
    from sitegen.render.search import render_search
    from sitegen.render.writer import Writer

    pages = sorted(p.relative_to(built).as_posix() for p in built.rglob("*.html") if "pagefind" not in p.parts)
    bundles = []
    for name, order in (("forward", pages), ("backward", pages[::-1])):
        writer = Writer(tmp_path / name)
        for relative in order:
            writer.write_bytes(relative, (built / relative).read_bytes())
        render_search(load_content(CONTENT).content, writer, Context(CONTENT, tmp_path / "cache"))
        bundle = tmp_path / name / "pagefind"
        bundles.append({p.relative_to(bundle).as_posix(): p.read_bytes() for p in sorted(bundle.rglob("*")) if p.is_file()})
    assert bundles[0] == bundles[1]
    assert bundles[0] == {p.relative_to(built / "pagefind").as_posix(): p.read_bytes()
                          for p in sorted((built / "pagefind").rglob("*")) if p.is_file()}


def shard_files(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "shard-" not in p.relative_to(folder).parts[0]}


def test_a_shard_indexed_on_its_own_from_its_pages_is_the_same_bundle(sharded):
    """What a build may cache: a shard's bundle depends on its own pages alone, in whatever order
    or company the shards were indexed (the build indexed them two at a time)."""
    from sitegen.render.search import index_shard, indexed_pages, shard_folder

    out, _, shards = sharded
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html") if "pagefind" not in p.parts)
    for number in (len(shards) - 1, 1):
        units = set(shards[number])
        bundle = index_shard(indexed_pages(out, [p for p in pages if p.split("/", 1)[0] in units]))
        assert bundle == shard_files(out / shard_folder(number))


def test_a_sharded_site_answers_a_phrase_with_the_pages_that_contain_it(page, sharded):
    """Past one index the words of a phrase are not searched apart (that costs the browser time in
    proportion to the site) when the phrase itself is found."""
    _, url, _ = sharded
    content = load_content(CONTENT).content
    phrase = "办事群众满意度"
    containing = {p.url for p in content.projects() if any(phrase in i.name for i in p.indicators)}
    open_page(page, url, "/search/")
    assert {r["path"] for r in search(page, phrase)} == containing and page.errors == []


def test_a_place_is_found_across_shards(page, sharded):
    """The place filter's values come from every shard: both 东莞 units, in shards of their own."""
    from tests.test_search_places import every_result, units_of

    _, url, shards = sharded
    assert sum(any(unit.startswith("dg-") for unit in shard) for shard in shards) == 2
    open_page(page, url, "/search/")
    assert units_of([r["path"] for r in every_result(page, "东莞")]) == {"dg-jtj", "dg-zhanlanguan"}
    assert units_of([r["path"] for r in every_result(page, "乌海")]) == {"418001"}
