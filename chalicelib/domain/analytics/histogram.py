"""Fixed log-scale histograms of durations (docs/analytics.md "Histograms").

A day's counter item keeps, per duration metric, how many durations fell in each
bucket; means come from exact sums, percentiles from the buckets. Bucket ``i >= 1``
holds durations in ``[BASE**(i-1), BASE**i)`` seconds; bucket 0 holds durations under
one second. Four buckets per doubling bound a percentile's relative error by
``BASE - 1`` (about 19 %).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

#: four buckets per doubling of the duration
BASE = 2 ** (1 / 4)
#: the longest duration kept apart: 60 days; longer ones share the last bucket
LONGEST_SECONDS = 60 * 24 * 3600
BUCKETS = math.ceil(math.log(LONGEST_SECONDS, BASE)) + 1
#: the worst relative error of a percentile read from the buckets (under 60 days)
RELATIVE_ERROR = BASE - 1


def bucket_of(seconds: float) -> int:
    """The bucket a duration falls in (negative durations are refused)."""
    if seconds < 0 or math.isnan(seconds):
        raise ValueError(f"a duration cannot be {seconds}")
    if seconds < 1:
        return 0
    index = math.floor(math.log(seconds, BASE)) + 1
    # log() may land a hair below an exact power: put the value where its bounds say
    if seconds >= lower_bound(index + 1):
        index += 1
    elif seconds < lower_bound(index):
        index -= 1
    return min(index, BUCKETS - 1)


def lower_bound(index: int) -> float:
    """The smallest duration of bucket ``index``, in seconds."""
    return 0.0 if index == 0 else BASE ** (index - 1)


def upper_bound(index: int) -> float:
    """The duration just above bucket ``index`` (the last bucket is open-ended)."""
    return BASE**index


def empty() -> list[int]:
    return [0] * BUCKETS


def add(counts: Sequence[int], other: Sequence[int]) -> list[int]:
    """Two histograms as one (days summed into a period, channels into a total)."""
    if len(counts) != BUCKETS or len(other) != BUCKETS:
        raise ValueError("histograms of another shape cannot be added")
    return [a + b for a, b in zip(counts, other, strict=True)]


def percentile(counts: Sequence[int], q: float) -> float | None:
    """The ``q``-th percentile (0 < q <= 100) in seconds, interpolated inside its bucket
    on a log scale (linearly in bucket 0); None when nothing was counted."""
    if not 0 < q <= 100:
        raise ValueError("a percentile is between 0 (excluded) and 100")
    total = sum(counts)
    if total == 0:
        return None
    rank = q / 100 * total  # the rank-th smallest duration, 1-based, possibly fractional
    seen = 0
    for index, n in enumerate(counts):
        if n and seen + n >= rank:
            within = (rank - seen) / n  # 0 < within <= 1
            low, high = lower_bound(index), upper_bound(index)
            if index == 0:
                return low + within * (high - low)
            return float(low * (high / low) ** within)
        seen += n
    return upper_bound(len(counts) - 1)  # pragma: no cover - rank <= total always lands
