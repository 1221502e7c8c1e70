"""A deterministic synthetic archive: ``python benchmarks/corpus.py N DEST [--seed S]``.

Writes a complete briefgen site into DEST: ``site.yml`` (languages ar and it), a 40-tag vocabulary
labelled in Arabic, Italian and English, 25 outlets, and N articles, about 80 % Arabic and 20 %
Italian, of 300 to 1,500 words each, with headings, lists and links in the Markdown body.

``--languages ar,it,ru,zh-Hans,fa,he`` spreads the articles over more content languages (the
reader languages stay ar and it): 40 % Arabic, 20 % Italian and the rest shared evenly by the
others, which get the curators' briefings in both reader languages (70 %), one (15 %) or none;
a tenth of the Arabic articles get an Italian one. Their text is drawn from the Arabic pool for
a right-to-left language and from the Italian pool otherwise: the speed of a build depends on
the shape of the text, not on its being Russian or Hebrew. The default corpus is unchanged.

The text comes from the raw news articles in ``../shared/seeds/*.txt`` beside the checkout (or,
in a checkout without them, from the bodies of ``content/articles/``). They are cut into sentences,
and each sentence is copied many times with about a quarter of its words replaced by other words
of the same language. Articles are drawn from that pool of variants, so no two articles share
enough five-word runs for ``briefgen check`` to call them duplicates, yet the text keeps the
letters, word lengths and punctuation of real Arabic and Italian reporting.

Everything is drawn from one ``random.Random(seed)``, in a fixed order, and written with fixed
line ends: the same N and seed give byte-identical files on every run and machine (for a given
Python minor version, whose ``random`` algorithms are stable).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
"""Raw seed articles beside the checkout (the shared folder of the workspace)."""
FALLBACK = ROOT / "content" / "articles"
"""The project's own curated articles, used when the seed folder is missing."""

MARKER = ".briefgen-bench-corpus"
"""A file naming the generator's parameters, so a DEST we wrote can be replaced or reused."""
GENERATOR_VERSION = 1
"""Bump when the output for a given N and seed changes, so kept corpora are regenerated."""

BASE_URL = "https://bench.example.org/"
LANGUAGES = ("ar", "it")
ARABIC_SHARE = 0.8
MIN_WORDS, MAX_WORDS = 300, 1500
SWAP_RATE = 0.25
"""Share of words replaced in each sentence variant: enough to break shared 5-word runs."""

# key: (ar, it, en). A news-briefing vocabulary of the size a real archive grows to.
TAGS: dict[str, tuple[str, str, str]] = {
    "russia": ("روسيا", "Russia", "Russia"),
    "china": ("الصين", "Cina", "China"),
    "artificial-intelligence": (
        "الذكاء الاصطناعي",
        "Intelligenza artificiale",
        "Artificial intelligence",
    ),
    "sanctions": ("العقوبات", "Sanzioni", "Sanctions"),
    "chips": ("الرقائق الإلكترونية", "Semiconduttori", "Semiconductors"),
    "united-states": ("الولايات المتحدة", "Stati Uniti", "United States"),
    "european-union": ("الاتحاد الأوروبي", "Unione europea", "European Union"),
    "brics": ("بريكس", "BRICS", "BRICS"),
    "ukraine": ("أوكرانيا", "Ucraina", "Ukraine"),
    "italy": ("إيطاليا", "Italia", "Italy"),
    "egypt": ("مصر", "Egitto", "Egypt"),
    "saudi-arabia": ("السعودية", "Arabia Saudita", "Saudi Arabia"),
    "energy": ("الطاقة", "Energia", "Energy"),
    "oil-and-gas": ("النفط والغاز", "Petrolio e gas", "Oil and gas"),
    "trade": ("التجارة", "Commercio", "Trade"),
    "inflation": ("التضخم", "Inflazione", "Inflation"),
    "central-banks": ("البنوك المركزية", "Banche centrali", "Central banks"),
    "cybersecurity": ("الأمن السيبراني", "Sicurezza informatica", "Cybersecurity"),
    "space": ("الفضاء", "Spazio", "Space"),
    "defence": ("الدفاع", "Difesa", "Defence"),
    "diplomacy": ("الدبلوماسية", "Diplomazia", "Diplomacy"),
    "elections": ("الانتخابات", "Elezioni", "Elections"),
    "climate": ("المناخ", "Clima", "Climate"),
    "agriculture": ("الزراعة", "Agricoltura", "Agriculture"),
    "health": ("الصحة", "Sanità", "Health"),
    "education": ("التعليم", "Istruzione", "Education"),
    "telecommunications": ("الاتصالات", "Telecomunicazioni", "Telecommunications"),
    "data-centres": ("مراكز البيانات", "Data center", "Data centres"),
    "supercomputers": ("الحواسيب الفائقة", "Supercomputer", "Supercomputers"),
    "robotics": ("الروبوتات", "Robotica", "Robotics"),
    "start-ups": ("الشركات الناشئة", "Startup", "Start-ups"),
    "research-and-development": (
        "البحث والتطوير",
        "Ricerca e sviluppo",
        "Research and development",
    ),
    "open-source": ("المصادر المفتوحة", "Open source", "Open source"),
    "language-models": ("النماذج اللغوية", "Modelli linguistici", "Language models"),
    "regulation": ("التنظيم", "Regolamentazione", "Regulation"),
    "migration": ("الهجرة", "Migrazioni", "Migration"),
    "mediterranean": ("البحر المتوسط", "Mediterraneo", "Mediterranean"),
    "middle-east": ("الشرق الأوسط", "Medio Oriente", "Middle East"),
    "africa": ("أفريقيا", "Africa", "Africa"),
    "tourism": ("السياحة", "Turismo", "Tourism"),
}

# key: (name, language of the name, country or None). Invented outlets, so no real publication
# is misquoted; some lack a country or URL, as real entries do.
OUTLETS: dict[str, tuple[str, str, str | None]] = {
    "al-nahar-al-raqmi": ("النهار الرقمي", "ar", "EG"),
    "sawt-al-khalij": ("صوت الخليج", "ar", "AE"),
    "al-marsad": ("المرصد", "ar", "LB"),
    "bawabat-al-taqniya": ("بوابة التقنية", "ar", "SA"),
    "al-youm-al-iqtisadi": ("اليوم الاقتصادي", "ar", "EG"),
    "akhbar-al-maghrib": ("أخبار المغرب", "ar", "MA"),
    "al-wasat-al-arabi": ("الوسط العربي", "ar", "JO"),
    "al-rased": ("الراصد", "ar", "IQ"),
    "nabd-al-sharq": ("نبض الشرق", "ar", "QA"),
    "al-majalla-al-ilmiya": ("المجلة العلمية", "ar", "TN"),
    "sada-al-madina": ("صدى المدينة", "ar", "DZ"),
    "al-mustaqbal-al-raqmi": ("المستقبل الرقمي", "ar", "KW"),
    "al-afaq": ("الآفاق", "ar", "OM"),
    "jaridat-al-nil": ("جريدة النيل", "ar", "SD"),
    "al-sharq-al-yawm": ("الشرق اليوم", "ar", None),
    "al-manara": ("المنارة", "ar", "LY"),
    "corriere-tecnologico": ("Corriere Tecnologico", "it", "IT"),
    "il-mattino-digitale": ("Il Mattino Digitale", "it", "IT"),
    "gazzetta-economica": ("Gazzetta Economica", "it", "IT"),
    "la-voce-del-mediterraneo": ("La Voce del Mediterraneo", "it", "IT"),
    "osservatorio-est": ("Osservatorio Est", "it", "IT"),
    "cronache-di-scienza": ("Cronache di Scienza", "it", None),
    "il-portale-estero": ("Il Portale Estero", "it", "IT"),
    "rassegna-adriatica": ("Rassegna Adriatica", "it", "IT"),
    "notizie-dal-mondo": ("Notizie dal Mondo", "it", "CH"),
}

_ARABIC = re.compile(r"[\u0600-\u06ff]")
_LATIN = re.compile(r"[A-Za-zÀ-ÿ]")
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")
_EDGE_PUNCT = ' .,;:،؛!?؟«»"“”()[]—\u2013-'  # \u2013: en dash


def _script(text: str) -> str | None:
    """``ar`` or ``it`` by the letters that dominate, None for text with neither."""
    arabic, latin = len(_ARABIC.findall(text)), len(_LATIN.findall(text))
    if arabic == latin == 0:
        return None
    return "ar" if arabic > latin else "it"


def _body_lines(path: Path) -> list[str]:
    """The lines of a seed, or of a curated article without its front matter."""
    text = path.read_text("utf-8")
    if path.suffix == ".md" and text.startswith("---"):
        text = text.split("\n---\n", 1)[-1]
    return [line.strip().lstrip("#").strip() for line in text.splitlines()]


def load_sentences(seeds: Path = SEEDS, fallback: Path = FALLBACK) -> dict[str, list[str]]:
    """Sentences of at least eight words per language, from the seeds or the curated articles.

    Short lines are dropped: in the raw seeds they are navigation, datelines and teasers.
    """
    files = sorted(seeds.glob("*.txt")) if seeds.is_dir() else []
    if not files:
        files = sorted(fallback.glob("**/*.md"))
    pools: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    for path in files:
        for line in _body_lines(path):
            for sentence in _SENTENCE_END.split(line):
                lang = _script(sentence)
                if lang is not None and len(sentence.split()) >= 8:
                    pools[lang].append(sentence.strip())
    for lang, pool in pools.items():
        if not pool:
            raise SystemExit(f"corpus: no {lang} sentences in {seeds} or {fallback}")
    return pools


@dataclass(frozen=True, slots=True)
class Pool:
    """Sentence variants of one language, with their word counts."""

    sentences: list[str]
    lengths: list[int]
    words: list[str]
    """The distinct words of the language's seed sentences (for headings and link texts)."""


def make_pool(rnd: random.Random, sentences: Sequence[str], size: int) -> Pool:
    """``size`` variants of ``sentences``, each with about SWAP_RATE of its words replaced."""
    words = sorted({w.strip(_EDGE_PUNCT) for s in sentences for w in s.split()} - {""})
    split = [s.split() for s in sentences]
    variants: list[str] = []
    for i in range(size):
        tokens = list(split[i % len(split)])
        for _ in range(max(1, round(len(tokens) * SWAP_RATE))):
            tokens[rnd.randrange(len(tokens))] = rnd.choice(words)
        variants.append(" ".join(tokens))
    return Pool(variants, [len(v.split()) for v in variants], words)


def _yaml(value: str) -> str:
    """A YAML scalar: JSON strings are valid YAML and need no thought about quoting."""
    return json.dumps(value, ensure_ascii=False)


def _phrase(rnd: random.Random, pool: Pool, low: int, high: int) -> str:
    return " ".join(rnd.choice(pool.words) for _ in range(rnd.randint(low, high)))


def _date(rnd: random.Random) -> str:
    """Mostly days; some months, a few years and a few unknown, as real sources give them."""
    roll = rnd.random()
    year = rnd.randint(2015, 2025)
    if roll < 0.80:
        return f"{year}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
    if roll < 0.90:
        return f"{year}-{rnd.randint(1, 12):02d}"
    if roll < 0.95:
        return str(year)
    return "unknown"


_TAG_KEYS = list(TAGS)
_TAG_WEIGHTS = [1 / (rank + 1) for rank in range(len(_TAG_KEYS))]
"""Zipf-like: a few tags are on many articles (long paginated tag pages), most on few."""
_OUTLET_KEYS = list(OUTLETS)


RTL = frozenset({"ar", "fa", "he", "ur", "ps", "yi"})
"""Content languages written from the Arabic pool (right to left)."""


def _briefings(rnd: random.Random, lang: str, pools: dict[str, Pool]) -> list[str]:
    """``translated:`` front-matter lines for an article in ``lang`` (see the module docs)."""
    if lang == "ar":
        readers = ["it"] if rnd.random() < 0.1 else []
    elif lang == "it":
        readers = []
    else:
        roll = rnd.random()
        readers = list(LANGUAGES) if roll < 0.7 else [rnd.choice(LANGUAGES)] if roll < 0.85 else []
    if not readers:
        return []
    lines = ["translated:"]
    for reader in readers:
        pool = pools[reader]
        words = pool.sentences[rnd.randrange(len(pool.sentences))].split()
        title = " ".join(words[: rnd.randint(6, 12)]).strip(_EDGE_PUNCT)
        summary = " ".join(pool.sentences[rnd.randrange(len(pool.sentences))].split()[:30])
        lines.append(f"  {reader}: {{title: {_yaml(title)}, summary: {_yaml(summary)}}}")
    return lines


def article(
    rnd: random.Random, lang: str, slug: str, pool: Pool, pools: dict[str, Pool] | None = None
) -> str:
    """One article file: front matter, then a body of MIN_WORDS to MAX_WORDS words; with
    ``pools`` (the reader languages' pools), the curators' briefings of a many-language corpus."""
    target = min(MAX_WORDS - 60, int(rnd.triangular(MIN_WORDS + 20, MAX_WORDS - 60, 600)))
    tags: list[str] = []
    for key in rnd.choices(_TAG_KEYS, _TAG_WEIGHTS, k=rnd.randint(1, 4)):
        if key not in tags:
            tags.append(key)
    outlet = "unknown" if rnd.random() < 0.04 else rnd.choice(_OUTLET_KEYS)
    lang_index = 0 if lang in RTL else 1
    link_lang = lang if lang in LANGUAGES else LANGUAGES[lang_index]

    blocks: list[str] = []
    words = 0
    paragraph: list[str] = []
    paragraphs = 0
    while words < target:
        index = rnd.randrange(len(pool.sentences))
        sentence = pool.sentences[index]
        if not paragraph and rnd.random() < 0.12:
            # A link on the first words: to one of the article's own tag pages (which exist,
            # so `briefgen check` accepts it) or to an outside page.
            head, _, rest = sentence.partition(" ")
            second, _, rest = rest.partition(" ")
            if rnd.random() < 0.5:
                key = rnd.choice(tags)
                href = f"{BASE_URL}{link_lang}/tags/{key}/"
            else:
                href = f"https://example.com/{link_lang}/{rnd.randrange(10**6)}"
            sentence = f"[{head} {second}]({href}) {rest}"
        paragraph.append(sentence)
        words += pool.lengths[index]
        if len(paragraph) >= rnd.randint(2, 5):
            blocks.append(" ".join(paragraph))
            paragraph = []
            paragraphs += 1
            if paragraphs % 3 == 0 and words < target - 40:
                heading = _phrase(rnd, pool, 3, 6)
                blocks.append("## " + heading)
                words += len(heading.split())
            elif paragraphs % 4 == 1 and words < target - 40:
                items = [f"- {_phrase(rnd, pool, 4, 8)}" for _ in range(rnd.randint(3, 5))]
                blocks.append("\n".join(items))
                words += sum(len(item.split()) - 1 for item in items)
    if paragraph:
        blocks.append(" ".join(paragraph))

    first = pool.sentences[rnd.randrange(len(pool.sentences))].split()
    title = " ".join(first[: rnd.randint(6, 12)]).strip(_EDGE_PUNCT)
    front = [
        f"title: {_yaml(title)}",
        f"date: {_date(rnd)}",
        f"outlet: {outlet}",
        f"language: {lang}",
        f"tags: [{', '.join(tags)}]",
    ]
    if rnd.random() < 0.95:  # a few lack one, as in a real archive (a check warning)
        summary = " ".join(pool.sentences[rnd.randrange(len(pool.sentences))].split()[:30])
        front.append(f"summary: {_yaml(summary)}")
    if rnd.random() < 0.7:
        front.append(f"source_url: https://example.com/source/{slug}")
    if rnd.random() < 0.1:
        front.append(
            f"agency: {('Reuters', 'ANSA', 'AFP', 'TASS')[lang_index + rnd.randint(0, 2)]}"
        )
    if pools is not None:
        front += _briefings(rnd, lang, pools)
    return "---\n" + "\n".join(front) + "\n---\n" + "\n\n".join(blocks) + "\n"


def site_yml() -> str:
    return (
        "# A synthetic archive written by benchmarks/corpus.py.\n"
        "title:\n  ar: أرشيف القياس\n  it: Archivio di prova delle prestazioni\n"
        "description:\n  ar: أرشيف مولد لقياس الأداء.\n  it: Archivio generato per le misure.\n"
        f"base_url: {BASE_URL}\n"
        "languages: [ar, it]\n"
        "per_page: 20\n"
    )


def tags_yml() -> str:
    lines = ["# 40 tags, labelled in every site language and in English."]
    for i, (key, (ar, it, en)) in enumerate(TAGS.items()):
        lines += [f"{key}:", f"  label: {{ar: {_yaml(ar)}, it: {_yaml(it)}, en: {_yaml(en)}}}"]
        if i % 3 == 0:  # aliases on a third of them, as in the curated vocabulary
            aliases = sorted({en, it} - {ar})
            lines.append(f"  aliases: [{', '.join(_yaml(a) for a in aliases)}]")
    return "\n".join(lines) + "\n"


def outlets_yml() -> str:
    lines = ["# 25 invented outlets."]
    for i, (key, (name, lang, country)) in enumerate(OUTLETS.items()):
        lines += [f"{key}:", f"  name: {_yaml(name)}", f"  language: {lang}"]
        if country is not None:
            lines.append(f"  country: {country}")
        if i % 4 != 3:
            lines.append(f"  url: https://{key}.example.net/")
    return "\n".join(lines) + "\n"


def _marker(count: int, seed: int, languages: Sequence[str] = LANGUAGES) -> str:
    params: dict[str, object] = {"version": GENERATOR_VERSION, "count": count, "seed": seed}
    if tuple(languages) != LANGUAGES:
        params["languages"] = list(languages)
    return json.dumps(params) + "\n"


def is_generated(dest: Path, count: int, seed: int, languages: Sequence[str] = LANGUAGES) -> bool:
    """True when DEST already holds exactly this corpus (so a runner may reuse it)."""
    marker = dest / MARKER
    return marker.is_file() and marker.read_text("utf-8") == _marker(count, seed, languages)


def _prepare(dest: Path) -> None:
    """Empty DEST, refusing to delete anything this generator did not write."""
    if dest.exists() and any(dest.iterdir()):
        if not (dest / MARKER).is_file():
            raise SystemExit(f"corpus: {dest} is not empty and was not written by corpus.py")
        shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)


def generate(
    dest: Path, count: int, seed: int = 1, languages: Sequence[str] = LANGUAGES
) -> list[Path]:
    """Write a site of ``count`` articles into ``dest``; return the article files, in order.

    ``languages``: the content languages, ``ar`` and ``it`` first (see the module docs)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    if tuple(languages[:2]) != LANGUAGES or len(set(languages)) != len(languages):
        raise ValueError("languages must start with ar, it and name each language once")
    many = tuple(languages) != LANGUAGES
    _prepare(dest)
    rnd = random.Random(seed)
    sentences = load_sentences()
    # The pool grows with the corpus (so large corpora repeat variants rarely) up to a cap that
    # keeps generation fast; a variant is ~25 words, an article picks ~30 of them.
    size = max(2000, min(60_000, count * 4))
    pools = {lang: make_pool(rnd, sentences[lang], size) for lang in LANGUAGES}
    (dest / "site.yml").write_text(site_yml(), "utf-8", newline="\n")
    content = dest / "content"
    content.mkdir()
    (content / "tags.yml").write_text(tags_yml(), "utf-8", newline="\n")
    (content / "outlets.yml").write_text(outlets_yml(), "utf-8", newline="\n")
    folders = {lang: content / "articles" / lang for lang in languages}
    for folder in folders.values():
        folder.mkdir(parents=True)
    written: list[Path] = []
    others = list(languages[2:])
    for i in range(count):
        if not many:
            lang = "ar" if rnd.random() < ARABIC_SHARE else "it"
        else:
            roll = rnd.random()
            share = 0.4 / len(others)
            lang = "ar" if roll < 0.4 else "it" if roll < 0.6 else others[int((roll - 0.6) / share)]
        slug = f"{lang}-{i:06d}"
        path = folders[lang] / f"{slug}.md"
        pool = pools["ar" if lang in RTL else "it"]
        text = article(rnd, lang, slug, pool, pools if many else None)
        path.write_text(text, "utf-8", newline="\n")
        written.append(path)
    (dest / MARKER).write_text(_marker(count, seed, languages), "utf-8", newline="\n")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("count", type=int, metavar="N", help="number of articles")
    parser.add_argument("dest", type=Path, metavar="DEST", help="site root to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument(
        "--languages",
        default=",".join(LANGUAGES),
        metavar="LIST",
        help="content languages, ar and it first (default: ar,it; e.g. ar,it,ru,zh-Hans,fa,he)",
    )
    args = parser.parse_args(argv)
    languages = tuple(code.strip() for code in args.languages.split(",") if code.strip())
    paths = generate(args.dest, args.count, args.seed, languages)
    print(f"wrote {len(paths)} articles to {args.dest}", file=sys.stderr)  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
