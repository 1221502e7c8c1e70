// Query normalisation and expansion. The folds mirror briefgen/search/normalize.py (fold_index,
// alias_key); the expansions make up for what Pagefind's Arabic stemmer does not strip.
const PERSIAN = { "\u06a9": "\u0643", "\u06cc": "\u064a" };            // ک → ك, ی → ي
const ALIAS_FOLDS = { "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
  "\u0629": "\u0647", "\u0649": "\u064a", "\u063a": "\u062c" };          // أإآٱ → ا, ة → ه, ى → ي, غ → ج
const ARABIC_WORD = /^[\u0600-\u06ff]+$/;

// The query as it is searched: no direction controls, Arabic letters for Persian ones, Western
// digits (the Italian index does not fold ٠-٩), no tashkeel or tatweel, ASCII apostrophes.
export function foldQuery(text) {
  return text.normalize("NFC")
    .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/g, "")
    .replace(/[\u06a9\u06cc]/g, (c) => PERSIAN[c])
    .replace(/[\u06f0-\u06f9]/g, (c) => String(c.charCodeAt(0) - 0x06f0))
    .replace(/[\u0660-\u0669]/g, (c) => String(c.charCodeAt(0) - 0x0660))
    .replace(/[\u064b-\u065f\u0670\u0640]/g, "")
    .replace(/(?<=[\p{L}\p{N}])[\u2019\u02bc\u2018\u0060\u00b4](?=[\p{L}\p{N}])/gu, "'")
    .replace(/\s+/g, " ").trim();
}

// The key a tag name or alias is looked up by (alias_key in Python).
export function aliasKey(text) {
  return foldQuery(text).toLowerCase()
    .replace(/[\u0623\u0625\u0622\u0671\u0629\u0649\u063a]/g, (c) => ALIAS_FOLDS[c])
    .replace(/[\s\-\u200c\u200d'\u2019]+/g, "");
}

// Forms of one word worth searching too: without و/ف, ب/ل/ك before ال, لل (= ل + ال), ب/ل/ك,
// the feminine plural ات, and an Italian elision (dell'Ucraina → Ucraina). Short words keep
// their letters: stripping them makes unrelated words.
export function wordVariants(word) {
  const out = new Set([word]);
  const elided = word.match(/^\p{L}{1,6}'(\p{L}{2,})$/u);
  if (elided) out.add(elided[1]);
  if (!ARABIC_WORD.test(word)) return [...out];
  const stems = [word];
  if (/^[وف]/.test(word) && word.length >= 5) stems.push(word.slice(1));
  for (const s of [...stems]) {
    if (/^لل/.test(s) && s.length >= 5) stems.push("ال" + s.slice(2));
    else if (/^[بلك]ال/.test(s) && s.length >= 6) stems.push(s.slice(1));
    else if (/^[بلك]/.test(s) && !s.startsWith("ال") && s.length >= 5) stems.push(s.slice(1));
  }
  for (const s of stems) {
    if (s.length >= 3) out.add(s);
    if (s.endsWith("ات") && s.length >= 6) out.add(s.slice(0, -2));
  }
  return [...out];
}

// At most `cap` query strings; the first is the folded query itself.
export function expandQuery(text, cap = 6) {
  let combos = [[]];
  for (const word of foldQuery(text).split(" ").filter(Boolean)) {
    const next = [];
    for (const combo of combos) for (const v of wordVariants(word)) next.push([...combo, v]);
    combos = next.slice(0, cap);
  }
  return combos.map((c) => c.join(" ")).filter(Boolean);
}

// The scripts of a query's words that a bundle may lack (SCRIPTS in briefgen/search/__init__.py).
// Persian and Arabic share one: a Persian word may be in an Arabic text, and the other way round.
const SCRIPTS = {
  arab: /[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]/,
  latn: /[A-Za-z\u00c0-\u024f]/,
  cyrl: /[\u0400-\u052f]/,
  grek: /[\u0370-\u03ff\u1f00-\u1fff]/,
  hebr: /[\u0590-\u05ff\ufb1d-\ufb4f]/,
  hani: /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/,
  hang: /[\u1100-\u11ff\uac00-\ud7af]/,
  thai: /[\u0e00-\u0e7f]/,
};

// Whether a bundle whose articles use `scripts` can match every word of `query`. `told`: the
// scripts the build told apart (a word in another script may match anywhere); without it, the
// two the first builds told apart.
export function canMatch(query, scripts, told = ["arab", "latn"]) {
  return query.split(" ").every((word) =>
    told.every((name) => !SCRIPTS[name]?.test(word) || scripts.includes(name)));
}

// A query as a Persian bundle is indexed: Persian ک and ی for Arabic ك, ي and ى (normalize.py's
// fold_index for a language written with them).
export function toPersian(text) {
  return text.replace(/[\u0643\u064a\u0649]/g, (c) => (c === "\u0643" ? "\u06a9" : "\u06cc"));
}

// A query's words split as a Chinese (Japanese, Thai) text is split when indexed, joined with
// spaces: Pagefind splits the query itself only when its instance's language is one of those,
// and in a worker it is "unknown" (人工智能发展 was one word, matched by its longest prefix).
const segmenters = new Map();
export function segmentWords(text, lang) {
  if (typeof Intl.Segmenter !== "function") return text;
  let segmenter = segmenters.get(lang);
  if (!segmenter) segmenters.set(lang, (segmenter = new Intl.Segmenter(lang, { granularity: "word" })));
  const words = [...segmenter.segment(text)].filter((s) => s.isWordLike).map((s) => s.segment);
  return words.length ? words.join(" ") : text;
}
