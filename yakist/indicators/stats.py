"""Small, exact statistics used by the methodology (pure functions, no database)."""

from __future__ import annotations

import math
from collections.abc import Sequence

Z95 = 1.959963984540054  # two-sided 95 %


def wilson_interval(successes: float, n: float, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a share: sound for small n and for shares near 0 or 1,
    where the textbook ±1.96·√(p(1−p)/n) gives impossible bounds."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, round(centre - half, 12)), min(1.0, round(centre + half, 12))


def loyalty_index(promoters: int, detractors: int, n: int) -> float | None:
    """Share of 9–10 minus share of 0–6, in percent points: −100 (all critics) … 100."""
    if n <= 0:
        return None
    return 100.0 * (promoters - detractors) / n


def loyalty_interval(
    promoters: int, detractors: int, n: int, z: float = Z95
) -> tuple[float, float] | None:
    """95 % interval of the loyalty index: adjusted Wald (Rocks 2016) — ¾ of a promoter, ¾ of a
    detractor and 1½ passives are added, so that "everyone gave 10" from a small sample is not
    reported with false certainty."""
    if n <= 0:
        return None
    adjusted = n + 3
    p, d = (promoters + 0.75) / adjusted, (detractors + 0.75) / adjusted
    mean = p - d
    variance = p + d - mean * mean
    half = z * math.sqrt(max(variance, 0.0) / adjusted)
    return max(-100.0, 100 * (mean - half)), min(100.0, 100 * (mean + half))


def quantile(sorted_values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated quantile (the definition of PostgreSQL's percentile_cont)."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * q
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return float(sorted_values[low])
    return float(sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low))


def mean_interval(
    values_sum: float, squares_sum: float, n: int, z: float = Z95
) -> tuple[float, float] | None:
    if n < 2:
        return None
    mean = values_sum / n
    variance = max(0.0, (squares_sum - n * mean * mean) / (n - 1))
    half = z * math.sqrt(variance / n)
    return mean - half, mean + half
