"""Errors that carry a location, and the list that collects them before failing once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """Where a problem is: a file and, when known, a 1-based line."""

    path: Path
    """The file, absolute."""
    line: int | None = None
    """The line of the offending key or value; None when the whole file is at fault."""

    def render(self, relative_to: Path | None = None) -> str:
        """``path:line`` with the path relative to ``relative_to`` (or the working directory)."""
        base = relative_to or Path.cwd()
        try:
            shown = os.path.relpath(self.path, base)
        except ValueError:  # another drive on Windows
            shown = str(self.path)
        if shown.startswith(".."):
            shown = str(self.path)
        return shown if self.line is None else f"{shown}:{self.line}"


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One finding in the archive."""

    location: Location
    message: str
    severity: Severity = "error"

    def render(self, relative_to: Path | None = None) -> str:
        """``path:line: message`` (warnings say so)."""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.location.render(relative_to)}: {prefix}{self.message}"


class BriefgenError(Exception):
    """Base of every error the command line reports; ``exit_code`` picks the process status."""

    exit_code: ClassVar[int] = 1


class UsageError(BriefgenError):
    """The command was asked for something it cannot do (bad paths, bad options)."""

    exit_code = 2


class BuildError(BriefgenError):
    """Writing the site or indexing it failed; the previous output is intact."""


class ProblemsError(BriefgenError):
    """The archive has errors; all of them are in ``problems``."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        count = sum(1 for p in problems if p.severity == "error")
        super().__init__(f"{count} error{'s' if count != 1 else ''} in the archive")

    @classmethod
    def single(cls, path: Path, line: int | None, message: str) -> ProblemsError:
        """An error with one problem."""
        return cls((Problem(Location(path, line), message),))

    def render(self, relative_to: Path | None = None) -> str:
        """Every problem on its own line, sorted by file and line."""
        return "\n".join(p.render(relative_to) for p in self.problems)


class ConfigError(ProblemsError):
    """``site.yml`` or the theme is invalid."""


class ContentError(ProblemsError):
    """Articles or vocabularies are invalid."""


@dataclass(slots=True)
class ErrorList:
    """Collects problems while a stage runs, so one run reports them all."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, path: Path, line: int | None, message: str) -> None:
        """Record an error at ``path:line``."""
        self.problems.append(Problem(Location(path, line), message))

    def warn(self, path: Path, line: int | None, message: str) -> None:
        """Record a warning (reported, never fatal unless asked)."""
        self.problems.append(Problem(Location(path, line), message, "warning"))

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Only the errors, sorted."""
        return tuple(sorted((p for p in self.problems if p.severity == "error"), key=_order))

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Only the warnings, sorted."""
        return tuple(sorted((p for p in self.problems if p.severity == "warning"), key=_order))

    def raise_if_errors(self, kind: type[ProblemsError] = ContentError) -> None:
        """Fail once with every error collected so far."""
        if self.errors:
            raise kind(self.errors)


def _order(problem: Problem) -> tuple[Path, int, str]:
    """Sort by file, then line; a whole-file problem (no line) comes first in its file."""
    return (problem.location.path, problem.location.line or 0, problem.message)
