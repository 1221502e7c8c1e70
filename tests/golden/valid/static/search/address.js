// The search in the page's address, so that it can be shared, bookmarked and restored:
//
//   /it/search/?q=Pechino&lang=it&tag=china&tag=russia&outlet=meteoweb&year=2025&sort=newest
//
// q is the query as typed; lang, tag, outlet and year are the filters' ids (the same on every
// reader language's page: a tag's key, an outlet's key, a language tag, a year), repeated for
// several values; sort is newest or oldest (relevance when absent). Anything else in the address
// is ignored, and so is a value the archive does not have: a mistyped or stale link still opens
// the search, with what it names that exists. Nothing read here is ever treated as markup: the
// query goes into the search box as its value and into the summary as text.

export const FILTER_KEYS = ["lang", "tag", "outlet", "year"];
export const SORTS = { newest: "desc", oldest: "asc" };
const SORT_NAMES = Object.fromEntries(Object.entries(SORTS).map(([name, value]) => [value, name]));

// A query longer than this is ignored (the page opens with an empty box, its filters and sort
// applied) and never written: no reader types one, and each of its words is searched.
export const MAX_QUERY = 1000;
// Control characters (a pasted tab or line break, NUL) are spaces, as they are to the search.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]+/g;

export function cleanQuery(text) {
  const clean = String(text ?? "").replace(CONTROLS, " ").replace(/\s+/g, " ").trim();
  return clean.length > MAX_QUERY ? "" : clean;
}

// The ids each filter can take on this site, from the page's configuration.
function known(cfg, key) {
  if (key === "year") return new Set(Object.keys(cfg.totals?.year ?? {}));
  return new Set(Object.keys(cfg.labels?.[key] ?? {}));
}

// The address's query string → {q, filters: {tag: ["china"], ...}, sort: null | "desc" | "asc"}.
export function readAddress(search, cfg) {
  const params = new URLSearchParams(search);
  const filters = {};
  for (const key of FILTER_KEYS) {
    const ids = known(cfg, key);
    const values = [...new Set(params.getAll(key))].filter((value) => ids.has(value));
    if (values.length) filters[key] = values;
  }
  return { q: cleanQuery(params.get("q")), filters, sort: SORTS[params.get("sort")] ?? null };
}

// The state → its query string ("" for an empty search: the page's own address).
export function writeAddress({ q, filters, sort }) {
  const params = new URLSearchParams();
  if (q) params.set("q", q);
  for (const key of FILTER_KEYS) {
    for (const value of [...filters[key] ?? []].sort()) params.append(key, value);
  }
  if (sort && SORT_NAMES[sort]) params.set("sort", SORT_NAMES[sort]);
  const text = params.toString();
  return text ? `?${text}` : "";
}
