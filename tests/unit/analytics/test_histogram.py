"""The duration histograms behind means and percentiles (docs/analytics.md)."""

from __future__ import annotations

import random

import pytest

from chalicelib.domain.analytics import histogram as h


def histogram_of(durations: list[float]) -> list[int]:
    counts = h.empty()
    for seconds in durations:
        counts[h.bucket_of(seconds)] += 1
    return counts


def exact_percentile(durations: list[float], q: float) -> float:
    ordered = sorted(durations)
    rank = max(1, -(-len(ordered) * q // 100))  # nearest rank, 1-based
    return ordered[int(rank) - 1]


def test_every_duration_lands_in_the_bucket_whose_bounds_hold_it():
    for seconds in [0, 0.5, 1, 1.0000001, 2, 59.999, 60, 3600, 86400, 3 * 86400.5]:
        index = h.bucket_of(seconds)
        assert h.lower_bound(index) <= seconds < h.upper_bound(index)
    for power in range(1, 80):  # exact powers of the base sit at a bucket's start
        seconds = h.BASE**power
        assert h.lower_bound(h.bucket_of(seconds)) <= seconds


def test_durations_beyond_sixty_days_share_the_last_bucket():
    assert h.bucket_of(61 * 86400) == h.bucket_of(10**9) == h.BUCKETS - 1


def test_a_negative_duration_is_refused():
    with pytest.raises(ValueError):
        h.bucket_of(-1)


def test_the_90th_percentile_is_within_the_stated_bound_of_the_exact_one():
    rng = random.Random(7)
    for _ in range(50):
        durations = [rng.lognormvariate(6, 1.5) for _ in range(rng.randint(1, 400))]
        exact = exact_percentile(durations, 90)
        estimate = h.percentile(histogram_of(durations), 90)
        assert estimate is not None
        assert abs(estimate - exact) <= h.RELATIVE_ERROR * exact + 1


def test_one_duration_is_its_own_percentile_within_the_bound():
    estimate = h.percentile(histogram_of([300]), 90)
    assert estimate is not None and abs(estimate - 300) <= h.RELATIVE_ERROR * 300


def test_nothing_counted_has_no_percentile():
    assert h.percentile(h.empty(), 90) is None


def test_days_add_up_to_the_histogram_of_the_period():
    monday, tuesday = histogram_of([5, 50, 500]), histogram_of([5000, 50])
    assert h.add(monday, tuesday) == histogram_of([5, 50, 500, 5000, 50])
    with pytest.raises(ValueError):
        h.add(monday, [1, 2])
