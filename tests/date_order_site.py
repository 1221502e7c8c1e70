"""A tiny site whose dates disagree between "the day as shown" and "the instant in UTC".

Shared by tests/test_date_order.py (lists, feeds, exports, search records) and the browser test
of the search page's date sort. NEWEST_FIRST is the one order the model documents
(:attr:`briefgen.model.PartialDate.sort_key`): the day as shown first, then the instant, then
partial dates after every finer date of their period, undated articles last.
"""

from __future__ import annotations

from pathlib import Path

DATES = {
    # shown as 2 January, though its instant (1 January 22:30 UTC) is the earlier one
    "east": "2025-01-02T00:30+02:00",
    "west": "2025-01-01T23:00Z",
    # one shown day, two instants: 06:00 UTC comes after 05:00 UTC
    "late": "2025-01-03T10:00+04:00",
    "early": "2025-01-03T06:00+01:00",
    "day": "2025-01-02",
    "month": "2025-01",
    "year": "2025",
    "undated": "unknown",
}
NEWEST_FIRST = ["late", "early", "east", "day", "west", "month", "year", "undated"]


def make_site(root: Path) -> Path:
    """Write the site under ``root``; articles alternate between Arabic and Italian."""
    (root / "content" / "articles").mkdir(parents=True)
    (root / "site.yml").write_text(
        "title: {ar: ترتيب, it: Ordine}\nbase_url: https://example.org/\nlanguages: [ar, it]\n",
        "utf-8",
    )
    (root / "content" / "tags.yml").write_text(
        "russia:\n  label: {ar: روسيا, it: Russia}\n", "utf-8"
    )
    (root / "content" / "outlets.yml").write_text(
        "meteoweb:\n  name: MeteoWeb\n  language: it\n  country: IT\n", "utf-8"
    )
    for i, (slug, when) in enumerate(DATES.items()):
        lang = "ar" if i % 2 else "it"
        word = "روسيا" if lang == "ar" else "Russia"
        (root / "content" / "articles" / f"{slug}.md").write_text(
            f"---\ntitle: {word} {slug}\ndate: {when}\noutlet: meteoweb\nlanguage: {lang}\n"
            f"tags: [russia]\n---\n{word} {slug}.\n",
            "utf-8",
        )
    return root
