"""``briefgen check --links``: is every article's source still there?

Each ``source_url`` and ``archived_url`` is fetched (:mod:`briefgen.fetch`: the same timeouts,
size cap and address rules as ``import``), a few at a time and at most :data:`PER_HOST` at once
on one host. A source that answers 4xx or 5xx, or cannot be reached (no such host, a timeout),
is dead: an error at its line, with the suggestion to add an ``archived_url`` when there is
none. One that has moved for good (a 301 or 308 redirect) is a warning naming the new address.
Only the network says this, so it is opt-in and never part of ``build``. On request
(``--ask-archive``) the Wayback Machine's availability API is asked for the closest copy of each
dead source that has no ``archived_url``, and the suggestion names it.

Results are kept for a day in ``.briefgen-cache/links.json``: a nightly CI run, or a second
run after fixing one article, asks the network only about what it has not asked today.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from briefgen.build import check as build_check
from briefgen.checks import CheckReport
from briefgen.content import split_front_matter
from briefgen.errors import ErrorList, ProblemsError
from briefgen.fetch import PERMANENT, FetchError, Rules, fetch
from briefgen.fresh import cache_dir, make_cache_dir
from briefgen.yamltree import Map, Scalar, parse

PER_HOST = 2
"""Requests at once to one host: a check of many articles from one outlet stays polite."""
KEPT = timedelta(days=1)
"""How long a result is reused."""
CACHE_FILE = "links.json"
CACHE_VERSION = 1
LINK_FIELDS = ("source_url", "archived_url")
WAYBACK_API = "https://archive.org/wayback/available"
"""The Wayback Machine's availability API: ``?url=…`` answers the closest archived copy."""
_SNAPSHOT = "snapshot "
"""Cache keys of the archive's answers: this prefix, then the dead address."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one address answered."""

    state: str
    """``ok``, ``dead``, ``moved`` or ``refused`` (not fetched: the address rules)."""
    detail: str = ""
    """Why dead or refused; where it moved."""

    def as_json(self) -> dict[str, str]:
        return {"state": self.state, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Link:
    """One address an article gives."""

    path: Path
    line: int
    field: str
    url: str


Checker = Callable[[str, Rules], Verdict]


def verdict(url: str, rules: Rules) -> Verdict:
    """Fetch ``url``'s status (its body is not read) and judge it."""
    try:
        response = fetch(url, rules, read_body=False)
    except FetchError as exc:
        message = str(exc)
        return Verdict("refused" if message.startswith("refused") else "dead", message)
    if response.status >= 400:
        return Verdict("dead", f"HTTP {response.status} {response.reason}".rstrip())
    if response.hops and response.hops[0].status in PERMANENT:
        return Verdict("moved", response.url)
    return Verdict("ok")


def snapshot(url: str, api: str, rules: Rules) -> Verdict:
    """The archive's closest copy of ``url`` (``detail``: its address, '' when it has none);
    state ``unknown`` when the archive could not be asked."""
    try:
        response = fetch(f"{api}?{urlencode({'url': url})}", rules)
        closest = json.loads(response.body.decode("utf-8"))["archived_snapshots"].get("closest")
    except (FetchError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return Verdict("unknown", str(exc))
    if isinstance(closest, dict) and closest.get("available") and closest.get("url"):
        return Verdict("snapshot", str(closest["url"]))
    return Verdict("snapshot", "")


def check_sources(
    root: Path,
    report: CheckReport,
    rules: Rules,
    *,
    jobs: int = 8,
    now: datetime | None = None,
    checker: Checker = verdict,
    archive_api: str | None = None,
) -> CheckReport:
    """``report`` with the findings about every article's sources added; ``archive_api``: ask
    this availability API (:data:`WAYBACK_API`) for a copy of each dead, unarchived source."""
    try:
        loaded = build_check(root, drafts=True)
    except ProblemsError:
        return report  # the archive's own errors are in the report already
    root = loaded.site.config.root
    links = [link for a in loaded.site.articles for link in article_links(a.source)]
    moment = now or datetime.now(UTC)
    cached = _read_cache(root, moment)
    wanted = sorted({link.url for link in links} - set(cached))
    found = dict(cached)
    found.update(_check_all(wanted, rules, max(1, jobs), checker))
    if archive_api is not None:
        unarchived = {link.url for link in links if _unarchived(link, links, found)}
        asked = sorted(f"{_SNAPSHOT}{url}" for url in unarchived)
        wanted += [key for key in asked if key not in found]
        for key in wanted:
            if key.startswith(_SNAPSHOT):
                found[key] = snapshot(key.removeprefix(_SNAPSHOT), archive_api, rules)
    # A refusal depends on --allow-local, not on the day: it is not kept.
    fresh = {url: found[url] for url in wanted if found[url].state not in ("refused", "unknown")}
    _write_cache(root, fresh, cached, moment)
    errors = ErrorList(list(report.problems))
    by_article: dict[Path, dict[str, Link]] = {}
    for link in links:
        by_article.setdefault(link.path, {})[link.field] = link
    if archive_api is None:  # the archive's answers kept from a run that asked are not used
        found = {key: v for key, v in found.items() if not key.startswith(_SNAPSHOT)}
    for fields in by_article.values():
        _judge(fields, found, errors)
    problems = sorted(errors.problems, key=lambda p: (p.location.path, p.location.line or 0))
    return CheckReport(tuple(problems), report.articles)


def article_links(path: Path) -> list[Link]:
    """The ``source_url`` and ``archived_url`` an article file gives, with their lines."""
    try:
        front, _body, _start = split_front_matter(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return []
    if front is None:
        return []
    node = parse(front, path, ErrorList(), line_offset=1)
    if not isinstance(node, Map):
        return []
    out = []
    for name in LINK_FIELDS:
        value = node.get(name)
        if isinstance(value, Scalar) and value.text.strip():
            out.append(Link(path, node.key_line(name), name, value.text.strip()))
    return out


def _unarchived(link: Link, links: Iterable[Link], found: Mapping[str, Verdict]) -> bool:
    """A dead ``source_url`` whose article has no ``archived_url``."""
    if link.field != "source_url" or found[link.url].state != "dead":
        return False
    return not any(o.path == link.path and o.field == "archived_url" for o in links)


def _judge(fields: Mapping[str, Link], found: Mapping[str, Verdict], errors: ErrorList) -> None:
    """The problems of one article's addresses."""
    archived = fields.get("archived_url")
    archive_alive = archived is not None and found[archived.url].state == "ok"
    for name, link in fields.items():
        result = found[link.url]
        where = (link.path, link.line)
        if result.state == "dead":
            message = f"{name} is dead: {result.detail} ({link.url})"
            if name == "source_url" and archived is None:
                suggestion = _suggestion(link.url, found.get(f"{_SNAPSHOT}{link.url}"))
                errors.add(*where, f"{message}; add archived_url: {suggestion}")
            elif name == "source_url" and archive_alive:
                errors.warn(*where, f"{message}; readers can use the archived_url")
            else:
                errors.add(*where, message)
        elif result.state == "moved":
            errors.warn(
                *where, f"{name} has moved permanently to {result.detail}: update it ({link.url})"
            )
        elif result.state == "refused":
            errors.warn(*where, f"{name} not checked: {result.detail} ({link.url})")


def _suggestion(url: str, answer: Verdict | None) -> str:
    """The archive's copy when it was asked and has one; else where a curator can look."""
    if answer is not None and answer.state == "snapshot":
        if answer.detail:
            return f"{answer.detail} (the Wayback Machine's closest copy)"
        return "the Wayback Machine has no copy; look for one in another web archive"
    return f"a copy in a web archive, such as one listed at https://web.archive.org/web/*/{url}"


def _check_all(
    urls: Iterable[str], rules: Rules, jobs: int, checker: Checker
) -> dict[str, Verdict]:
    """Every URL's verdict: ``jobs`` at once, at most :data:`PER_HOST` on one host."""
    urls = list(urls)
    hosts = {(urlsplit(url).hostname or "").lower() for url in urls}
    gates = {host: threading.BoundedSemaphore(PER_HOST) for host in hosts}

    def one(url: str) -> tuple[str, Verdict]:
        with gates[(urlsplit(url).hostname or "").lower()]:
            return url, checker(url, rules)

    if not urls:
        return {}
    pool = ThreadPoolExecutor(max_workers=min(jobs, len(urls)))
    try:
        return dict(pool.map(one, urls))
    finally:  # after Ctrl-C, no address not yet asked is asked (those under way time out)
        pool.shutdown(wait=True, cancel_futures=True)


def _cache_path(root: Path) -> Path | None:
    folder = cache_dir(root)
    return None if folder is None else folder / CACHE_FILE


def _read_cache(root: Path, now: datetime) -> dict[str, Verdict]:
    """The verdicts of the last day; a missing or damaged cache is an empty one."""
    path = _cache_path(root)
    if path is None or not path.is_file() or path.is_symlink():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != CACHE_VERSION:
            return {}
        out = {}
        for url, entry in data["links"].items():
            checked = datetime.fromisoformat(entry["checked"])
            if timedelta(0) <= now - checked < KEPT:
                out[str(url)] = Verdict(str(entry["state"]), str(entry["detail"]))
        return out
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _write_cache(
    root: Path, fresh: Mapping[str, Verdict], kept: Mapping[str, Verdict], now: datetime
) -> None:
    """Add today's new verdicts to the cache (written whole, or left as it was)."""
    if not fresh:
        return
    path = _cache_path(root)
    if path is None:
        return
    try:
        make_cache_dir(root)
        old = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        entries = old.get("links", {}) if old.get("version") == CACHE_VERSION else {}
    except (OSError, ValueError, AttributeError):
        entries = {}
    stamp = now.isoformat()
    entries = {url: e for url, e in entries.items() if url in kept}
    entries.update({url: {**v.as_json(), "checked": stamp} for url, v in fresh.items()})
    text = json.dumps({"version": CACHE_VERSION, "links": entries}, ensure_ascii=False, indent=1)
    try:
        descriptor, temp = tempfile.mkstemp(dir=path.parent, prefix=".links.", suffix=".tmp")
    except OSError:
        return  # a cache that cannot be written costs time next run, nothing else
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except OSError:
        pass
    finally:
        Path(temp).unlink(missing_ok=True)
