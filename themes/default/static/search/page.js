// The search page's own controls. The URL is the one the Component UI imports, so this is the
// same module instance.
import { filterIds, init, searchAhead, setSort, valueLabel } from "./pagefind.js";
import { FILTER_KEYS, cleanQuery, readAddress, writeAddress } from "./address.js";

// Load the bundles (WASM, page metadata, filter tables) with the page, not when the reader has
// typed. A failure here (offline, page left) is retried by the first search, which reports it.
init().catch(() => {});

// Search what is being typed while the Component UI waits for typing to stop (its debounce),
// once keys have paused for AHEAD_PAUSE ms: a search in Pagefind cannot be stopped, and one for
// each key typed by a fast typist (or a script) would hold up the search for the whole word.
// Text that arrives whole (pasted, picked from the input's history, dictated) is searched at
// once. One or two letters match most of an archive's words: those wait for the Component UI,
// and so does an Arabic word's article (ال, لل, with و ف ب ك before it): الذ is searched as ذ.
const AHEAD_PAUSE = 25;
const AHEAD_MIN_LENGTH = 3;
const ARTICLE = /^[\u0648\u0641]?(?:[\u0628\u0643\u0644]?\u0627\u0644|\u0644\u0644)/;
const letters = (term) => term.split(/\s+/).reduce((n, word) => n + word.replace(ARTICLE, "").length, 0);
let ahead = 0;
let before = "";
document.querySelector("pagefind-input")?.addEventListener("input", (event) => {
  clearTimeout(ahead);
  const term = event.target?.value?.trim() ?? "";
  const whole = Math.abs(term.length - before.length) > 1;
  before = term;
  if (letters(term) < AHEAD_MIN_LENGTH) return;
  const start = () => searchAhead(term).catch(() => {});
  if (whole) start();
  else ahead = setTimeout(start, AHEAD_PAUSE);
});

const manager = () => window.PagefindComponents?.getInstanceManager().getInstance("default");

// The Component UI shows max-results results; "more results" raises it and renders again.
const results = document.querySelector("pagefind-results");
const more = document.getElementById("search-more");
const step = Number(results.getAttribute("max-results"));
let listening = false;
document.querySelector("pagefind-input")?.addEventListener("input", () => {
  if (listening || !manager()) return;
  listening = true;
  manager().on("results", (found) => {
    more.hidden = (found?.results?.length ?? 0) <= Number(results.getAttribute("max-results"));
  });
});
more.addEventListener("click", () => {
  results.setAttribute("max-results", String(Number(results.getAttribute("max-results")) + step));
  const instance = manager();
  if (instance?.searchTerm) instance.triggerSearch(instance.searchTerm);
});

// Date sort (the 1.5.2 Component UI has no sort control).
const sortControl = document.getElementById("search-sort");
sortControl.addEventListener("change", (event) => {
  setSort(event.target.value ? { date: event.target.value } : null);
  const instance = manager();
  if (instance?.searchTerm) instance.triggerSearch(instance.searchTerm);
  remember(true);
});

// A result whose title is the curator's briefing: its title line is in the page's language, marked
// as a translation, with the article's own title after it in its own lang and dir. The Component
// UI draws search.html's template; this adds to what it drew, as text (never markup).
const CFG = JSON.parse(document.getElementById("briefgen-search").textContent);

function withOriginal(html, meta) {
  if (typeof html !== "string") return html;
  const box = document.createElement("template");
  box.innerHTML = html;
  const title = box.content.querySelector(".pf-result-title");
  if (!title || !meta.title_lang) return html;
  const words = highlightWords(box.content);
  if (words) box.content.querySelector(".pf-result")?.setAttribute("data-highlight", words);
  title.lang = meta.title_lang;
  title.dir = meta.title_dir;
  if (meta.original_title) {
    const mark = document.createElement("span");
    mark.className = "search-translation";
    mark.lang = CFG.lang;
    mark.dir = CFG.dir;
    mark.textContent = CFG.translation;
    title.append(" ", mark);
    const original = document.createElement("p");
    original.className = "search-original";
    original.lang = CFG.lang;
    original.dir = CFG.dir;
    const text = document.createElement("bdi");
    text.lang = meta.original_lang;
    text.dir = meta.original_dir;
    text.textContent = meta.original_title;
    original.append(CFG.originalTitle, " ", text);
    title.after(original);
  }
  return box.innerHTML;
}

// The words the article page marks when the reader opens a result (static/highlight.js): those
// the excerpt marks (the forms Pagefind matched, as the article writes them) and those typed.
// They go into the link as it is followed (#highlight=…), so the link as shown, copied or
// shared is the article's own address.
const WORDS = 12;
const EDGES = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;

function highlightWords(content) {
  const marked = [...content.querySelectorAll(".pf-result-excerpt mark")].map((mark) => mark.textContent);
  const typed = cleanQuery(manager()?.searchTerm).split(" ");
  const words = [...marked, ...typed].map((word) => word.replace(EDGES, "")).filter((word) => [...word].length > 1);
  const seen = new Map(words.map((word) => [word.toLocaleLowerCase(), word]));
  return [...seen.values()].slice(0, WORDS).join(" ");
}

function followed(event) {
  const link = event.target instanceof Element ? event.target.closest(".search-result .pf-result-link") : null;
  const words = link?.closest("[data-highlight]")?.getAttribute("data-highlight");
  if (!words) return;
  link.href = link.href.split("#")[0] + "#highlight=" + encodeURIComponent(words);
}
results.addEventListener("click", followed);
results.addEventListener("auxclick", followed);

const drawn = results.getResultRenderer?.bind(results);
if (drawn) {
  results.getResultRenderer = () => {
    const draw = drawn();
    return (result, options) => withOriginal(draw(result, options), result?.meta ?? {});
  };
}

// The search in the address (address.js): the page opens with the search its address names
// shown; typing replaces the address as the Component UI searches (one history entry for a
// query, not one per key); a filter or sort change, or a new query after the reader has stopped
// on one for SETTLED ms, adds an entry; back and forward restore the entry's search.
const SETTLED = 1500;
const box = () => document.querySelector("pagefind-input input");
let shown = location.search;                                      // the address of what is shown
let shownAt = 0;                                                  // when it was written (0: on arrival)
let restoring = false;

function current() {
  const instance = manager();
  const filters = {};
  for (const [key, { any }] of Object.entries(filterIds(instance?.searchFilters))) {
    if (FILTER_KEYS.includes(key)) filters[key] = any;
  }
  return { q: cleanQuery(instance?.searchTerm), filters, sort: sortControl.value || null };
}

function remember(committed) {
  if (restoring) return;
  const next = writeAddress(current());
  if (next === location.search) return;
  const url = location.pathname + next + location.hash;
  const push = committed || !shownAt || performance.now() - shownAt > SETTLED;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
  shown = next;
  shownAt = performance.now();
}

// The Component UI's selection is by label, in the page's language.
function labelled(filters) {
  const out = {};
  for (const [key, ids] of Object.entries(filters)) {
    out[CFG.filterNames[key]] = ids.map((id) => valueLabel(key, id));
  }
  return out;
}

function show({ q, filters, sort }) {
  const instance = manager();
  if (!instance) return;
  sortControl.value = sort ?? "";
  setSort(sort ? { date: sort } : null);
  const input = box();
  if (input) input.value = q;
  restoring = true;
  try {
    instance.triggerSearchWithFilters(q, labelled(filters));
  } finally {
    restoring = false;
  }
  // The address as this page writes it (what it ignored left out), in the same history entry.
  shown = writeAddress({ q, filters, sort });
  if (shown !== location.search) history.replaceState(null, "", location.pathname + shown + location.hash);
}

let lastTerm = null;
manager()?.on("search", (term) => {
  if (restoring) return;
  // A new term is typing (replaced while it goes on); a new selection is a committed change.
  const typing = term !== lastTerm;
  lastTerm = term;
  queueMicrotask(() => remember(!typing));
});
window.addEventListener("popstate", () => {
  if (location.search === shown) return;                          // a fragment only
  const state = readAddress(location.search, CFG);
  lastTerm = state.q;
  show(state);
  shownAt = 0;
});

const arriving = readAddress(location.search, CFG);
if (arriving.q || Object.keys(arriving.filters).length || arriving.sort) {
  lastTerm = arriving.q;
  show(arriving);
  // Sent here to search within a tag or an outlet: the box is where the reader goes next.
  if (!arriving.q) box()?.focus();
}
