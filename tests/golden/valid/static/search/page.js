// The search page's own controls. The URL is the one the Component UI imports, so this is the
// same module instance.
import { init, searchAhead, setSort } from "./pagefind.js";

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
document.getElementById("search-sort").addEventListener("change", (event) => {
  setSort(event.target.value ? { date: event.target.value } : null);
  const instance = window.PagefindComponents?.getInstanceManager().getInstance("default");
  if (instance?.searchTerm) instance.triggerSearch(instance.searchTerm);
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

const drawn = results.getResultRenderer?.bind(results);
if (drawn) {
  results.getResultRenderer = () => {
    const draw = drawn();
    return (result, options) => withOriginal(draw(result, options), result?.meta ?? {});
  };
}
