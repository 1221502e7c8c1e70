// One Pagefind bundle, searched where it is hosted: in a Web Worker of its own (worker.js), or on
// the page when workers are not available. The searching page (pagefind.js) sees the same
// methods either way, answered with plain data that can cross to another thread.
//
// In a worker the bundles are searched side by side, on every core, and the page stays free while
// Pagefind's WASM works (150 ms and more for a word in most of 5,000 articles).

const KEEP_SCORING = 16;                       // terms whose scoring results are kept

export class BundleHost {
  constructor() {
    this.pf = null;
    this.kept = new Map();                      // search number → its result lists, until released
    this.scoring = new Map();                   // term → ids of its results scoring above 0
  }

  // Pagefind from the bundle's own URL: in one realm, two bundles sharing a module break each
  // other (the module holds one WASM instance). The warm-up search makes the browser run
  // Pagefind's WASM optimised before the reader's first search (it was two to three times slower).
  async init({ path, excerptLength, warm }) {
    const module = await import(path + "pagefind.js");
    // No boost for a match in the title meta (Pagefind 1.5 adds one): the title is in the record's
    // heading, weighted like the text, and the meta boost gave a function word a score (below).
    this.pf = module.createInstance({ basePath: path, excerptLength, noWorker: true, ranking: { metaWeights: { title: 0 } } });
    await this.pf.init();
    if (warm) await this.pf.search(warm).catch(() => {});
    return true;
  }

  // Each term searched (null: every page; false: not searched, no results), as [page id, score,
  // matched words] in Pagefind's order.
  // The results stay here, by number, until released: their excerpts are built from them.
  async search(number, terms, sort) {
    const lists = await Promise.all(terms.map((term) => this.find(term, sort)));
    this.kept.set(number, lists);
    return lists.map((list) => list.map((r) => [r.id, r.score, r.words?.length ?? 0]));
  }

  // A term's results but those that score 0: they matched only function words (indexed
  // weightless: records.py), reached through Pagefind's prefix matching (منغوليا → من) or a
  // shared stem (عليا and على). Sorted by date, Pagefind gives ranks for scores: which results
  // score comes from the search by relevance, kept for the last few terms (a reader who sorts
  // has usually searched the term already).
  async find(term, sort) {
    if (term === false) return [];
    const res = await this.pf.search(term, sort ? { sort } : {});
    if (typeof term !== "string") return res.results;
    let scoring = this.scoring.get(term);
    if (!scoring || !sort) {
      const scored = sort ? (await this.pf.search(term)).results : res.results;
      scoring = new Set(scored.filter((r) => r.score > 0).map((r) => r.id));
      this.scoring.delete(term);
      this.scoring.set(term, scoring);
      for (const old of this.scoring.keys()) if (this.scoring.size > KEEP_SCORING) this.scoring.delete(old);
    }
    return res.results.filter((r) => scoring.has(r.id));
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
