// A "pagefind.js" for Pagefind's Component UI that searches one bundle per content language.
//
// The Component UI imports `${bundle-path}pagefind.js`, calls createInstance(), then init(),
// filters() and search(term, {filters}). This module answers those calls with one real Pagefind
// instance per bundle, each imported from its own URL so that it loads its own language's WASM
// (stemmer): sharing one pagefind.js between bundles breaks, and Pagefind's mergeIndex searches
// every bundle with the page language's stemmer. It also expands the query (normalize.js),
// turns tag aliases into a tag-filter search, merges the results and labels the filters in the
// page's language. Everything shown is escaped by the Component UI's template; meta.title is text.
//
// Content languages: the reader languages' bundles ("home": they also hold the curator's briefings
// of foreign articles) load with the page; another language's Pagefind loads only when a query has
// a word in a script its articles use. A query naming a tag its articles carry finds them there
// from the bundle's filter table, its list of the tag's pages and their fragments alone ("lite").
// An article found by its own text and by its briefing is one result (the filter table's "same"
// names the briefing's original).
import { aliasKey, canMatch, expandQuery, foldQuery, toPersian, segmentWords } from "./normalize.js";

const CFG = JSON.parse(document.getElementById("briefgen-search").textContent);
const VARIANT_WEIGHT = 0.8;          // an expanded form ranks below the query as typed
const MIN_WORD_ALIAS = 3;            // single words shorter than this match an alias only as the whole query
const plural = new Intl.PluralRules(CFG.lang);
// Dates and years as the pages write them (Babel): the Gregorian calendar and Western digits, also
// where the browser's default for the language is another (Persian: the Solar Hijri calendar).
const AS_PAGES = { calendar: "gregory", numberingSystem: "latn", timeZone: "UTC" };
const years = new Intl.NumberFormat(CFG.lang, { useGrouping: false, numberingSystem: "latn" });
const dateFormats = {
  4: new Intl.DateTimeFormat(CFG.lang, { ...AS_PAGES, year: "numeric" }),
  7: new Intl.DateTimeFormat(CFG.lang, { ...AS_PAGES, year: "numeric", month: "long" }),
  10: new Intl.DateTimeFormat(CFG.lang, { ...AS_PAGES, year: "numeric", month: "long", day: "numeric" }),
};
const directions = CFG.directions;                               // every article language's direction
const keyOut = CFG.filterNames;                                   // {tag: "الوسم", ...}
const keyIn = Object.fromEntries(Object.entries(keyOut).map(([k, v]) => [v, k]));

let ready = null;                                                 // the home bundles, loading or loaded
const loaded = new Map();                                         // bundle path → its inst, loading or loaded
const lite = new Map();                                           // bundle path → its table alone, loading or loaded
const settled = new Set();                                        // paths of the bundles loaded (not loading)
// In a worker every bundle imports the same pagefind.js (each worker is a realm of its own): one
// download for all bundles. On the page each bundle needs its own module (one WASM per module).
const LIBRARY = CFG.bundles.length ? new URL(CFG.bundles[0].path + "pagefind.js", location.href).href : null;
const totals = labelFilters([CFG.totals]);                        // every filter value's count, labelled
let sortState = null;                                             // null: relevance; {date: "desc"|"asc"}

export function setSort(sort) { sortState = sort; }

// What any search needs from each bundle, loaded with the page (the home bundles) or before the
// first query that can match in it (the others), so that a search fetches only index chunks and the
// fragments of the results shown: pagefind.js, its WASM (stemmer), the entry and page metadata (in
// the bundle's host), and briefgen's filter table (tag, outlet and year per page).
export function init() {
  ready ??= loadBundles(CFG.bundles.filter((bundle) => bundle.home)).then((insts) => {
    answerCounts();
    return insts;
  }).catch((error) => {
    ready = null;                                                 // the next search tries again
    throw error;
  });
  return ready;
}

// The bundles' insts, each loaded once; if one fails, none of those loaded here is kept.
function loadBundles(bundles) {
  const fresh = [];
  const all = bundles.map((bundle) => {
    let inst = loaded.get(bundle.path);
    if (!inst) {
      inst = loadBundle(bundle);
      loaded.set(bundle.path, inst);
      fresh.push([bundle.path, inst]);
    }
    return inst;
  });
  return Promise.all(all).then((insts) => {
    // A second host per bundle, started once the bundles are ready (its files are then in the
    // browser's cache): a search started for a word the reader has since typed on cannot be
    // stopped, and the search for what was typed next runs beside it instead of after it.
    for (const [path, loading] of fresh) {
      settled.add(path);
      loading.then((inst) => {
        if (inst.hosts[0].worker) startHost(inst.options).then((spare) => inst.hosts.push(spare), () => {});
      });
    }
    return insts;
  }, async (error) => {
    for (const [path, inst] of fresh) {
      if (loaded.get(path) === inst) loaded.delete(path);
      inst.then((i) => i.hosts.forEach((host) => host.close()), () => {});
    }
    throw error;
  });
}

async function fetchJson(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${r.url}: ${r.status}`);
  return r.json();
}

async function loadBundle(bundle) {
  const table = fetchJson(bundle.path + "briefgen-filters.json");
  const options = { path: bundle.path, excerptLength: CFG.excerptLength, warm: bundle.warm };
  const host = startHost(options);
  const settled = await Promise.allSettled([host, table]);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) {                                                   // no worker left behind
    host.then((h) => h.close(), () => {});
    throw failed.reason;
  }
  const inst = {
    ...bundle, key: bundle.path, options, hosts: [await host], running: new Map(), cache: new Map(),
    table: readTable(await table),
  };
  return inst;
}

// A bundle's filter table alone, for a query that can match there only through a tag (its
// Pagefind is not loaded for that): each loaded once; one that fails is fetched again next time.
function loadLite(bundle) {
  let inst = lite.get(bundle.path);
  if (!inst) {
    inst = fetchJson(bundle.path + "briefgen-filters.json").then((table) => ({
      ...bundle, key: bundle.path, lite: true, hosts: [], running: new Map(), cache: new Map(),
      table: readTable(table), tagPages: new Map(),
    }));
    lite.set(bundle.path, inst);
    inst.catch(() => lite.get(bundle.path) === inst && lite.delete(bundle.path));
  }
  return inst;
}

// How a bundle that does not load with the page takes part in a search: "full" (its Pagefind)
// for a form with a word in a script its articles use or for every page (no term), and once its
// Pagefind is loaded; "lite" (its table) for a tag word alone; not at all when nothing can match
// there.
function takesPart(bundle, terms) {
  const own = ownTerms(bundle, terms).filter((term) => term !== false);
  if (!own.length) return null;
  if (loaded.has(bundle.path)) return "full";
  return own.every(isTagWord) ? "lite" : "full";
}

// The bundles a search needs: the home bundles, and each other one that can match a form of the
// query (a language filter: only those of the chosen languages, and the home bundles, which hold
// briefings of articles in any language). `deferring`: a bundle whose Pagefind is not loaded yet
// is left for later while a home bundle can match a form of the query as typed (an Arabic word
// first searches the Arabic bundle, loaded with the page, and the Persian one once it has loaded);
// `later` then resolves with them.
async function bundlesFor(terms, langs, deferring = false) {
  const home = await init();
  const others = CFG.bundles.filter((bundle) => !bundle.home && (!langs || langs.includes(bundle.lang)));
  const parts = others.map((bundle) => takesPart(bundle, terms));
  const full = others.filter((_, i) => parts[i] === "full");
  const tables = others.filter((_, i) => parts[i] === "lite");
  const homeMatches = deferring && home.some((inst) =>
    ownTerms(inst, terms).some((term) => typeof term === "string" && !isTagWord(term)));
  const later = homeMatches ? full.filter((bundle) => !settled.has(bundle.path)) : [];
  const now = full.filter((bundle) => !later.includes(bundle));
  const [more, lites] = await Promise.all([now.length ? loadBundles(now) : [], Promise.all(tables.map(loadLite))]);
  const chosen = (insts) => (langs ? insts.filter((inst) => inst.home || langs.includes(inst.lang)) : insts);
  return { insts: chosen([...home, ...more, ...lites]), later: later.length ? loadBundles(later) : null };
}

// A bundle in a Web Worker of its own (worker.js), so that bundles are searched side by side and
// the page stays free; on the page itself where module workers are not available.
async function startHost(options) {
  if (typeof Worker !== "undefined") {
    let worker = null;
    try {
      worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
      const host = workerHost(worker);
      await host.call("init", { ...options, library: LIBRARY });
      return { ...host, worker: true, close: () => worker.terminate() };
    } catch (error) {
      worker?.terminate();
      if (!(error instanceof WorkerFailed)) throw error;          // Pagefind's own error: not retried
    }
  }
  const { BundleHost } = await import("./host.js");
  const local = new BundleHost();
  await local.init(options);
  return { call: async (method, ...args) => local[method](...args), close: () => {} };
}

class WorkerFailed extends Error {}

// Calls to a worker by number; a worker that cannot start (no module workers) fails them all.
function workerHost(worker) {
  let next = 0;
  const waiting = new Map();
  worker.onmessage = ({ data: { id, value, error } }) => {
    const call = waiting.get(id);
    waiting.delete(id);
    if (error === undefined) call?.resolve(value);
    else call?.reject(new Error(error));
  };
  worker.onerror = (event) => {
    event.preventDefault();
    for (const call of waiting.values()) call.reject(new WorkerFailed(event.message || "search worker failed"));
    waiting.clear();
  };
  return {
    call: (method, ...args) => new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, method, args });
    }),
  };
}

// Results are filtered and counted here, from the bundle's table, not by Pagefind: Pagefind 1.5.2
// counts a value by checking each of its pages against the list of results one at a time (70 to
// 90 ms a search at 5,000 articles), and the counts of a query's expanded forms could not be added
// up. Counted over the merged results, they are exact. The language filter picks bundles.
// {keys, values: {tag: [ids]}, digits: [per key], pages: ["9AB.2.4", ...], same: {lang: [page,
// original, ...]}}, one row per page in the order of the bundle's Pagefind metadata (the worker
// numbers Pagefind's page ids so): each value's number in base-64 digits, the keys separated by
// dots → every (key, value) pair numbered once ("slots"), and each page's slots: counting
// thousands of results is then adding up integers (it was a tenth of the time from the Pagefind
// results to the list on screen).
const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
const DIGIT = Object.fromEntries([...DIGITS].map((c, i) => [c, i]));

function readTable(table) {
  const slots = [];                                               // slot → [key, value]
  const slotOf = {};                                              // key → value → slot
  const first = table.keys.map((key) => {
    const at = slots.length;
    slotOf[key] = {};
    for (const value of table.values[key]) { slotOf[key][value] = slots.length; slots.push([key, value]); }
    return at;
  });
  const pages = table.pages.map((row) => {
    const out = [];
    row.split(".").forEach((column, k) => {
      const width = table.digits[k];
      for (let i = 0; i < column.length; i += width) {
        let n = 0;
        for (let j = i; j < i + width; j++) n = n * 64 + DIGIT[column[j]];
        out.push(first[k] + n);
      }
    });
    return Int32Array.from(out);
  });
  const same = new Map();
  for (const [lang, pairs] of Object.entries(table.same ?? {})) {
    for (let i = 0; i < pairs.length; i += 2) same.set(pairs[i], [lang, pairs[i + 1]]);
  }
  return { slots, slotOf, pages, same };
}

// How many of the pages carry each value: {tag: {china: 3}, ...}.
function countValues(table, pages) {
  const counts = new Int32Array(table.slots.length);
  for (const slots of pages) {
    if (slots) for (let i = 0; i < slots.length; i++) counts[slots[i]]++;
  }
  const out = {};
  counts.forEach((n, slot) => {
    if (!n) return;
    const [key, value] = table.slots[slot];
    (out[key] ??= {})[value] = n;
  });
  return out;
}

// The selection ({tag: {any: ["china"]}}) as one set of slots per key with a selection; a page
// passes when it has a slot in every set.
function selectedSlots(table, filters) {
  return Object.entries(filters).map(([key, { any }]) =>
    new Set(any.map((value) => table.slotOf[key]?.[value]).filter((slot) => slot !== undefined)));
}

function passes(slots, selected) {
  return selected.every((set) => slots?.some((slot) => set.has(slot)));
}

// An ISO date at its precision (2025, 2025-01, 2025-01-02, or a date-time) in the page's language.
function dateLabel(iso) {
  if (!iso) return CFG.undated;
  const day = iso.slice(0, 10);
  const when = new Date((day.length === 4 ? day + "-01-01" : day.length === 7 ? day + "-01" : day) + "T12:00:00Z");
  return dateFormats[Math.min(day.length, 10)]?.format(when) ?? iso;
}

export function valueLabel(key, value) {
  if (key === "year") return years.format(Number(value));
  return CFG.labels[key]?.[value] ?? value;
}

// [{tag: {china: 3}}, ...] from several searches → one table with labels in the page's language.
function labelFilters(tables) {
  const out = Object.fromEntries(Object.values(keyOut).map((name) => [name, {}]));
  for (const table of tables) for (const [key, counts] of Object.entries(table ?? {})) {
    if (!keyOut[key]) continue;
    for (const [value, n] of Object.entries(counts)) {
      const label = valueLabel(key, value);
      out[keyOut[key]][label] = (out[keyOut[key]][label] ?? 0) + n;
    }
  }
  return out;
}

// The Component UI's selection ({"الوسم": ["الصين"]}) → ids ({tag: {any: ["china"]}}).
export function filterIds(selection) {
  const out = {};
  for (const [name, chosen] of Object.entries(selection ?? {})) {
    const key = keyIn[name] ?? name;
    const labels = Array.isArray(chosen) ? chosen : chosen?.any ?? [];
    if (!labels.length) continue;
    const ids = {};
    if (key === "year") for (const label of labels) ids[label] = foldQuery(String(label));
    else for (const [id, label] of Object.entries(CFG.labels[key] ?? {})) ids[label] = id;
    out[key] = { any: labels.map((label) => ids[label] ?? label) };
  }
  return out;
}

// Tags whose name or alias is the whole query, one of its words, or two adjacent words.
function aliasTags(term, queries) {
  const words = [...new Set(queries.flatMap((q) => q.split(" ")))];
  const keys = new Set([aliasKey(term)]);
  for (const w of words) if (aliasKey(w).length >= MIN_WORD_ALIAS) keys.add(aliasKey(w));
  for (let i = 0; i + 1 < words.length; i++) keys.add(aliasKey(words[i] + words[i + 1]));
  const tags = new Set();
  for (const key of keys) for (const tag of CFG.aliases[key] ?? []) tags.add(tag);
  return [...tags];
}

const isTagWord = (term) => typeof term === "string" && term.startsWith(CFG.tagToken);
const tagToken = (key) => CFG.tagToken + key.toLowerCase().replace(/[^a-z0-9]/g, "");
const TOKENS = new RegExp(`\\s*(<mark>)?${CFG.tagToken}[a-z0-9]+\\.?(</mark>)?`, "g");

// One page found in a bundle. Its excerpt comes from the search (list) that matched most of
// its words, loaded when shown. A class: a search can find thousands of pages, and an object
// with a closure each took a fifth of the time from Pagefind's results to the list on screen.
class Result {
  constructor(inst, host, number, list, [page, score, words, row], weight) {
    this.inst = inst;
    this.host = host;
    this.number = number;
    this.list = list;
    // The article: a briefing's page stands for its original's, so an article is one result.
    const same = inst.table.same.get(row);
    this.lang = same ? same[0] : inst.lang;
    this.id = same ? `${same[0]}:${same[1]}` : `${inst.lang}:${row}`;
    this.page = page;
    this.row = row;                                               // the page's row in the filter table
    this.score = score * weight;
    this.words = words;
    this.loaded = null;
  }

  data() {
    const { inst, lang } = this;
    const read = () => (this.host ? this.host.call("data", this.number, this.list, this.page) : fragmentData(inst, this.page));
    return (this.loaded ??= read().then((d) => {
      // The article's page in this reader language (a foreign article has one in each), and the
      // curator's briefing title in it, shown marked as a translation with the original beside it;
      // without one, the original title alone (never a made-up translation).
      const href = d.meta[`href_${CFG.lang}`] ?? d.meta.href ?? d.url;
      const translated = lang !== CFG.lang ? d.meta[`title_${CFG.lang}`] : undefined;
      return {
        ...d,
        url: href,
        excerpt: d.excerpt.replace(TOKENS, "").trim(),   // the tag words are for matching only
        meta: {
          ...d.meta, href, title: translated ?? d.meta.title,
          // The result's lang and dir are its excerpt's: the record's language.
          lang: inst.lang, dir: inst.dir, date_label: dateLabel(d.meta.date),
          title_lang: translated ? CFG.lang : lang, title_dir: translated ? CFG.dir : directions[lang] ?? "auto",
          original_title: translated ? d.meta.title : undefined, original_lang: lang, original_dir: directions[lang] ?? "auto",
          lang_label: valueLabel("lang", lang), outlet_label: valueLabel("outlet", d.meta.outlet),
          outlet_lang: CFG.outletLang[d.meta.outlet]?.[0] ?? CFG.lang, outlet_dir: CFG.outletLang[d.meta.outlet]?.[1] ?? "auto",
        },
      };
    }));
  }
}

// A result found from a bundle's table (lite): its fragment read here, as Pagefind stores it (gzip,
// "pagefind_dcd", then JSON), and its excerpt the start of its text. A tag hit has no word to
// highlight.
const HTML = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

async function fragmentData(inst, page) {
  const response = await fetch(`${inst.path}fragment/${page}.pf_fragment`);
  if (!response.ok) throw new Error(`${response.url}: ${response.status}`);
  const text = await new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).text();
  const fragment = JSON.parse(text.slice(text.indexOf("{")));
  const words = fragment.content.split(/\s+/).slice(0, CFG.excerptLength).join(" ");
  return { ...fragment, excerpt: words.replace(/[&<>"']/g, (c) => HTML[c]) };
}

// A lite bundle searched: no Pagefind, so only tag words find anything, each the pages whose row
// has the tag (in the table's order), named by the tag's page list (briefgen-tag-<word>.json, in
// the same order). As [page id, score, words, row], like a worker's results; alias hits score 0.
async function tableSearch(inst, terms) {
  return Promise.all(terms.map(async (term) => {
    if (!isTagWord(term)) return [];
    const value = Object.keys(inst.table.slotOf.tag ?? {}).find((key) => tagToken(key) === term);
    const slot = inst.table.slotOf.tag?.[value];
    if (slot === undefined) return [];
    let ids = inst.tagPages.get(term);
    if (!ids) {
      ids = fetchJson(`${inst.path}briefgen-tag-${term.slice(CFG.tagToken.length)}.json`);
      inst.tagPages.set(term, ids);
      ids.catch(() => inst.tagPages.get(term) === ids && inst.tagPages.delete(term));
    }
    const pages = await ids;
    const found = [];
    inst.table.pages.forEach((slots, row) => {
      if (slots.includes(slot)) found.push([pages[found.length], 0, 0, row]);
    });
    return found;
  }));
}

// Pagefind's results for a bundle, kept for the last few queries: the search the Component UI
// asks for when typing stops is most often the one started while the reader typed, and ticking
// a filter or asking for more results searches nothing again (filters apply here, from the
// table). A host keeps a search's results for their excerpts until it drops out of here.
const KEEP_SEARCHES = 8;
let searchNumber = 0;

function bundleSearch(inst, allTerms) {
  const terms = ownTerms(inst, allTerms);
  const key = JSON.stringify(terms);
  let hit = inst.cache.get(key);
  if (hit) inst.cache.delete(key);                               // most recently used last
  else if (inst.lite) {
    const number = ++searchNumber;
    hit = tableSearch(inst, terms).then((lists) => ({ number, lists, host: null }));
    hit.number = number;
    hit.catch(() => inst.cache.get(key) === hit && inst.cache.delete(key));
  } else {
    const number = ++searchNumber;
    const start = performance.now();
    const host = idleHost(inst) ?? inst.hosts[0];
    hit = host.call("search", number, terms).then((lists) => {
      // In the browser's performance panel (and for the tests): when each bundle search ran.
      performance.measure(`briefgen search ${inst.key}`, { start, detail: terms });
      return { number, lists, host };
    });
    hit.number = number;                                          // known before it resolves
    // The host's searches under way (each settles, failed or not, once it is done).
    const done = hit.then(() => {}, () => {});
    const searches = inst.running.get(host) ?? new Set();
    inst.running.set(host, searches.add(done));
    done.then(() => searches.delete(done));
    hit.catch(() => inst.cache.get(key) === hit && inst.cache.delete(key));
  }
  inst.cache.set(key, hit);
  // The oldest go, except the one whose results are on screen (their excerpts load as the
  // reader scrolls), however many searches were started ahead since.
  for (const [oldKey, old] of inst.cache) {
    if (inst.cache.size <= KEEP_SEARCHES) break;
    if (old.number === inst.shown) continue;
    inst.cache.delete(oldKey);
    old.then(({ host }) => host?.call("release", old.number)).catch(() => {});
  }
  return hit;
}

// A host of the bundle with no search running, if there is one (a lite bundle is never busy).
function idleHost(inst) {
  return inst.lite || inst.hosts.find((host) => !inst.running.get(host)?.size);
}

// The terms a bundle is searched for: false for a form with a word in a script none of its
// articles use (it cannot match there), or a tag word no article of a bundle loaded on demand
// carries (a home bundle is searched for every tag word). Words are split for a Chinese bundle
// (its index is segmented, and in a worker Pagefind does not split the query: its language is
// "unknown") and spelt with Persian ک/ی for a Persian bundle (indexed so).
function ownTerms(bundle, terms) {
  return terms.map((term) => {
    if (term === null) return null;
    if (term.startsWith(CFG.tagToken)) return bundle.home || bundle.tags?.includes(term) ? term : false;
    if (!canMatch(term, bundle.scripts, CFG.told)) return false;
    if (bundle.segment) term = segmentWords(term, bundle.lang);
    return bundle.persian ? toPersian(term) : term;
  });
}

// What one query searches in each bundle: its forms, then the word of each tag it names (a
// search without a term, for filters alone, is null: every page).
function searchTerms(term) {
  const queries = term ? expandQuery(term) : [];
  const tags = term ? aliasTags(term, queries) : [];
  return { queries, tags, terms: [...(queries.length ? queries : [null]), ...tags.map(tagToken)] };
}

// Every query form and the alias search on one bundle, merged by page, then filtered.
async function searchBundle(inst, { queries, tags, terms }, filters, langs) {
  const { number, lists: found, host } = await bundleSearch(inst, terms);
  inst.shown = number;
  const aliasFrom = Math.max(queries.length, 1);
  const byId = new Map();
  const lists = [];
  found.forEach((results, k) => {
    // An expanded form ranks below the query as typed; alias hits after text matches.
    const weight = k >= aliasFrom ? 0 : k ? VARIANT_WEIGHT : 1;
    const list = [];
    for (const result of results) {
      let e = byId.get(result[0]);
      if (!e) byId.set(result[0], (e = new Result(inst, host, number, k, result, weight)));
      else {
        e.score = Math.max(e.score, result[1] * weight);
        // The excerpt of the search that matched most words: the literal والذكاء also matches والذي.
        if (result[2] > e.words) { e.list = k; e.words = result[2]; }
      }
      if (k >= aliasFrom) e.alias = true;
      list.push(e);
    }
    lists.push(list);
  });
  const selected = selectedSlots(inst.table, filters);
  const pass = (e) => (!langs || langs.includes(e.lang)) && passes(inst.table.pages[e.row], selected);
  const filtering = selected.length || langs;
  const entries = [...byId.values()];
  return { all: filtering ? entries.filter(pass) : entries, lists: filtering ? lists.map((list) => list.filter(pass)) : lists, entries };
}

// A bundle's date ranks (briefgen-dates.json: one per page, in the filter table's order, ranked
// among all the archive's articles, oldest first), loaded when the reader first sorts by date.
// Pagefind gets no sort: its order was a fifth of the metadata every search page loads.
function dateRanks(inst) {
  if (!inst.dates) {
    inst.dates = fetchJson(inst.path + "briefgen-dates.json");
    inst.dates.catch(() => { inst.dates = null; });
  }
  return inst.dates;
}

// The summary in the right CLDR plural form (Pagefind's translations know only zero, one and
// many): each time the Component UI draws the summary or announces the results, it asks its
// instance to translate "zero_results", "one_result" or "many_results" with the count, and this
// answers with the form the count takes in the page's language. Setting the form as new
// translations instead made the Component UI draw its input, list and filters again whenever the
// form changed: ticking a filter closed the group the reader had opened and replaced the box
// under the pointer. The term is isolated so that direction controls in it cannot reorder the
// sentence; it is put in last, so that a "[COUNT]" typed in it stays as typed.
const RESULT_KEYS = new Set(["zero_results", "one_result", "many_results"]);
const counts = new Intl.NumberFormat(CFG.lang);
const answering = new WeakSet();

function answerCounts() {
  const instance = window.PagefindComponents?.getInstanceManager?.().getInstance("default");
  if (!instance || answering.has(instance)) return;
  answering.add(instance);
  const translate = instance.translate.bind(instance);
  instance.translate = (key, values = {}) => {
    const n = values.COUNT;
    if (!RESULT_KEYS.has(key) || typeof n !== "number") return translate(key, values);
    const form = CFG.plurals[n === 0 && CFG.plurals.zero ? "zero" : plural.select(n)] ?? CFG.plurals.other;
    return form.replace("[COUNT]", () => counts.format(n))
      .replace("[SEARCH_TERM]", () => `\u2068${values.SEARCH_TERM ?? ""}\u2069`);
  };
}

// Results found in several bundles (an article by its own text and by its briefing) as one: the
// best scoring.
function unique(entries) {
  const best = new Map();
  for (const e of entries) {
    const seen = best.get(e.id);
    if (!seen || e.score > seen.score) best.set(e.id, e);
  }
  return [...best.values()];
}

// The filter counts of the results: each counted once, from the table of the bundle it came from;
// the language filter's by the article's language.
function resultCounts(results) {
  const byInst = new Map();
  const lang = {};
  for (const e of results) {
    byInst.set(e.inst, [...byInst.get(e.inst) ?? [], e]);
    lang[e.lang] = (lang[e.lang] ?? 0) + 1;
  }
  const tables = [...byInst].map(([inst, es]) => countValues(inst.table, es.map((e) => inst.table.pages[e.row])));
  return labelFilters([...tables, { lang }]);
}

// The search page asks for the search again once the bundles left for later have loaded, if the
// reader has not typed on since (their results join the list).
function searchAgain(term) {
  const instance = window.PagefindComponents?.getInstanceManager?.().getInstance("default");
  if (instance?.searchTerm === term) instance.triggerSearch(term);
}

// Every bundle that can match, all loaded first; `deferring` (the search page's searches): the
// results of the bundles loaded show first, and those of the bundles still loading join them
// (searchAgain) unless the loaded ones found nothing, when they are waited for.
export async function search(term, options = {}, deferring = false) {
  const started = performance.now();
  const { lang: chosen, ...filters } = filterIds(options.filters);
  const langs = chosen?.any;
  const sort = options.sort ?? sortState ?? undefined;
  const what = searchTerms(term);
  // The language filter picks bundles: the others are not searched at all.
  const { insts, later } = await bundlesFor(what.terms, langs, deferring);
  const per = await Promise.all(insts.map((inst) => searchBundle(inst, what, filters, langs)));
  const all = unique(per.flatMap((p) => p.all));
  if (later) {
    if (!all.length) return later.then(() => search(term, options), () => search(term, options));
    // Drawn again only if they find more: a list drawn again under the reader's eyes is a cost.
    later.then(async (more) => {
      const found = await Promise.all(more.map((inst) => searchBundle(inst, what, filters, langs)));
      const shown = new Set(all.map((e) => e.id));
      if (found.some((p) => p.all.some((e) => !shown.has(e.id)))) searchAgain(term);
    }).catch(() => {});
  }
  let results;
  if (sort?.date) {
    // Newest or oldest first, an article's rank the same in every bundle that found it.
    const ranks = new Map(await Promise.all(insts.map(async (inst) => [inst, await dateRanks(inst)])));
    const sign = sort.date === "asc" ? 1 : -1;
    for (const e of all) e.rank = ranks.get(e.inst)?.[e.row] ?? 0;
    results = all.sort((a, b) => sign * (a.rank - b.rank) || (a.id < b.id ? -1 : 1));
  } else {
    // Raw scores compare across bundles (same ranking formula); alias-only hits come after text hits.
    const floor = Math.min(1, ...all.filter((e) => e.score > 0).map((e) => e.score)) / 2;
    for (const e of all) e.rank = e.score > 0 ? e.score * (e.alias ? 1.5 : 1) : floor;
    results = all.sort((a, b) => b.rank - a.rank || (a.id < b.id ? -1 : 1));
  }
  answerCounts();                                                 // before the summary is drawn
  // The first result is on screen as soon as the Component UI lays the list out: its excerpt
  // loads now, not after that.
  results[0]?.data().catch(() => {});
  return {
    results,
    unfilteredResultCount: new Set(per.flatMap((p) => p.entries.map((e) => e.id))).size,
    filters: resultCounts(all),
    totalFilters: totals,
    timings: { total: performance.now() - started },
    queries: what.queries, aliasTags: what.tags,
  };
}

// Start searching what is being typed while the Component UI waits for typing to stop, in every
// bundle (the search it then asks for finds it under way or done). While one runs, only the
// newest of the terms typed meanwhile waits: the ones between are never searched.
let typed = null;                                                 // the newest term, waiting
let typing = false;

export async function searchAhead(term) {
  typed = term;
  if (typing) return;
  typing = true;
  try {
    while (typed !== null) {
      let { insts } = await bundlesFor(searchTerms(typed).terms);
      // Wait for a host to be free in every bundle: at once while the second hosts are idle.
      while (!insts.every(idleHost)) {
        await Promise.race(insts.flatMap((inst) => [...inst.running.values()].flatMap((searches) => [...searches])));
      }
      const { terms } = searchTerms(typed);
      typed = null;
      // Those loaded now (of the term waited for), and the others as each has loaded.
      const next = await bundlesFor(terms, undefined, true);
      for (const inst of next.insts) bundleSearch(inst, terms).catch(() => {});
      next.later?.then((more) => more.forEach((inst) => bundleSearch(inst, terms).catch(() => {})), () => {});
    }
  } finally {
    typed = null;
    typing = false;
  }
}

// Load the index chunks of a query (and of its aliases) without searching.
export async function preload(term) {
  const { terms } = searchTerms(term);
  await Promise.all((await bundlesFor(terms)).insts.flatMap((inst) =>
    inst.hosts.map((host) => host.call("preload", ownTerms(inst, terms).filter(Boolean)))));
}

export function createInstance() {
  return {
    init, search: (term, options) => search(term, options, true), filters: async () => totals,
    debouncedSearch: (term, options) => search(term, options, true),
    preload,
    options: async () => {}, mergeIndex: async () => {}, destroy: () => {},
  };
}
