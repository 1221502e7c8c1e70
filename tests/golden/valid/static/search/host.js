// One Pagefind bundle, searched where it is hosted: in a Web Worker of its own (worker.js), or on
// the page when workers are not available. The searching page (pagefind.js) sees the same
// methods either way, answered with plain data that can cross to another thread.
//
// In a worker the bundles are searched side by side, on every core, and the page stays free while
// Pagefind's WASM works (150 ms and more for a word in most of 5,000 articles).


export class BundleHost {
  constructor() {
    this.pf = null;
    this.kept = new Map();                      // search number → its result lists, until released
    this.order = new Map();                     // page id → its number (the filter table's row)
  }

  // Pagefind from the bundle's own URL: in one realm, two bundles sharing a module break each
  // other (the module holds one WASM instance). The warm-up search makes the browser run
  // Pagefind's WASM optimised before the reader's first search (it was two to three times slower).
  // In a worker (a realm of its own) every bundle's Pagefind is the same module, `library`:
  // the browser fetches it once for all of them. No boost for a match in the title meta
  // (Pagefind 1.5 adds one): the title is in the record's heading, weighted like the text, and
  // the meta boost gave a function word a score (see find).
  async init({ path, excerptLength, warm, library }) {
    const module = await import(library ?? path + "pagefind.js");
    this.pf = module.createInstance({ basePath: path, excerptLength, noWorker: true, ranking: { metaWeights: { title: 0 } } });
    await this.pf.init();
    const [order] = await Promise.all([pageOrder(path), warm && this.pf.search(warm).catch(() => {})]);
    this.order = order;
    return true;
  }

  // Each term searched (null: every page; false: not searched, no results), as [page id, score,
  // matched words, page number] in Pagefind's order.
  // The results stay here, by number, until released: their excerpts are built from them.
  async search(number, terms) {
    const lists = await Promise.all(terms.map((term) => this.find(term)));
    this.kept.set(number, lists);
    return lists.map((list) => list.map((r) => [r.id, r.score, r.words?.length ?? 0, this.order.get(r.id)]));
  }

  // A term's results but those that score 0: they matched only function words (indexed
  // weightless: records.py), reached through Pagefind's prefix matching (منغوليا → من) or a
  // shared stem (عليا and على). (null, every page, has no scores to judge by.)
  async find(term) {
    if (term === false) return [];
    const res = await this.pf.search(term);
    return typeof term === "string" ? res.results.filter((r) => r.score > 0) : res.results;
  }

  // A result's title, URL, meta and excerpt (highlighted where its search matched).
  async data(number, list, id) {
    const result = this.kept.get(number)?.[list]?.find((r) => r.id === id);
    if (!result) throw new Error(`no result ${id} in search ${number}`);
    return result.data();
  }

  release(number) {
    this.kept.delete(number);
    return true;
  }

  // Fetch the index chunks of terms without searching.
  async preload(terms) {
    await Promise.all(terms.map((term) => this.pf.preload(term)));
    return true;
  }
}

// The bundle's pages numbered as its metadata lists them (briefgen's filter table has one row per
// page in that order, and no page ids): the metadata file Pagefind has just loaded (from the
// browser's cache) is gzip, "pagefind_dcd", then CBOR [version, [[page id, words], ...], ...].
async function pageOrder(path) {
  const meta = new URL(path, location.href).href + "pagefind.";
  let url = performance.getEntriesByType("resource").map((e) => e.name)
    .find((name) => name.startsWith(meta) && name.endsWith(".pf_meta"));
  if (!url) {
    const entry = await (await fetch(path + "pagefind-entry.json")).json();
    url = `${meta}${Object.values(entry.languages)[0].hash}.pf_meta`;
  }
  const response = await fetch(url, { cache: "force-cache" });
  if (!response.ok) throw new Error(`${response.url}: ${response.status}`);
  const data = new Uint8Array(await new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
  const text = new TextDecoder();
  const head = (at) => {
    const info = data[at] & 31;
    if (info < 24) return [data[at] >> 5, info, at + 1];
    const size = 2 ** (info - 24);
    let n = 0;
    for (let i = 1; i <= size; i++) n = n * 256 + data[at + i];
    return [data[at] >> 5, n, at + 1 + size];
  };
  let [, , at] = head(12);                                        // [version, pages, ...]
  let [, size] = head(at);
  [, size, at] = head(at);
  let count;
  [, count, at] = head(at + size);                                // [[page id, words], ...]
  const order = new Map();
  for (let number = 0; number < count; number++) {
    [, , at] = head(at);
    [, size, at] = head(at);
    order.set(text.decode(data.subarray(at, at + size)), number);
    [, , at] = head(at + size);
  }
  return order;
}
