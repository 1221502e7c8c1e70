"""Export a generated briefgen site into the layouts Hugo, Eleventy and Pelican read.

Each peer gets minimal, comparable templates: a paginated home page per language (briefgen's
``per_page``), one page per article (title, date, outlet, tags with links, rendered Markdown body),
one paginated page per tag and per outlet. No feeds, sitemaps or archives on any side, so the
peers do less than briefgen does; the ratios in the report should be read with that in mind.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

PER_PAGE = 20


@dataclass(frozen=True, slots=True)
class Doc:
    """One article of the briefgen corpus, as the peers need it."""

    slug: str
    lang: str
    title: str
    date: str
    """The briefgen date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``unknown``)."""
    outlet: str
    tags: list[str]
    body: str


def read_corpus(site: Path) -> list[Doc]:
    """The articles of a corpus written by benchmarks/corpus.py (sorted by path)."""
    docs: list[Doc] = []
    for path in sorted((site / "content" / "articles").glob("*/*.md")):
        _, front, body = path.read_text("utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        docs.append(
            Doc(
                path.stem,
                str(meta["language"]),
                str(meta["title"]),
                str(meta["date"]),
                str(meta["outlet"]),
                [str(t) for t in meta["tags"]],
                body,
            )
        )
    return docs


def full_date(date: str) -> str | None:
    """A peer-readable day: partial dates become their period's first day (briefgen's sort
    rule), unknown dates None (the peers then fall back to their own default)."""
    if date == "unknown":
        return None
    parts = date.split("-")
    return "-".join(parts + ["01"] * (3 - len(parts)))


def _fresh(dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


# ---------------------------------------------------------------------------------------------
# Hugo: multilingual content directories, taxonomies tags and outlets.

HUGO_CONFIG = """\
baseURL = "https://bench.example.org/"
defaultContentLanguage = "ar"
defaultContentLanguageInSubdir = true
disableKinds = ["RSS", "sitemap", "robotsTXT", "404"]
paginate = {per_page}  # Debian's Hugo 0.111; newer Hugo calls it pagination.pagerSize
[taxonomies]
  tag = "tags"
  outlet = "outlets"
[languages.ar]
  languageDirection = "rtl"
  contentDir = "content/ar"
  weight = 1
[languages.it]
  contentDir = "content/it"
  weight = 2
"""

HUGO_BASEOF = """\
<!doctype html>
<html lang="{{ .Site.Language.Lang }}" dir="{{ or .Site.Language.LanguageDirection "ltr" }}">
<head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main>{{ block "main" . }}{{ end }}</main></body>
</html>
"""

HUGO_LIST_ITEMS = """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Paginator.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.briefdate }}</li>{{ end }}</ul>
{{ with .Paginator }}{{ if .HasPrev }}<a href="{{ .Prev.URL }}">prev</a>{{ end }}
{{ if .HasNext }}<a href="{{ .Next.URL }}">next</a>{{ end }}{{ end }}{{ end }}
"""

HUGO_SINGLE = """\
{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p><time>{{ .Params.briefdate }}</time>
{{ range .GetTerms "outlets" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>
<ul>{{ range .GetTerms "tags" }}
<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ .Content }}</article>{{ end }}
"""

HUGO_TERMS = """\
{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}
"""


def export_hugo(site: Path, dest: Path, per_page: int = PER_PAGE) -> None:
    """Write a Hugo project: ``hugo --source dest`` renders it into ``dest/public``."""
    _fresh(dest)
    _write(dest / "hugo.toml", HUGO_CONFIG.format(per_page=per_page))
    layouts = dest / "layouts" / "_default"
    _write(layouts / "baseof.html", HUGO_BASEOF)
    _write(layouts / "single.html", HUGO_SINGLE)
    _write(layouts / "list.html", HUGO_LIST_ITEMS)  # home, tag and outlet pages (paginated)
    _write(layouts / "terms.html", HUGO_TERMS)  # the tag and outlet indexes
    _write(dest / "layouts" / "index.html", HUGO_LIST_ITEMS)
    for doc in read_corpus(site):
        front = {
            "title": doc.title,
            "slug": doc.slug,
            "briefdate": doc.date,  # shown as written; `date` drives Hugo's ordering
            "tags": doc.tags,
            "outlets": [doc.outlet],
        }
        day = full_date(doc.date)
        if day is not None:
            front["date"] = day
        text = "---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n" + doc.body
        _write(dest / "content" / doc.lang / "articles" / f"{doc.slug}.md", text)


# ---------------------------------------------------------------------------------------------
# Eleventy: one collection of articles; tags and outlets as paginated pages over a global
# data file (Eleventy has no taxonomy, so double pagination is done by chunking in data).

ELEVENTY_CONFIG = """\
// Collections per language, per tag and per outlet; Eleventy renders the Markdown bodies.
module.exports = function (config) {
  const per = %(per_page)d;
  const chunk = (items, key) => {
    const out = [];
    for (let i = 0; i < items.length; i += per) {
      out.push({ key, number: i / per, items: items.slice(i, i + per) });
    }
    return out;
  };
  const byDate = (api) =>
    api.getFilteredByGlob("articles/**/*.md").sort((a, b) => b.date - a.date);
  for (const lang of ["ar", "it"]) {
    config.addCollection("home_" + lang, (api) =>
      chunk(byDate(api).filter((p) => p.data.lang === lang), lang));
  }
  for (const field of ["tags_", "outlet"]) {
    config.addCollection("by_" + field, (api) => {
      const groups = new Map();
      for (const page of byDate(api)) {
        const keys = field === "outlet" ? [page.data.outlet] : page.data.tags_;
        for (const key of keys) {
          if (!groups.has(key)) groups.set(key, []);
          groups.get(key).push(page);
        }
      }
      return [...groups].flatMap(([key, pages]) => chunk(pages, key));
    });
  }
  return { dir: { input: ".", includes: "_includes", output: "_site" } };
};
"""

ELEVENTY_LAYOUT = """\
<!doctype html>
<html lang="{{ lang }}" dir="{% if lang == "ar" %}rtl{% else %}ltr{% endif %}">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><article><h1>{{ title }}</h1>
<p><time>{{ briefdate }}</time> <a href="/{{ lang }}/outlets/{{ outlet }}/">{{ outlet }}</a></p>
<ul>{% for t in tags_ %}<li><a href="/{{ lang }}/tags/{{ t }}/">{{ t }}</a></li>{% endfor %}</ul>
{{ content }}</article></main></body></html>
"""

ELEVENTY_LIST = """\
---
pagination:
  data: collections.%(collection)s
  size: 1
  alias: group
permalink: "%(permalink)s"
---
<!doctype html>
<html lang="%(lang)s"><head><meta charset="utf-8"><title>{{ group.key }}</title></head>
<body><main><h1>{{ group.key }}</h1><ul>
{%% for p in group.items %%}
<li><a href="{{ p.url }}">{{ p.data.title }}</a> {{ p.data.briefdate }}</li>
{%% endfor %%}</ul></main></body></html>
"""


NEXT = "{% if group.number %}page/{{ group.number + 1 }}/{% endif %}"
"""The page-number suffix of a list's second and later pages."""


def export_eleventy(site: Path, dest: Path, per_page: int = PER_PAGE) -> None:
    """Write an Eleventy project: ``eleventy --input dest`` renders it into ``dest/_site``."""
    _fresh(dest)
    _write(dest / "eleventy.config.js", ELEVENTY_CONFIG % {"per_page": per_page})
    _write(dest / "_includes" / "article.njk", ELEVENTY_LAYOUT)
    pages = {
        "home-ar.njk": (
            "home_ar",
            "ar",
            "/ar/" + NEXT,
        ),
        "home-it.njk": (
            "home_it",
            "it",
            "/it/" + NEXT,
        ),
        "tags.njk": (
            "by_tags_",
            "ar",
            "/ar/tags/{{ group.key }}/" + NEXT,
        ),
        "outlets.njk": (
            "by_outlet",
            "ar",
            "/ar/outlets/{{ group.key }}/" + NEXT,
        ),
    }
    for name, (collection, lang, permalink) in pages.items():
        values = {"collection": collection, "lang": lang, "permalink": permalink}
        _write(dest / name, ELEVENTY_LIST % values)
    for doc in read_corpus(site):
        # `tags` is special in Eleventy (it makes collections); the terms go in `tags_`.
        front = {
            "layout": "article.njk",
            "title": doc.title,
            "lang": doc.lang,
            "briefdate": doc.date,
            "outlet": doc.outlet,
            "tags_": doc.tags,
            "permalink": f"/{doc.lang}/articles/{doc.slug}/",
        }
        day = full_date(doc.date)
        if day is not None:
            front["date"] = day
        text = "---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n" + doc.body
        _write(dest / "articles" / doc.lang / f"{doc.slug}.md", text)


# ---------------------------------------------------------------------------------------------
# Pelican: articles with Lang and Tags; the outlet is Pelican's native `author` (so outlet pages
# are Pelican's author pages), translations off so each article is its own page.

PELICAN_CONF = """\
# Mapping: briefgen language -> Lang (one site, Pelican's translation linking not used),
# tags -> Tags, outlet -> Author (author pages are the outlet pages), date -> Date.
SITENAME = "bench"
SITEURL = ""
PATH = "content"
THEME = "theme"
DEFAULT_LANG = "ar"
DEFAULT_PAGINATION = {per_page}
DEFAULT_DATE = (1970, 1, 1)
TIMEZONE = "UTC"
ARTICLE_URL = ARTICLE_SAVE_AS = "{{lang}}/articles/{{slug}}/index.html"
ARTICLE_LANG_URL = ARTICLE_LANG_SAVE_AS = ARTICLE_URL
ARTICLE_TRANSLATION_ID = None
TAG_URL = TAG_SAVE_AS = "tags/{{slug}}/index.html"
AUTHOR_URL = AUTHOR_SAVE_AS = "outlets/{{slug}}/index.html"
CATEGORY_SAVE_AS = CATEGORIES_SAVE_AS = ARCHIVES_SAVE_AS = AUTHORS_SAVE_AS = TAGS_SAVE_AS = ""
DIRECT_TEMPLATES = ["index"]
PAGINATED_TEMPLATES = {{"index": None, "tag": None, "author": None}}
FEED_ALL_ATOM = FEED_ALL_RSS = CATEGORY_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
DELETE_OUTPUT_DIRECTORY = True
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
"""

PELICAN_ARTICLE = """\
<!doctype html><html lang="{{ article.lang }}"><head><meta charset="utf-8">
<title>{{ article.title }}</title></head><body><main><article><h1>{{ article.title }}</h1>
<p><time>{{ article.briefdate }}</time>
<a href="/{{ article.author.url }}">{{ article.author }}</a></p>
<ul>{% for t in article.tags %}<li><a href="/{{ t.url }}">{{ t }}</a></li>{% endfor %}</ul>
{{ article.content }}</article></main></body></html>
"""

PELICAN_LIST = """\
<!doctype html><html lang="ar"><head><meta charset="utf-8"><title>{{ SITENAME }}</title></head>
<body><main><ul>{% for a in articles_page.object_list %}
<li><a href="/{{ a.url }}">{{ a.title }}</a> {{ a.briefdate }}</li>{% endfor %}</ul>
{% if articles_page.has_next() %}<a href="/{{ articles_next_page.url }}">next</a>{% endif %}
</main></body></html>
"""


def export_pelican(site: Path, dest: Path, per_page: int = PER_PAGE) -> None:
    """Write a Pelican project: ``pelican content -s pelicanconf.py -o output`` inside dest.

    Pelican has one home page for the whole site (not one per language): its index lists
    every article, like briefgen's lists do.
    """
    _fresh(dest)
    _write(dest / "pelicanconf.py", PELICAN_CONF.format(per_page=per_page))
    templates = dest / "theme" / "templates"
    _write(templates / "article.html", PELICAN_ARTICLE)
    for name in ("index.html", "tag.html", "author.html"):
        _write(templates / name, PELICAN_LIST)
    for name in ("page.html", "category.html", "period_archives.html"):
        _write(templates / name, PELICAN_LIST.replace("articles_page.object_list", "[]"))
    for doc in read_corpus(site):
        meta = [
            f"Title: {doc.title}",
            f"Slug: {doc.slug}",
            f"Lang: {doc.lang}",
            f"Author: {doc.outlet}",
            f"Tags: {', '.join(doc.tags)}",
            f"Briefdate: {doc.date}",
        ]
        day = full_date(doc.date)
        if day is not None:
            meta.append(f"Date: {day}")
        body = re.sub(r"\A\s+", "", doc.body)
        _write(dest / "content" / doc.lang / f"{doc.slug}.md", "\n".join(meta) + "\n\n" + body)


EXPORTERS = {"hugo": export_hugo, "eleventy": export_eleventy, "pelican": export_pelican}
