// A query that names a place or a unit, read against the search index's own filter values
// (the `place` and `unit` filters, sitegen/render/search.py) with the place vocabulary the page
// carries (sitegen/render/vocab/places.yaml): 乌海, 乌海市, 内蒙古乌海, 东莞 2023, 棠溪 培训.
// Used by search.js and by bench/search_recall.py, which measures it.

const KIND_ORDER = { 单位: 1, 年度公开表: 2, 部门整体支出: 2 };

// 乌海市 → 乌海, 海北藏族自治州 → 海北; a name left shorter than short_min stays whole.
export function shortName(place, vocab) {
  let short = place;
  const suffix = vocab.suffixes.find((s) => short.endsWith(s));
  if (suffix) short = short.slice(0, -suffix.length);
  for (let stripped = true; stripped;) {
    stripped = false;
    for (const people of vocab.peoples) {
      if (short.endsWith(people) && short.length - people.length >= vocab.short_min) {
        short = short.slice(0, -people.length);
        stripped = true;
      }
    }
  }
  return short.length >= vocab.short_min ? short : place;
}

// Every name a place goes by (its own and its short one) → the filter values it stands for.
export function placeNames(places, vocab) {
  const names = new Map();
  for (const place of places) {
    for (const name of new Set([place, shortName(place, vocab)])) {
      if (!names.has(name)) names.set(name, new Set());
      names.get(name).add(place);
    }
  }
  return names;
}

// The places a token names: read from its start as place names one after another (广东东莞,
// 内蒙古乌海市), the last of which may be typed in part (内蒙 for 内蒙古自治区). null when the
// token is not made of place names alone.
function placesOf(token, names, vocab) {
  let at = 0;
  let last = null;
  while (at < token.length) {
    const rest = token.slice(at);
    let longest = "";
    for (const name of names.keys()) {
      if (name.length > longest.length && rest.startsWith(name)) longest = name;
    }
    if (longest) {
      last = names.get(longest);
      at += longest.length;
      continue;
    }
    if (rest.length < vocab.short_min) return null;
    const begun = new Set();  // the rest begins a place's name
    for (const [name, values] of names) if (name.startsWith(rest)) values.forEach((v) => begun.add(v));
    if (!begun.size) return null;
    return begun;
  }
  return last;
}

// What a query asks for: places and units (filter values), years, and the words left for the
// full-text search.
export function readQuery(query, filters, vocab) {
  const names = placeNames(Object.keys(filters.place || {}), vocab);
  const units = Object.keys(filters.unit || {});
  const asked = { places: null, units: [], years: [], words: [] };
  for (const token of query.split(/\s+/).filter(Boolean)) {
    const year = token.match(/^((?:19|20)\d\d)年?$/);
    if (year && (filters.year || {})[year[1]] !== undefined) {
      asked.years.push(year[1]);
      continue;
    }
    const places = placesOf(token, names, vocab);
    const named = token.length >= vocab.short_min ? units.filter((unit) => unit.startsWith(token)) : [];
    if (places) {
      asked.places = [...places];
      asked.units.push(...named);
    } else if (named.length) {
      asked.units.push(...named);
    } else {
      asked.words.push(token);
    }
  }
  return asked;
}

// The results of a query that names a place or a unit: only that place's (or unit's) pages,
// units first, then their years, then their projects; with its other words, only the pages of
// that place that have them. null when the query names no place and no unit.
export async function placeSearch(pagefind, query, filters, vocab, chosen = {}) {
  const asked = readQuery(query, filters, vocab);
  if (!asked.places && !asked.units.length) return null;
  const where = { ...chosen };
  if (asked.years.length) where.year = { any: asked.years };
  const words = asked.words.join(" ") || null;
  const options = (extra) => ({ filters: { ...where, ...extra }, ...(words ? {} : { sort: { kind: "asc" } }) });
  const searches = [];
  if (asked.places) searches.push(pagefind.search(words, options({ place: { any: asked.places } })));
  if (asked.units.length) searches.push(pagefind.search(words, options({ unit: { any: asked.units } })));
  const found = await Promise.all(searches);
  const seen = new Set();
  const results = [];
  for (const search of found) {
    for (const result of search.results) {
      if (!seen.has(result.id)) {
        seen.add(result.id);
        results.push(result);
      }
    }
  }
  return { asked, search: found[0], results, words };
}

export function kindOrder(kind) {
  return KIND_ORDER[kind] || 3;
}
