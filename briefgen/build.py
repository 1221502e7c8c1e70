"""The pipeline: config → content → model → render → write (staged) → search → swap."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.config import load_config
from briefgen.content import Loaded, load_site
from briefgen.errors import Problem
from briefgen.render import render_site
from briefgen.search import index_site
from briefgen.theme import load_theme
from briefgen.write import Staging

log = logging.getLogger("briefgen")


@dataclass(slots=True)
class Timings:
    """Seconds spent per stage, in pipeline order (logged at debug level)."""

    stages: list[tuple[str, float]] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        elapsed = time.perf_counter() - start
        self.stages.append((name, elapsed))
        log.debug("%-8s %7.3f s", name, elapsed)


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did."""

    output: Path
    pages: int
    """Files written (pages, feeds, sitemap, static files)."""
    articles: int
    unchanged: int
    """Files whose bytes did not change (kept with their modification time)."""
    seconds: float
    stages: tuple[tuple[str, float], ...]
    warnings: tuple[Problem, ...]


def check(root: Path, *, drafts: bool = True) -> Loaded:
    """Validate the whole site without writing anything; raise with every error."""
    config = load_config(root)
    load_theme(config)
    return load_site(config, drafts=drafts)


def build(
    root: Path, output: Path | None = None, *, drafts: bool = False, search: bool = True
) -> BuildReport:
    """Build the site at ``root`` into its output; the previous output survives any failure.

    ``search=False`` skips the Pagefind index (fast builds; the search page finds nothing).
    """
    started = time.perf_counter()
    timings = Timings()
    with timings.stage("config"):
        config = load_config(root, output)
        theme = load_theme(config)
    with timings.stage("content"):
        loaded = load_site(config, drafts=drafts)
    with Staging(config.output) as staging:
        with timings.stage("render"):
            for path, data in render_site(loaded.site, theme):
                staging.write(path, data)
            for path, data in theme.assets():
                staging.write(path, data)
        if search:
            with timings.stage("search"):
                staging.adopt(index_site(loaded.site, staging.dir))
        with timings.stage("swap"):
            staging.commit()
    return BuildReport(
        output=config.output,
        pages=len(staging.written),
        articles=len(loaded.site.articles),
        unchanged=staging.unchanged,
        seconds=time.perf_counter() - started,
        stages=tuple(timings.stages),
        warnings=loaded.warnings,
    )
