"""Pages into bytes: one Jinja environment per build, and the :class:`Renderer` that uses it.

Autoescape for HTML and XML, undefined names are errors; rendered Markdown reaches templates as
:class:`~briefgen.pages.TrustedHtml`, nothing else is trusted. The renderer knows nothing of the
features: what they give templates (``research.*``) is passed in by the caller
(:data:`briefgen.producers.TEMPLATE_GLOBALS`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup, escape

from briefgen.config import SiteConfig
from briefgen.errors import BuildError
from briefgen.languages import direction
from briefgen.model import Site
from briefgen.pages import I18n, Page, Urls
from briefgen.theme import Theme


@lru_cache(maxsize=256)
def lang_attrs(code: str, within: str, direction: str) -> Markup:
    """`` lang=".." dir=".."`` when ``code`` differs from the surrounding language, else nothing.

    Remembered (a few pairs of languages) and escaped directly: ``Markup.format`` goes through
    Python's ``string.Formatter`` (an article's entry in a list took 101 µs with it, 92 without).
    """
    if code == within:
        return Markup("")
    return Markup(f' lang="{escape(code)}" dir="{escape(direction)}"')


def json_ld(data: Mapping[str, Any]) -> Markup:
    """JSON for a ``<script>`` element: nothing in it can close the script or start markup."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, code in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, code)
    return Markup(text)


def make_environment(
    theme: Theme, config: SiteConfig, features: Mapping[str, object] | None = None
) -> Environment:
    """One Jinja environment per build: autoescape for HTML and XML, undefined names are errors.

    ``features``: more template globals, from the features (``research``)."""
    env = Environment(
        loader=FileSystemLoader([str(d) for d in theme.template_dirs]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals.update(
        urls=Urls,
        url=lambda path: config.base_path + path,
        # Sitemaps, feeds and canonical links need RFC 3986 URLs: non-ASCII slugs are escaped.
        absolute_url=lambda path: config.base_url + quote(path, safe="/"),
        direction=direction,
        attrs=lambda code, within: lang_attrs(code, within, direction(code)),
        json_ld=json_ld,
        **(features or {}),
    )
    return env


class Renderer:
    """Renders pages through one Jinja environment, reused while the config and theme stay the same.

    ``briefgen serve`` keeps one across rebuilds so an edit re-renders only the pages it changed
    without recompiling the templates.
    """

    def __init__(
        self,
        config: SiteConfig,
        theme: Theme,
        i18n: Mapping[str, I18n],
        features: Mapping[str, object] | None = None,
    ) -> None:
        """``i18n``: the build's (:func:`~briefgen.pages.i18n_table`); ``features``: template
        globals the features add (:data:`briefgen.producers.TEMPLATE_GLOBALS`)."""
        self.env = make_environment(theme, config, features)
        self.env.globals["memo"] = self._memo
        self.i18n = i18n
        self.templates: dict[str, Template] = {}
        self._fragments: dict[tuple[object, ...], Markup] = {}

    def prepare(self) -> None:
        """Compile every template of the theme now, before any page asks for one.

        The build calls this while reader processes parse the articles, so that rendering
        workers forked later inherit compiled templates instead of each compiling them (0.23 s
        of the theme's templates per worker). A template that fails to compile is left for the
        page that uses it to report; one compiled already is not looked at again.
        """
        for name in self.env.list_templates(extensions=("html", "xml")):
            if name not in self.templates:
                with contextlib.suppress(TemplateError):
                    self.templates[name] = self.env.get_template(name)

    @pass_context
    def _memo(self, context: Context, key: str, macro: Callable[..., str], *args: object) -> Markup:
        """``{{ memo('item', m.item, article) }}``: the macro's output, rendered once per page
        language and arguments (compared by value) for as long as this renderer lives.

        An article appears in dozens of list pages (home, tags, outlet, month, year, each with
        its language filters); rendering its entry once per language makes those pages a join.
        Only for macros whose output depends on nothing but their arguments, the page language
        and the vocabularies (which never change under one renderer).
        """
        slot = (key, context["lang"].code, *args)
        fragment = self._fragments.get(slot)
        if fragment is None:
            fragment = self._fragments[slot] = Markup(macro(*args))
        return fragment

    def render(self, site: Site, page: Page) -> bytes:
        """One page's bytes; template errors become :class:`BuildError` with their location."""
        if page.content is not None:  # citation files are bytes already
            return page.content
        if page.produce is not None:  # data exports: made now
            return page.produce()
        common = {"site": site, "config": site.config, "languages": site.config.languages}
        try:
            template = self.templates.get(page.template) or self.templates.setdefault(
                page.template, self.env.get_template(page.template)
            )
            t = self.i18n[page.lang.code]
            context = {**common, **page.data, "page": page, "lang": page.lang, "t": t}
            text: str = template.render(context)
        except TemplateSyntaxError as exc:
            raise BuildError(f"{exc.filename}:{exc.lineno}: template error: {exc.message}") from exc
        except TemplateError as exc:
            raise BuildError(f"template {page.template} (page {page.url or '/'}): {exc}") from exc
        return text.encode("utf-8")
