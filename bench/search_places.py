"""Recall and precision of place queries (issue 22, item 3) on a generated site of place-named units.

    .venv/bin/python bench/search_recall.py --places [--work DIR]

(run through search_recall.py, which this module's main() serves). Generates provinces, cities
(some 藏族自治州), counties and towns from a list of place characters, so that names share single
characters (莞城 beside 东莞) as real ones do, and units named as agencies name themselves: the city
and a department (乌海市人力资源和社会保障局), the county and a department, the town's government
under its city and county (池州市贵池区棠溪镇人民政府), a museum named by its city's short name
(东莞展览馆), and in every province a county of one name (城关区, as 普陀区 is in 上海 and in 舟山).
The queries, by kind: every place's full name and short name; a city's and its county's short
names together (上海普陀: that county only, not the others of its name); every unit's name; its
name with its places' short names (东莞交通运输局, 贵池棠溪人民政府); a place's short name with the
year (东莞2025) and with words (东莞运行经费) written together; a unit's name with a typo in its last
character (社会保障居), which must be found and said to be approximate. The expected units are the
ones the generator put there (not render/places.py's reading, which is what is measured); every
page of every result counts, as the unit it belongs to. Reported for the search page's place
reading (static/places.js) and, for comparison, for Pagefind's full-text search of the same query
(what the page did before).
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

from bench import project_yaml  # noqa: E402  (bench/bench.py)

CHARACTERS = "东莞城乌海安平宁德祁连山阳江北南西湖青川河源泉州长沙台兴华新丰庆永昌汉武嘉峪临沧翔贵池溪定远明宝清云龙"
DEPARTMENTS = ("人力资源和社会保障局", "医疗保障局", "教育局", "交通运输局", "财政局")
PROVINCES, CITIES, COUNTIES = 6, 4, 4
SHARED = ("城关区", "城关")  # 关 is not among CHARACTERS: no other place is named so


class Names:
    """Two-character stems, each used once, drawn from CHARACTERS (seeded)."""

    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.used: set[str] = set()

    def stem(self) -> str:
        while True:
            stem = "".join(self.random.sample(CHARACTERS, 2))
            if stem not in self.used:
                self.used.add(stem)
                return stem


def generate_places(root: Path, seed: int = 22) -> list[dict]:
    """The content tree, and each unit with the places the generator put it in: [(full, short)]."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "site.yaml").write_text("title: 地名检索基准\nbase_url: https://example.org/\n", encoding="utf-8")
    names = Names(seed)
    units: list[dict] = []

    def unit(name: str, places: list[tuple[str, str]], short: str) -> None:
        number = len(units)
        folder = root / f"u{number:04d}"
        (folder / "2025").mkdir(parents=True)
        region = "".join(full for full, _ in places if not full.endswith("镇"))
        (folder / "agency.yaml").write_text(f'code: "{200000 + number}"\nname: {name}\nregion: {region}\n', encoding="utf-8")
        (folder / "2025" / "p1.yaml").write_text(project_yaml(number, indicators=3), encoding="utf-8")
        units.append({"id": folder.name, "name": name, "places": places, "short": short})

    for p in range(PROVINCES):
        stem = names.stem()
        province = (stem + ("壮族自治区" if p == 0 else "省"), stem)
        for c in range(CITIES):
            stem = names.stem()
            city = (stem + ("藏族自治州" if c == 3 else "市"), stem)
            for department in DEPARTMENTS[:2]:
                unit(city[0] + department, [province, city], city[1] + department)
            unit(city[1] + "展览馆", [province, city], city[0] + "展览馆")
            for k in range(COUNTIES):
                stem = names.stem()
                county = (stem + ("区" if k % 2 else "县"), stem)
                for department in DEPARTMENTS[2:4]:
                    unit(county[0] + department, [province, city, county], county[1] + department)
                stem = names.stem()
                town = (stem + "镇", stem)
                unit(city[0] + county[0] + town[0] + "人民政府", [province, city, county, town],
                     county[1] + town[1] + "人民政府")
            if c == 0:  # a county named as one in every province is (城关区, 鼓楼区, 普陀区)
                unit(city[0] + SHARED[0] + DEPARTMENTS[2], [province, city, SHARED], city[1] + SHARED[1] + DEPARTMENTS[2])
    return units


QUERY = """async ([query, vocab]) => {
  const script = document.querySelector("script[data-pagefind]");
  const pagefind = await import(new URL(script.dataset.pagefind, document.baseURI).href);
  const places = await import(new URL("../static/places.js", new URL(script.dataset.pagefind, document.baseURI)).href);
  const filters = await pagefind.filters();
  const read = await places.placeSearch(pagefind, query, filters, vocab);
  const page = read ? await Promise.all(read.results.map((r) => r.data())) : [];
  const text = await pagefind.search(query);
  const plain = await Promise.all(text.results.map((r) => r.data()));
  const ids = (items) => [...new Set(items.map((item) => new URL(item.url, location.href).pathname.split("/")[1]))];
  return { page: ids(page), plain: ids(plain), approximate: Boolean(read && read.approximate), read: Boolean(read) };
}"""


def score(found: dict[str, list[str]], expected: dict[str, set[str]], key: str) -> tuple[float, float, int, int]:
    hits = sum(len(set(found[q][key]) & expected[q]) for q in expected)
    wanted = sum(len(expected[q]) for q in expected)
    returned = sum(len(set(found[q][key])) for q in expected)
    return hits / wanted, hits / returned if returned else 0.0, wanted - hits, returned - hits


def run_places(work: Path) -> bool:
    from playwright.sync_api import sync_playwright

    from sitegen.build.site import PDF, build, without
    from sitegen.render.places import vocabulary
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS, start_server
    from tests.test_site import open_page

    content, out, cache = work / "content", work / "output", work / "cache"
    units = generate_places(content)
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    build(content, out, renderers=without(PDF), cache_dir=cache)
    print(f"{len(units)} units (one year, one project each) built with the search index in {time.perf_counter() - start:.1f} s")
    groups = query_groups(units)
    print(", ".join(f"{len(queries)} {label}" for label, queries in groups.items()))
    vocab = vocabulary()
    server, url = start_server(out)
    found = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            open_page(page, url, "/search/")
            start = time.perf_counter()
            for query in sorted({query for queries in groups.values() for query in queries}):
                found[query] = page.evaluate(QUERY, [query, vocab])
            seconds = time.perf_counter() - start
            browser.close()
    finally:
        server.shutdown()
    print(f"{len(found)} queries, {seconds:.1f} s in all; units found (every page of every result, each mapped "
          "to its unit): recall, precision, answers said to be approximate (近似结果)")
    good = True
    for label, expected in groups.items():
        approximate = sum(found[query]["approximate"] for query in expected)
        for key, way in (("page", "search page"), ("plain", "Pagefind full text alone")):
            recall, precision, missed, extra = score(found, expected, key)
            said = f", {approximate} approximate" if key == "page" else ""
            print(f"  {label}, {way}: recall {recall:.1%} ({missed} missed), precision {precision:.1%} ({extra} other units){said}")
        wrong = [(query, sorted(expected[query] ^ set(found[query]["page"]))) for query in sorted(expected)
                 if expected[query] != set(found[query]["page"])]
        for query, units in wrong[:3]:
            print(f"    e.g. {query}: missed or other units {' '.join(units)}")
        recall, precision, _, _ = score(found, expected, "page")
        if label == TYPOS:
            good &= recall == 1.0 and approximate == len(expected)
        else:
            good &= recall == 1.0 and precision == 1.0 and approximate == 0
    worst = sorted(groups[PLACES], key=lambda q: -len(set(found[q]["plain"]) - groups[PLACES][q]))[:3]
    for query in worst:
        print(f"  e.g. {query}: {len(groups[PLACES][query])} units there; full text returned "
              f"{len(set(found[query]['plain']))}, the search page {len(set(found[query]['page']))}")
    return good


PLACES, TYPOS = "place names (full and short)", "unit names with a typo"


def query_groups(units: list[dict]) -> dict[str, dict[str, set[str]]]:
    """The queries people type, by kind, each with the units it should find: the ones the
    generator put there (not render/places.py's reading, which is what is measured)."""
    places: dict[str, set[str]] = {}
    for u in units:
        for full, short in u["places"]:
            for query in (full, short):
                places.setdefault(query, set()).add(u["id"])
    shorts = {short: places[short] for u in units for _, short in u["places"]}

    counties: dict[str, set[str]] = {}  # 乌海城关: the county of that name in that city only
    for u in units:
        if len(u["places"]) > 2:
            counties.setdefault(u["places"][1][1] + u["places"][2][1], set()).add(u["id"])

    def beginning(query: str) -> set[str]:  # a unit's name and any other that begins with it
        return {v["id"] for v in units if v["name"].startswith(query) or v["short"].startswith(query)}

    return {
        PLACES: places,
        "a city and its county together (上海普陀, 城关区 in six cities)": counties,
        "unit names": {u["name"]: beginning(u["name"]) for u in units},
        "unit names with their places' short names (东莞交通运输局)": {u["short"]: beginning(u["short"]) for u in units},
        "a place and the year together (东莞2025)": {short + "2025": ids for short, ids in shorts.items()},
        "a place and words together (东莞运行经费)": {short + "运行经费": ids for short, ids in shorts.items()},
        # 局 → 居, 馆 → 官, 府 → 付: the unit's place is read, its name is not there
        TYPOS: {u["name"][:-1] + TYPO[u["name"][-1]]: {u["id"]} for u in units},
    }


TYPO = {"局": "居", "馆": "官", "府": "付"}
