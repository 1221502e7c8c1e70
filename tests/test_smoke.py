"""The repository's own archive builds."""

from pathlib import Path

from briefgen.build import build
from tests.helpers import VALID_SITE

ROOT = Path(__file__).resolve().parent.parent


def test_repository_archive_builds(tmp_path: Path) -> None:
    report = build(ROOT, tmp_path / "out")
    assert report.articles == 5
    assert (tmp_path / "out" / "ar" / "index.html").is_file()
    assert (tmp_path / "out" / "it" / "index.html").is_file()


def test_a_build_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    # The model is left out of garbage collection while the pages are made (gc.freeze); a
    # program that builds again and again must get it back, or cycles in it would never go.
    import gc

    frozen: list[int] = []
    assert gc.get_freeze_count() == 0
    build(
        VALID_SITE,
        tmp_path / "out",
        search=False,
        jobs=1,
        progress=lambda stage, n: (
            frozen.append(gc.get_freeze_count()) if stage == "render" and n else None
        ),
    )
    assert frozen and min(frozen) > 0  # while the pages were made
    assert gc.get_freeze_count() == 0


def test_pages_are_listed_with_the_collector_paused_then_left_out_of_it() -> None:
    # Listing keeps everything it makes: the collector paused saves its scans (0.6 s at 10,000
    # articles), and frozen the pages stay out of the rendering workers' collections.
    import gc

    from briefgen.stages import collector_paused, uncollected

    enabled: list[bool] = []
    try:
        with uncollected() as leave_out:  # as build() lists the pages
            before = gc.get_freeze_count()
            with collector_paused():
                enabled.append(gc.isenabled())
                pages = (object(),)
            leave_out()
            assert enabled == [False] and gc.isenabled()
            assert gc.get_freeze_count() > before and pages
        assert gc.get_freeze_count() == 0
        gc.disable()
        with collector_paused():
            pass
        assert not gc.isenabled()  # a caller's paused collector stays paused
    finally:
        gc.enable()
        gc.unfreeze()
