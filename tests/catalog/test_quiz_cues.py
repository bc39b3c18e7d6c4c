"""The real question pools in courses/ against the test-wiseness thresholds (lms.catalog.cues).

Expected to fail until the rewritten pools are merged: the marker is strict, so the test fails as soon as
the pools pass, and whoever merges the content must remove the marker (it cannot stay silently).
"""

from __future__ import annotations

from pathlib import Path

from lms.catalog import cues
from lms.catalog.loader import load_catalog

COURSES = Path(__file__).resolve().parents[2] / "courses"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def test_every_pool_passes_the_cue_thresholds() -> None:
    catalog, _ = load_catalog(COURSES)
    report = cues.check_cues(catalog.courses)
    assert len(report.figures) >= 7
    failures = []
    for f in report.figures:
        low, high = cues.LENGTH_RATIO_RANGE
        tf_low, tf_high = cues.TRUE_SHARE_RANGE
        checks = {
            "longest correct": f.longest_share is None or f.longest_share <= cues.MAX_LONGEST_SHARE,
            "length ratio": f.length_ratio is None or low <= f.length_ratio <= high,
            "first position": f.first_share is None or f.first_share <= cues.MAX_FIRST_SHARE,
            "absolute words": f.absolute_gap is None or f.absolute_gap <= cues.MAX_ABSOLUTE_GAP,
            "true/false": (f.true_false < cues.MIN_TRUE_FALSE_FOR_ERROR
                           or tf_low <= (f.true_share or 0.0) <= tf_high),
            "pool size": f.draw is None or f.questions >= cues.MIN_POOL_FACTOR * f.draw,
        }
        failures += [f"{f.slug}: {name} (longest {_share(f.longest_share)}, ratio {_share(f.length_ratio)}, "
                     f"first {_share(f.first_share)}, absolute gap {_share(f.absolute_gap)}, "
                     f"true {_share(f.true_share)})" for name, ok in checks.items() if not ok]
    failures += [str(p) for p in report.errors if "Fragestamm" in p.message]
    assert failures == [], "\n".join(failures)
    assert report.errors == [], "\n".join(map(str, report.errors))
