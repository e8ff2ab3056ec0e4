// A query that names a place or a unit, read against the search index's own filter values
// (the `place` and `unit` filters, sitegen/render/search.py) with the place vocabulary the page
// carries (sitegen/render/vocab/places.yaml): 乌海, 乌海市, 内蒙古乌海, 东莞 2023, 东莞2023,
// 棠溪 培训, 乌海培训, 东莞交通运输局 (a unit's name with its city's short name).
// Used by search.js and by bench/search_places.py, which measures it.

const KIND_ORDER = { 单位: 1, 年度公开表: 2, 部门整体支出: 2 };
const CHECKED = 20;  // the results read to see whether the words were found as typed (a page's worth)
// What separates the words of a query besides spaces: 东莞，交通 and 东莞/2022 are two words.
const SEPARATORS = /[\s,，、;；/|·]+/;
// A year written inside a word: 东莞2022, 2022年东莞, 乌海2022年度.
const YEAR = /((?:19|20)\d\d)(?:年度|年)?/;

// 乌海市 → 乌海, 海北藏族自治州 → 海北, 浦东新区 → 浦东 but 祁新区 → 祁新 (the longest ending
// that leaves short_min characters); a name left shorter than short_min stays whole.
export function shortName(place, vocab) {
  let short = place;
  const suffix = vocab.suffixes.find((s) => short.endsWith(s) && short.length - s.length >= vocab.short_min);
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

function longestName(text, names) {
  let longest = "";
  for (const name of names.keys()) {
    if (name.length > longest.length && text.startsWith(name)) longest = name;
  }
  return longest;
}

// The place names a text begins with, one after another (广东东莞交通 → 广东, 东莞): the places
// each stands for, in order (广东省, 东莞市), and the rest of the text (交通).
export function leadingPlaces(text, names) {
  let at = 0;
  const chain = [];
  for (let name = longestName(text, names); name; name = longestName(text.slice(at), names)) {
    chain.push([...names.get(name)]);
    at += name.length;
  }
  return { chain, rest: text.slice(at) };
}

// The places a token names: read from its start as place names one after another (广东东莞,
// 内蒙古乌海市), the last of which may be typed in part (内蒙 for 内蒙古自治区), and what
// follows them (东莞交通 → 东莞市 and 交通). null when the token does not begin with a place.
function placesOf(token, names, vocab) {
  const { chain, rest } = leadingPlaces(token, names);
  // 海北州 for 海北藏族自治州: an ending written after a short name is part of the place.
  if (chain.length && (!rest || vocab.loose_endings.includes(rest))) return { chain, rest: "" };
  if (rest.length >= vocab.short_min) {
    const begun = new Set();  // the rest begins a place's name
    for (const [name, values] of names) if (name.startsWith(rest)) values.forEach((v) => begun.add(v));
    if (begun.size) return { chain: [...chain, [...begun]], rest: "" };
  }
  return chain.length ? { chain, rest } : null;
}

// The units a token names: their names begin with it (东莞市交通), or, once the places each
// begins with are read (东莞交通 and 东莞市交通运输局: 东莞市, then 交通…), the unit's name
// names the token's last place and the rest of its name begins with the rest of the token
// (then `inPlaces`: its pages must also be in each place the token names, 南京鼓楼 not 福州鼓楼).
function unitsOf(token, read, units, names, vocab) {
  if (token.length < vocab.short_min) return { units: [], inPlaces: false };
  const named = units.filter((unit) => unit.startsWith(token));
  if (named.length || !read || !read.rest) return { units: named, inPlaces: false };
  const last = read.chain[read.chain.length - 1];
  return {
    units: units.filter((unit) => {
      const own = leadingPlaces(unit, names);
      return own.chain.length && own.rest.startsWith(read.rest) && own.chain.flat().some((p) => last.includes(p));
    }),
    inPlaces: true,
  };
}

// A word that looks like a place's name (东城区, 浦东新区) but is none of the site's places.
function looksLikePlace(token, vocab) {
  return vocab.suffixes.some((s) => token.endsWith(s) && token.length - s.length >= vocab.short_min);
}

// The words of a query, a year written inside a word taken out (东莞2022 → 东莞, 2022) when the
// site has that year.
function tokens(query, filters) {
  const found = [];
  for (const word of query.split(SEPARATORS).filter(Boolean)) {
    const year = word.match(YEAR);
    if (year && year[0] !== word && (filters.year || {})[year[1]] !== undefined) {
      found.push(...[word.slice(0, year.index), year[1], word.slice(year.index + year[0].length)].filter(Boolean));
    } else {
      found.push(word);
    }
  }
  return found;
}

// What a query asks for: places (`chain`: each place named, in order, as the filter values it
// stands for; `places` when that place's pages are asked for), units (filter values), years, the
// words left for the full-text search, and words that look like places the site does not have.
export function readQuery(query, filters, vocab) {
  const names = placeNames(Object.keys(filters.place || {}), vocab);
  const units = Object.keys(filters.unit || {});
  const asked = { places: false, chain: [], units: [], years: [], words: [], unknownPlaces: [] };
  for (const token of tokens(query, filters)) {
    const year = token.match(/^((?:19|20)\d\d)(?:年度|年)?$/);
    if (year && (filters.year || {})[year[1]] !== undefined) {
      asked.years.push(year[1]);
      continue;
    }
    const read = placesOf(token, names, vocab);
    const named = unitsOf(token, read, units, names, vocab);
    if (named.units.length) {
      asked.units.push(...named.units);
      if (read && (!read.rest || named.inPlaces)) asked.chain.push(...read.chain);
      if (read && !read.rest) asked.places = true;
    } else if (read) {
      asked.chain.push(...read.chain);
      asked.places = true;
      if (read.rest) asked.words.push(read.rest);
    } else {
      asked.words.push(token);
      if (looksLikePlace(token, vocab)) asked.unknownPlaces.push(token);
    }
  }
  return asked;
}

// How the status line names what was read: 内蒙古自治区 乌海市.
export function placeLabel(asked) {
  return asked.places ? asked.chain.map((values) => values.join("、")).join(" ") : asked.units.slice(0, 3).join("、");
}

function merged(searches) {
  const seen = new Set();
  const results = [];
  for (const search of searches) {
    for (const result of search.results) {
      if (!seen.has(result.id)) {
        seen.add(result.id);
        results.push(result);
      }
    }
  }
  return results;
}

// The results of a query that names a place or a unit: only that place's (or unit's) pages,
// units first, then their years, then their projects; with its other words, only the pages of
// that place that have them. When none of that place's pages has the words, its pages all the
// same, marked approximate (never another place's pages). null when the query names no place
// and no unit.
export async function placeSearch(pagefind, query, filters, vocab, chosen = {}) {
  const asked = readQuery(query, filters, vocab);
  if (!asked.places && !asked.units.length) return null;
  const where = { ...chosen };
  if (asked.years.length) where.year = { any: asked.years };
  // In every place named (南京 鼓楼: Pagefind's compound filter, one `place` filter a place).
  if (asked.chain.length) where.all = asked.chain.map((values) => ({ place: { any: values } }));
  const run = async (words, byKind = !words) => {
    const options = (extra) => ({ filters: { ...where, ...extra }, ...(byKind ? { sort: { kind: "asc" } } : {}) });
    const searches = [];
    if (asked.places) searches.push(pagefind.search(words, options({})));
    if (asked.units.length) searches.push(pagefind.search(words, options({ unit: { any: asked.units } })));
    const found = await Promise.all(searches);
    return { search: found[0], results: merged(found) };
  };
  const words = asked.words.join(" ") || null;
  const found = await run(words);
  // Places that do not lie one in another (东莞 乌海): the pages of each, said to be approximate.
  if (!found.results.length && asked.chain.length > 1) {
    where.all = [{ place: { any: [...new Set(asked.chain.flat())] } }];
    return { asked, ...(await run(words, true)), words, approximate: true, eachPlace: true };
  }
  if (!words) return { asked, ...found, words, approximate: false };
  if (found.results.length && await haveWords(found.results, asked.words)) return { asked, ...found, words, approximate: false };
  // Near matches in that place (社会保障居 for 社会保障局), or else all its pages: units first.
  return { asked, ...(await run(found.results.length ? words : null, true)), words, approximate: true };
}

// Pagefind leaves out a word its index does not have (社会保障居 finds 社会保障局): results are
// exact only when one of the first of them has every word as it was typed.
async function haveWords(results, words) {
  const items = await Promise.all(results.slice(0, CHECKED).map((result) => result.data()));
  return items.some((item) => words.every((word) => item.content.includes(word) || (item.meta.title || "").includes(word)));
}

export function kindOrder(kind) {
  return KIND_ORDER[kind] || 3;
}
