// Search page: Pagefind's API with facets, results that contain the exact phrase first; a query
// that names a place or a unit gets that place's units, years and projects (places.js); results
// come 20 to a page. Everything from the index is written with textContent; excerpts become text
// and <mark> only.
import { placeLabel, placeSearch, readQuery } from "./places.js";

const script = document.querySelector("script[data-pagefind]");
const bundle = new URL(script.dataset.pagefind, document.baseURI);
const form = document.getElementById("search-form");
const input = document.getElementById("q");
const facetsBox = document.getElementById("facets");
const status = document.getElementById("search-status");
const list = document.getElementById("results");
const pager = document.getElementById("pager");
const vocab = JSON.parse(script.dataset.places);
const labels = JSON.parse(facetsBox.dataset.labels);
const params = new URLSearchParams(location.search);
const selected = Object.fromEntries(Object.keys(labels).map((key) => [key, new Set(params.getAll(key))]));
const SHOWN = 20;
const RERANKED = 60;

const pagefind = await import(bundle.href);
const searchOptions = { baseUrl: new URL("..", bundle).pathname, excerptLength: 40 };
await pagefind.options(searchOptions);
// A large site's index is split into shards by unit (sitegen/render/search.py): merge them here.
const shards = JSON.parse(script.dataset.pagefindShards || "[]");
for (const shard of shards) {
  await pagefind.mergeIndex(new URL(shard, bundle).pathname, searchOptions);
}
const allFilters = await pagefind.filters();
input.value = params.get("q") || "";
let pageNumber = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
let answer = null;  // the last query's results: what the pager pages through

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function withYears(text) {
  // A title's "2022 年" in one piece: a narrow phone never leaves 2022 at a line's end and 年 below.
  return text.split(/(\d{4} 年)/).map((part, index) => (index % 2 ? element("span", part, "nowrap") : document.createTextNode(part)));
}

function excerpt(html) {
  // Pagefind excerpts are escaped text with <mark> around the hits: keep exactly that.
  const paragraph = element("p", undefined, "excerpt");
  html.split(/(<mark>[\s\S]*?<\/mark>)/).forEach((part) => {
    const marked = part.startsWith("<mark>");
    const raw = marked ? part.slice(6, -7) : part;
    const text = new DOMParser().parseFromString(raw, "text/html").body.textContent;
    paragraph.append(marked ? element("mark", text) : document.createTextNode(text));
  });
  return paragraph;
}

function activeFilters() {
  const filters = {};
  for (const [key, values] of Object.entries(selected)) {
    if (values.size) filters[key] = { any: [...values] };
  }
  return filters;
}

function renderFacets(counts) {
  const wasOpen = facetsBox.querySelector("details")?.open ?? matchMedia("(min-width: 48rem)").matches;
  const details = element("details");
  details.open = wasOpen;
  details.append(element("summary", "筛选：" + Object.values(labels).join("、")));
  facetsBox.replaceChildren(details);
  for (const [key, label] of Object.entries(labels)) {
    const values = Object.keys(allFilters[key] || {}).sort();
    if (!values.length) continue;
    const fieldset = element("fieldset");
    fieldset.append(element("legend", label));
    for (const value of values) {
      const box = element("input");
      box.type = "checkbox";
      box.name = key;
      box.value = value;
      box.checked = selected[key].has(value);
      box.addEventListener("change", () => {
        box.checked ? selected[key].add(value) : selected[key].delete(value);
        run();
      });
      const row = element("label");
      row.append(box, document.createTextNode(` ${value}（${(counts[key] || {})[value] || 0}）`));
      fieldset.append(row);
    }
    details.append(fieldset);
  }
}

function remember(query) {
  const next = new URLSearchParams();
  if (query) next.set("q", query);
  for (const [key, values] of Object.entries(selected)) values.forEach((v) => next.append(key, v));
  if (pageNumber > 1) next.set("page", String(pageNumber));
  history.replaceState(null, "", `${location.pathname}${next.toString() ? "?" + next : ""}`);
  // Printed, the page's address is the search's own, its words as typed (not percent-encoded).
  const printed = document.querySelector(".print-url");
  if (printed) {
    printed.dataset.page ??= printed.textContent;
    printed.textContent = printed.dataset.page + (next.toString() ? "?" + decodeURIComponent(next.toString().replace(/\+/g, " ")) : "");
  }
}

async function run(keepPage = false) {
  list.setAttribute("aria-busy", "true");
  try {
    if (!keepPage) pageNumber = 1;
    await runSearch();
  } finally {
    list.setAttribute("aria-busy", "false");
  }
}

async function runSearch() {
  const query = input.value.trim();
  const filters = activeFilters();
  if (!query && !Object.keys(filters).length) {
    remember(query);
    renderFacets(allFilters);
    status.textContent = "输入单位、地名、项目名称或指标，或在左侧选择筛选条件。";
    list.replaceChildren();
    pager.hidden = true;
    return;
  }
  answer = await answerFor(query, filters);
  renderFacets(answer.search.filters || allFilters);
  await showPage();
}

// Every result of a query, in order: a place's or a unit's own pages (units, years, projects),
// or the full-text results with those that contain the whole query first. `loaded` holds the
// data of the results read so far, by position.
async function answerFor(query, filters) {
  const place = query ? await placeSearch(pagefind, query, allFilters, vocab, filters) : null;
  if (place && place.results.length) {
    const years = place.asked.years.length ? [`${place.asked.years.join("、")} 年`] : [];
    const named = [placeLabel(place.asked), ...years];
    const answer = { search: place.search, results: place.results, loaded: [], place: named, words: place.words, eachPlace: place.eachPlace, query };
    // None of the place's pages has the other words: the whole query written somewhere else
    // (a name that begins like a place: 青山绿水) comes first, else the place's pages, said so.
    if (!place.approximate) return { ...answer, approximate: false };
    const phrase = await find(query, filters, true);
    if (!phrase.candidates.length) return { ...answer, approximate: true };
  }
  const asked = query ? readQuery(query, allFilters, vocab) : { unknownPlaces: [] };
  const { search, candidates, phraseFound } = await find(query, filters, asked.unknownPlaces.length > 0);
  // A place the site has no unit in (东城区) finds only pages that name it, never other
  // places' pages through one of its characters.
  if (asked.unknownPlaces.length && !candidates.length) {
    return { search, results: [], loaded: [], place: null, unknown: asked.unknownPlaces, approximate: false, query };
  }
  const data = await Promise.all(candidates.slice(0, RERANKED).map(({ result, parts }) =>
    result.data().then((item) => ({ item, parts }))));
  // Results that contain the whole query as written come first, then Pagefind's own results,
  // then those found only through parts of the query (most parts first).
  const ranked = data
    .map(({ item, parts }, index) => ({ item, index, parts, exact: query && item.content.includes(query) ? 0 : 1 }))
    .sort((a, b) => a.exact - b.exact || b.parts - a.parts || a.index - b.index)
    .map(({ item }) => item);
  const results = candidates.map(({ result }) => result);
  // Without the whole query as a phrase, a result that lacks one of its words is a near match.
  const tokens = query.split(/\s+/).filter(Boolean);
  const whole = (item) => tokens.every((token) => item.content.includes(token) || (item.meta.title || "").includes(token));
  const approximate = Boolean(query) && !phraseFound && !ranked.some(whole);
  return { search, results, loaded: ranked, place: null, approximate, query };
}

async function showPage() {
  const total = answer.results.length;
  const pages = Math.max(1, Math.ceil(total / SHOWN));
  pageNumber = Math.min(pageNumber, pages);
  remember(answer.query);
  const first = (pageNumber - 1) * SHOWN;
  const items = await Promise.all(answer.results.slice(first, first + SHOWN).map((result, offset) =>
    answer.loaded[first + offset] || result.data()));
  status.textContent = statusLine(total, first, items.length);
  list.start = first + 1;
  list.replaceChildren(...items.map(resultItem));
  renderPager(pages);
}

function statusLine(total, first, shown) {
  if (!total && answer.unknown) {
    return `没有找到相符的结果：${answer.unknown.map((p) => `“${p}”`).join("、")}不是本站单位所在的地方，也没有页面提到它。`;
  }
  if (!total) return "没有找到相符的结果。";
  const range = total > SHOWN ? `，第 ${first + 1}–${first + shown} 项` : "";
  if (answer.eachPlace) return `没有同时属于${answer.place.join(" ")}的页面。近似结果：属于其中任一地方的 ${total} 项${range}`;
  if (answer.place && answer.approximate) {
    return `${answer.place.join(" ")}的页面中没有“${answer.words}”。近似结果：${answer.place.join(" ")}的 ${total} 项${range}`;
  }
  if (answer.place && answer.words) return `${answer.place.join(" ")}的页面中含“${answer.words}”的：找到 ${total} 项${range}`;
  if (answer.place) return `${answer.place.join(" ")}：找到 ${total} 项（单位、年度公开表和项目）${range}`;
  if (answer.approximate) return `没有完全相符的结果。近似结果 ${total} 项${range}（只含查询的一部分）`;
  return `找到 ${total} 项${range}`;
}

const KIND_LINES = {
  单位: (m) => ["单位", m.region, m.years ? `${m.years} 年` : ""],
  年度公开表: (m) => ["年度公开表", m.unit, `${m.year} 年`, `合计 ${m.budget}`],
  部门整体支出: (m) => ["部门整体支出", m.unit, `${m.year} 年`, `资金总额 ${m.budget}`],
};

function resultItem(item) {
  const li = element("li");
  const heading = element("h2");
  const link = element("a");
  link.append(...withYears(item.meta.title));
  link.href = item.url;
  heading.append(link);
  const kindLine = KIND_LINES[item.meta.kind];
  const meta = kindLine ? kindLine(item.meta).filter(Boolean) : [item.meta.unit, `${item.meta.year} 年`, `预算 ${item.meta.budget}`];
  // A year and 年, an amount and its unit are never split across lines.
  const line = element("p", undefined, "meta");
  meta.forEach((part, index) => line.append(...(index ? [" · "] : []), element("span", part, /\d/.test(part) ? "nowrap" : undefined)));
  li.append(heading, line);
  // A place's pages found by their filters alone have no words to show in context.
  if (!answer.place || (answer.words && !answer.approximate)) li.append(excerpt(item.excerpt));
  return li;
}

function renderPager(pages) {
  pager.hidden = pages <= 1;
  if (pages <= 1) {
    pager.replaceChildren();
    return;
  }
  const button = (text, target, disabled) => {
    const b = element("button", text);
    b.type = "button";
    b.disabled = disabled;
    b.addEventListener("click", async () => {
      pageNumber = target;
      list.setAttribute("aria-busy", "true");
      try {
        await showPage();
      } finally {
        list.setAttribute("aria-busy", "false");
      }
      status.scrollIntoView({ block: "nearest" });
    });
    return b;
  };
  pager.replaceChildren(button("上一页", pageNumber - 1, pageNumber === 1),
    element("span", `第 ${pageNumber} / ${pages} 页`), button("下一页", pageNumber + 1, pageNumber === pages));
}

// The whole query as one phrase first (Pagefind's exact search: its words next to each other).
// It is fast however large the site, where a search for the words alone costs the browser time
// in proportion to the pages that contain any of them (a name such as 第00001号项目运行经费 shares
// all its words but the number with every project of a generated site, and Pagefind leaves out a
// word that a shard does not have at all). So the words alone are searched too only when the
// phrase finds nothing, or on a site of one index (SHARD_PAGES in sitegen/render/search.py) to add
// what the phrase left out, after the phrase's own results.
async function find(query, filters, phraseOnly = false) {
  if (!query) return plain(await pagefind.search(null, { filters }));
  const phrase = await pagefind.search(`"${query.replace(/"/g, " ").trim()}"`, { filters });
  if (phraseOnly) return plain(phrase);
  if (!phrase.results.length) {
    const search = await pagefind.search(query, { filters });
    return { search, candidates: await withFallback(search.results, query, filters), phraseFound: false };
  }
  if (shards.length || phrase.results.length >= RERANKED) return plain(phrase);
  const search = await pagefind.search(query, { filters });
  const seen = new Set(phrase.results.map((result) => result.id));
  return plain(search, [...phrase.results, ...search.results.filter((result) => !seen.has(result.id))]);
}

function plain(search, results = search.results) {
  return { search, candidates: results.map((result) => ({ result, parts: 1000 })), phraseFound: true };
}

// Pagefind segments Chinese text into words and requires every word of a query that the index
// has; where its segmentation of the query and of the page differ, a query can find nothing
// although each pair of neighbouring words finds the page. So a Chinese query is also run as those pairs,
// and the union is ranked: Pagefind's own results first, then by how many pairs matched.
async function withFallback(results, query, filters) {
  const merged = new Map(results.map((result) => [result.id, { result, parts: 1000 }]));
  if (!query || !/[\u3400-\u9fff]/.test(query) || typeof Intl.Segmenter !== "function") return [...merged.values()];
  const words = [...new Intl.Segmenter("zh", { granularity: "word" }).segment(query)]
    .filter((segment) => segment.isWordLike).map((segment) => segment.segment);
  const parts = new Set(words.slice(1).map((word, i) => words[i] + word));
  parts.delete(query);
  const searches = await Promise.all([...parts].map((part) => pagefind.search(part, { filters })));
  for (const extra of searches) {
    for (const result of extra.results) {
      const seen = merged.get(result.id);
      if (seen) seen.parts += 1;
      else merged.set(result.id, { result, parts: 1 });
    }
  }
  return [...merged.values()].sort((a, b) => b.parts - a.parts);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});
run(true);
