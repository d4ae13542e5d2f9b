"""Numba kernels of the discovery engine: single passes over work events grouped by journey.

Arithmetic follows DuckDB's so the tables equal the SQL ones: a wait is epoch(interval) / 3600.0, that is
(microseconds / 1e6) / 3600.0, and quantiles are quantile_cont's: position (n - 1) * q, then
lo + (hi - lo) * fraction.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def waits_in_place(journey: np.ndarray, ts_us: np.ndarray) -> np.ndarray:
    """Hours since the journey's previous event (NaN for its first), written over the ts buffer."""
    out = ts_us.view(np.float64)
    for i in range(len(ts_us) - 1, 0, -1):  # downwards: ts[i - 1] is still a timestamp when read
        if journey[i] == journey[i - 1]:
            out[i] = ((ts_us[i] - ts_us[i - 1]) / 1e6) / 3600.0
        else:
            out[i] = np.nan
    if len(out):
        out[0] = np.nan
    return out


@njit(cache=True, nogil=True)
def pair_groups(
    journey: np.ndarray, codes: np.ndarray, n_codes: int, changes_only: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Consecutive events (a, b) of one journey, grouped by the pair a * n_codes + b (only a != b when
    `changes_only`): count, journeys, index of the first occurrence's b, and the group offsets that
    pair_values fills."""
    n_pairs = n_codes * n_codes
    counts = np.zeros(n_pairs, np.int64)
    journeys = np.zeros(n_pairs, np.int64)
    last_journey = np.full(n_pairs, -1, np.int64)
    first_at = np.full(n_pairs, -1, np.int64)
    for i in range(1, len(journey)):
        if journey[i] != journey[i - 1]:
            continue
        a, b = codes[i - 1], codes[i]
        if changes_only and a == b:
            continue
        pair = a * n_codes + b
        counts[pair] += 1
        if last_journey[pair] != journey[i]:  # events are grouped by journey: a new journey for this pair
            journeys[pair] += 1
            last_journey[pair] = journey[i]
        if first_at[pair] < 0:
            first_at[pair] = i
    offsets = np.zeros(n_pairs + 1, np.int64)
    offsets[1:] = np.cumsum(counts)
    return counts, journeys, first_at, offsets


@njit(cache=True, nogil=True)
def pair_values(
    journey: np.ndarray, codes: np.ndarray, n_codes: int, changes_only: bool, offsets: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """`values` of each pair's b event grouped by pair (buffer[offsets[p]:offsets[p + 1]]), in one pass."""
    buffer = np.empty(offsets[-1], np.float64)
    fill = offsets[:-1].copy()
    for i in range(1, len(journey)):
        if journey[i] != journey[i - 1]:
            continue
        a, b = codes[i - 1], codes[i]
        if changes_only and a == b:
            continue
        pair = a * n_codes + b
        buffer[fill[pair]] = values[i]
        fill[pair] += 1
    return buffer


@njit(cache=True, nogil=True)
def grouped_sums(offsets: np.ndarray, buffer: np.ndarray) -> np.ndarray:
    """The sum of each group of the buffer."""
    n_groups = len(offsets) - 1
    sums = np.zeros(n_groups, np.float64)
    for g in range(n_groups):
        for k in range(offsets[g], offsets[g + 1]):
            sums[g] += buffer[k]
    return sums


@njit(cache=True, nogil=True)
def grouped_values(
    groups: np.ndarray, values: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The non-NaN `values` grouped by `groups` (buffer[offsets[g]:offsets[g + 1]]), with their sums."""
    counts = np.zeros(n_groups, np.int64)
    sums = np.zeros(n_groups, np.float64)
    for i in range(len(groups)):
        if not np.isnan(values[i]):
            counts[groups[i]] += 1
            sums[groups[i]] += values[i]
    offsets = np.zeros(n_groups + 1, np.int64)
    offsets[1:] = np.cumsum(counts)
    buffer = np.empty(offsets[-1], np.float64)
    fill = offsets[:-1].copy()
    for i in range(len(groups)):
        if not np.isnan(values[i]):
            buffer[fill[groups[i]]] = values[i]
            fill[groups[i]] += 1
    return counts, sums, offsets, buffer


@njit(cache=True, nogil=True)
def _select(values: np.ndarray, low: int, high: int, k: int) -> None:
    """Reorders values[low:high] in place so that values[k] is the one a sort would put there, nothing
    greater left of it and nothing less right of it (quickselect, Hoare partition: many equal values
    still split evenly)."""
    high -= 1
    while high > low:
        middle = (low + high) // 2
        # median of three as the pivot
        if values[middle] < values[low]:
            values[middle], values[low] = values[low], values[middle]
        if values[high] < values[low]:
            values[high], values[low] = values[low], values[high]
        if values[high] < values[middle]:
            values[high], values[middle] = values[middle], values[high]
        pivot = values[middle]
        i, j = low, high
        while i <= j:
            while values[i] < pivot:
                i += 1
            while values[j] > pivot:
                j -= 1
            if i <= j:
                values[i], values[j] = values[j], values[i]
                i += 1
                j -= 1
        if k <= j:
            high = j
        elif k >= i:
            low = i
        else:
            return


@njit(cache=True, nogil=True)
def _quantile_in_place(values: np.ndarray, low: int, high: int, q: float, select_from: int) -> float:
    """quantile_cont(q) of values[low:high], reordering values[select_from:high] (which must hold every
    order statistic from select_from - low on: what a smaller quantile's selection leaves right of it)."""
    position = (high - low - 1) * q
    below = int(np.floor(position))
    _select(values, select_from, high, low + below)
    lower = values[low + below]
    if position == below:
        return lower
    upper = values[low + below + 1]  # the next order statistic: the least value right of `below`
    for k in range(low + below + 2, high):
        upper = min(upper, values[k])
    return lower + (upper - lower) * (position - below)


BRACKETED_FROM = 131_072  # groups this large get their order statistics bracketed by a sample


@njit(cache=True, nogil=True)
def _interpolate(lower: float, upper: float, position: float, below: int) -> float:
    return lower if position == below else lower + (upper - lower) * (position - below)


@njit(cache=True, nogil=True)
def _bracket(sample: np.ndarray, n: int, position: float) -> tuple[float, float]:
    """Values that, by the sorted sample, very likely enclose the order statistics at `position`."""
    rank = int(np.floor(position)) * len(sample) // n
    margin = 3 * int(np.sqrt(len(sample))) + 2
    floor = sample[rank - margin] if rank - margin >= 0 else -np.inf
    ceiling = sample[rank + margin] if rank + margin < len(sample) else np.inf
    return floor, ceiling


@njit(cache=True, nogil=True)
def _from_bracket(inside: np.ndarray, count_inside: int, count_below: int, position: float) -> tuple[float, bool]:
    """quantile_cont at `position` from the values inside a bracket and the count below it."""
    below = int(np.floor(position))
    last = below if position == below else below + 1
    if count_inside >= len(inside) or below < count_below or last >= count_below + count_inside:
        return np.nan, False
    ordered = np.sort(inside[:count_inside])
    return _interpolate(ordered[below - count_below], ordered[last - count_below], position, below), True


@njit(cache=True, nogil=True)
def _bracketed_median_p90(values: np.ndarray, low: int, high: int) -> tuple[float, float, bool]:
    """Median and p90 of a large group in one pass: a sorted sample brackets each needed order statistic,
    the pass counts the values below each bracket and gathers those inside, and the small gathered sets
    are sorted. Exact; (nan, nan, False) when a bracket misses (then the caller selects in place)."""
    n = high - low
    # Floyd-Rivest's balance: about as many values sampled as end up inside a bracket
    size = min(n // 8, int((6.0 * n) ** (2.0 / 3.0)))
    stride = n // size
    sample = np.sort(values[low : low + stride * size : stride])
    median_position, p90_position = (n - 1) * 0.5, (n - 1) * 0.9
    floor_m, ceiling_m = _bracket(sample, n, median_position)
    floor_p, ceiling_p = _bracket(sample, n, p90_position)
    capacity = n // 16 + 64
    inside_m = np.empty(capacity, np.float64)
    inside_p = np.empty(capacity, np.float64)
    below_m = below_p = count_m = count_p = 0
    last = capacity - 1
    for k in range(low, high):  # branch-free: the comparisons on random data would mispredict half the time
        value = values[k]
        below_m += value < floor_m
        below_p += value < floor_p
        inside_m[min(count_m, last)] = value
        count_m += (value >= floor_m) & (value <= ceiling_m)
        inside_p[min(count_p, last)] = value
        count_p += (value >= floor_p) & (value <= ceiling_p)
    median, found_m = _from_bracket(inside_m, count_m, below_m, median_position)
    p90, found_p = _from_bracket(inside_p, count_p, below_p, p90_position)
    return median, p90, found_m and found_p


@njit(cache=True, nogil=True)
def grouped_median_p90(offsets: np.ndarray, buffer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """quantile_cont 0.5 and 0.9 of each group of the buffer (which may be reordered); NaN for an empty
    group."""
    n_groups = len(offsets) - 1
    median = np.full(n_groups, np.nan)
    p90 = np.full(n_groups, np.nan)
    for g in range(n_groups):
        low, high = offsets[g], offsets[g + 1]
        if high == low:
            continue
        if high - low >= BRACKETED_FROM:
            median[g], p90[g], found = _bracketed_median_p90(buffer, low, high)
            if found:
                continue
        median[g] = _quantile_in_place(buffer, low, high, 0.5, low)
        # the p90's order statistics lie at or right of the median's lower one: select only there
        p90[g] = _quantile_in_place(buffer, low, high, 0.9, low + int(np.floor((high - low - 1) * 0.5)))
    return median, p90


@njit(cache=True, nogil=True)
def journey_paths(
    journey: np.ndarray, codes: np.ndarray, n_journeys: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per journey number: index of its first event, its length, and a 64-bit fingerprint of its code
    sequence (chained mixing, so order matters); journeys without events have length 0."""
    first = np.full(n_journeys, -1, np.int64)
    length = np.zeros(n_journeys, np.int64)
    fingerprint = np.zeros(n_journeys, np.uint64)
    multiplier = np.uint64(0x9E3779B97F4A7C15)
    mix1 = np.uint64(0xBF58476D1CE4E5B9)
    mix2 = np.uint64(0x94D049BB133111EB)
    h = np.uint64(seed)
    for i in range(len(journey)):
        j = journey[i]
        if i == 0 or journey[i - 1] != j:
            first[j] = i
            h = np.uint64(seed)
        length[j] += 1
        # splitmix64 step over (state, code)
        h = (h ^ np.uint64(codes[i] + 1)) * multiplier
        h ^= h >> np.uint64(30)
        h *= mix1
        h ^= h >> np.uint64(27)
        h *= mix2
        h ^= h >> np.uint64(31)
        fingerprint[j] = h
    return first, length, fingerprint


@njit(cache=True, nogil=True)
def same_paths(
    codes: np.ndarray, first: np.ndarray, length: np.ndarray, variant: np.ndarray, representative: np.ndarray
) -> bool:
    """True when every journey's code sequence equals its variant representative's (no fingerprint clash)."""
    for j in range(len(first)):
        if length[j] == 0:
            continue
        r = representative[variant[j]]
        if length[r] != length[j]:
            return False
        for k in range(length[j]):
            if codes[first[j] + k] != codes[first[r] + k]:
                return False
    return True
