// The words a reader searched for, marked on the article they opened from the search page.
// The search page sends them in the link's fragment, #highlight=<words>; the article page imports
// this module only then (article.html), and without scripts nothing changes. Words are matched as text,
// inside the article only, ignoring case, Arabic diacritics and tatweel, and the letter forms the
// search does not tell apart (alef forms, ة/ه, ى/ي/ی, ك/ک, ' and ’); each match goes in a <mark>.
(() => {
  const KEY = "#highlight=";
  if (!location.hash.startsWith(KEY)) return;
  let text;
  try {
    text = decodeURIComponent(location.hash.slice(KEY.length));
  } catch {
    return;
  }
  const words = [...new Set(text.split(/[\s\u0000-\u001f]+/))]
    .filter((w) => [...w].length > 1 && w.length <= 64).slice(0, 20);
  const root = document.querySelector("main article");
  if (!words.length || !root) return;
  const SAME = ["اأإآٱ", "ةه", "ىيی", "كک", "'’"];
  const letter = (c) => {
    const group = SAME.find((g) => g.includes(c));
    return (group ? `[${group}]` : c.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&")) + "[\\u064b-\\u065f\\u0670\\u0640]*";
  };
  words.sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(${words.map((w) => [...w].map(letter).join("")).join("|")})`, "iu");
  const nodes = [];
  const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) nodes.push(walk.currentNode);
  let first = null;
  for (const node of nodes) {
    const parts = node.data.split(pattern);
    if (parts.length < 2) continue;
    const out = document.createDocumentFragment();
    parts.forEach((part, i) => {
      if (i % 2 === 0) {
        if (part) out.append(part);
        return;
      }
      const mark = document.createElement("mark");
      mark.textContent = part;
      first ??= mark;
      out.append(mark);
    });
    node.replaceWith(out);
  }
  first?.scrollIntoView({ block: "center" });
})();
