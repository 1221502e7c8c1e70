"""Coverage over time: articles per month stacked by language, and the chart geometry.

Partial dates are counted honestly: an article dated to a year only goes into that year's
"month unknown" bucket (never January), and undated articles into their own bucket. The chart is
computed here as plain numbers so the template only draws rectangles (inline SVG, no script);
on right-to-left pages time runs from right to left.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from briefgen.model import Article, Precision


class BucketKind(Enum):
    """What a bucket counts."""

    MONTH = "month"
    """Articles dated to this month (or a day or moment in it)."""
    YEAR = "year"
    """Articles dated to this year only: the month is unknown."""
    UNDATED = "undated"
    """Articles without any date."""


@dataclass(frozen=True, slots=True)
class Bucket:
    """One column of the chart and one row of the table."""

    kind: BucketKind
    year: int | None
    month: int | None
    counts: tuple[int, ...]
    """Articles per language, in :attr:`Coverage.languages` order."""

    @property
    def total(self) -> int:
        """Articles in every language."""
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class Coverage:
    """Articles over time: contiguous months (empty ones included), year-only buckets, undated."""

    languages: tuple[str, ...]
    buckets: tuple[Bucket, ...]
    """Chronological: the months of a year, then its "month unknown" bucket when it has one."""
    undated: Bucket

    @property
    def total(self) -> int:
        """Every article counted, dated or not."""
        return sum(b.total for b in self.buckets) + self.undated.total

    @property
    def dated(self) -> int:
        """Articles with at least a year."""
        return sum(b.total for b in self.buckets)

    @property
    def language_totals(self) -> tuple[int, ...]:
        """Articles per language, dated or not."""
        return tuple(
            sum(c) for c in zip(*(b.counts for b in (*self.buckets, self.undated)), strict=True)
        )

    @property
    def peak(self) -> int:
        """The largest column (undated included), at least 1 so scales never divide by zero."""
        return max([1, self.undated.total, *(b.total for b in self.buckets)])


def coverage(articles: Iterable[Article], languages: Sequence[str]) -> Coverage:
    """Count ``articles`` per month and language (a pure function of its arguments)."""
    langs = tuple(languages)
    index = {code: i for i, code in enumerate(langs)}
    months: Counter[tuple[int, int, int]] = Counter()
    years: Counter[tuple[int, int]] = Counter()
    undated: Counter[int] = Counter()
    for article in dict.fromkeys(articles):  # an article counts once, even if listed twice
        series = index.get(article.language)
        if series is None:
            continue
        if article.date is None:
            undated[series] += 1
        elif article.date.precision is Precision.YEAR:
            years[(article.date.year, series)] += 1
        else:
            day = article.date.as_date  # the month in the source's own offset, as the archive uses
            months[(day.year, day.month, series)] += 1

    keys: list[tuple[int, int]] = []  # (year, month); month 13 is "month unknown"
    if months:
        first = min((y, m) for y, m, _ in months)
        last = max((y, m) for y, m, _ in months)
        year, month = first
        while (year, month) <= last:
            keys.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    keys.extend((y, 13) for y in sorted({y for y, _ in years}))
    keys.sort()

    n = len(langs)
    buckets = tuple(
        Bucket(BucketKind.YEAR, y, None, tuple(years[(y, s)] for s in range(n)))
        if m == 13
        else Bucket(BucketKind.MONTH, y, m, tuple(months[(y, m, s)] for s in range(n)))
        for y, m in keys
    )
    return Coverage(
        langs, buckets, Bucket(BucketKind.UNDATED, None, None, tuple(undated[s] for s in range(n)))
    )


@dataclass(frozen=True, slots=True)
class Segment:
    """One language's part of a column."""

    x: float
    y: float
    width: float
    height: float
    series: int
    """Index of the language (CSS class ``series-N``)."""
    language: str
    count: int


@dataclass(frozen=True, slots=True)
class Column:
    """A bucket drawn as a stack of segments."""

    bucket: Bucket
    x: float
    width: float
    segments: tuple[Segment, ...]

    @property
    def centre(self) -> float:
        """Horizontal middle (for labels)."""
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True, slots=True)
class Chart:
    """A stacked bar chart in SVG user units."""

    width: float
    height: float
    baseline: float
    """y of the horizontal axis."""
    top: float
    """y of the peak value."""
    peak: int
    columns: tuple[Column, ...]
    years: tuple[tuple[float, int], ...]
    """(x, year) where each year's first column starts, for axis labels."""
    rtl: bool

    @property
    def axis(self) -> tuple[float, float]:
        """Start and end x of the plot area."""
        return (CHART_MARGIN, self.width - CHART_MARGIN)


CHART_WIDTH = 640.0
CHART_HEIGHT = 220.0
CHART_MARGIN = 32.0
CHART_TOP = 16.0
CHART_BOTTOM = 32.0
CHART_BAR_MAX = 48.0
YEAR_LABEL_GAP = 40.0


def chart(cov: Coverage, *, rtl: bool) -> Chart:
    """Lay out ``cov`` as stacked columns: undated last, set apart by an empty slot.

    Positions are rounded to 0.01 so the output is byte-for-byte stable.
    """
    cells: list[Bucket | None] = list(cov.buckets)
    if cov.undated.total:
        if cells:
            cells.append(None)  # a gap: undated articles are not a point in time
        cells.append(cov.undated)
    slots = max(len(cells), 1)
    plot = CHART_WIDTH - 2 * CHART_MARGIN
    slot = plot / slots
    bar = min(slot * 0.8, CHART_BAR_MAX)
    baseline = CHART_HEIGHT - CHART_BOTTOM
    scale = (baseline - CHART_TOP) / cov.peak
    columns: list[Column] = []
    years: list[tuple[float, int]] = []
    seen: int | None = None
    for i, bucket in enumerate(cells):
        if bucket is None:
            continue
        left = CHART_MARGIN + i * slot + (slot - bar) / 2
        x = CHART_WIDTH - left - bar if rtl else left
        y = baseline
        segments: list[Segment] = []
        for series, count in enumerate(bucket.counts):
            if not count:
                continue
            height = count * scale
            y -= height
            segments.append(
                Segment(
                    round(x, 2),
                    round(y, 2),
                    round(bar, 2),
                    round(height, 2),
                    series,
                    cov.languages[series],
                    count,
                )
            )
        columns.append(Column(bucket, round(x, 2), round(bar, 2), tuple(segments)))
        if bucket.year is not None and bucket.year != seen:
            seen = bucket.year
            centre = round(x + bar / 2, 2)
            if not years or abs(centre - years[-1][0]) >= YEAR_LABEL_GAP:  # labels never overlap
                years.append((centre, bucket.year))
    return Chart(
        CHART_WIDTH, CHART_HEIGHT, baseline, CHART_TOP, cov.peak, tuple(columns), tuple(years), rtl
    )
