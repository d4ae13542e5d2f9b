"""Before/after (and difference-in-differences) comparisons with bootstrap intervals and p-values.

The unit of resampling is the journey: each cohort (side x group) is resampled on its own (a stratified
bootstrap), as multinomial weights per journey, so every measure of a journey (its lead time, its
handovers, its contacts) moves together. Row 0 of a weight matrix is all ones: the estimate itself.

Interval: the percentile interval of the bootstrap effects. p-value: a two-sided z-test of the effect
against its bootstrap standard error. (Counting bootstrap effects beyond zero would floor every p-value at
2 / (resamples + 1), too coarse for the Benjamini-Hochberg step-up over a dozen comparisons.) Many
comparisons at once: Benjamini-Hochberg q-values (scipy.stats.false_discovery_control) control the false
discovery rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats

# (cohort, side), e.g. ("pilot", "after"); cohort 'all' when no groups are compared
CohortKey = tuple[str, str]


def bootstrap_weights(journeys: int, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """(resamples + 1) x journeys: row 0 all ones, then multinomial resamples of the journeys."""
    if journeys == 0:
        return np.ones((resamples + 1, 0))
    draws = rng.multinomial(journeys, np.full(journeys, 1.0 / journeys), size=resamples)
    return np.vstack([np.ones((1, journeys)), draws]).astype(float)


@dataclass(frozen=True)
class Effect:
    """One comparison: the values on each side, the effect with its interval, and the test."""

    before: float
    after: float
    change: float  # after - before (DiD: the pilot group's change minus the control group's)
    change_low: float
    change_high: float
    relative: float  # after / before - 1 (DiD: ratio of the two groups' ratios - 1)
    relative_low: float
    relative_high: float
    p_value: float
    control_before: float = float("nan")
    control_after: float = float("nan")


def _interval(values: np.ndarray, alpha: float) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if len(finite) < 10:
        return float("nan"), float("nan")
    low, high = np.quantile(finite, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def bootstrap_p_value(estimate: float, effects: np.ndarray) -> float:
    """Two-sided z-test of `estimate` against the standard deviation of the bootstrap `effects`."""
    finite = effects[np.isfinite(effects)]
    if len(finite) < 10 or not np.isfinite(estimate):
        return float("nan")
    spread = float(np.std(finite, ddof=1))
    if spread == 0:
        return 1.0 if estimate == 0 else 0.0
    return float(2 * stats.norm.sf(abs(estimate) / spread))


def compare(values: Mapping[CohortKey, np.ndarray], alpha: float = 0.05) -> Effect:
    """`values[(cohort, side)]`: the measure per weight row (row 0 the estimate). With a 'control' cohort
    the effect is the difference in differences, else after minus before of the one cohort."""
    treated = "pilot" if ("pilot", "after") in values else "all"
    before, after = values[(treated, "before")], values[(treated, "after")]
    with np.errstate(divide="ignore", invalid="ignore"):
        change, ratio = after - before, after / before
        if ("control", "after") in values:
            control_before, control_after = values[("control", "before")], values[("control", "after")]
            change = change - (control_after - control_before)
            ratio = ratio / (control_after / control_before)
        else:
            control_before = control_after = np.full_like(before, np.nan)
    low, high = _interval(change[1:], alpha)
    relative_low, relative_high = _interval(ratio[1:] - 1, alpha)
    return Effect(
        before=float(before[0]),
        after=float(after[0]),
        change=float(change[0]),
        change_low=low,
        change_high=high,
        relative=float(ratio[0] - 1),
        relative_low=relative_low,
        relative_high=relative_high,
        p_value=bootstrap_p_value(float(change[0]), change[1:]),
        control_before=float(control_before[0]),
        control_after=float(control_after[0]),
    )


def rate_ratio_test(
    count_before: int, exposure_before: float, count_after: int, exposure_after: float, alpha: float = 0.05
) -> Effect:
    """Volume: journeys per day after versus before, exact (conditional binomial) test and interval of the
    rate ratio for Poisson counts."""
    share = exposure_after / (exposure_before + exposure_after)
    total = count_before + count_after
    test = stats.binomtest(count_after, total, share)
    interval = test.proportion_ci(1 - alpha, method="exact")

    def ratio(proportion: float) -> float:
        if proportion >= 1:
            return float("inf")
        return proportion / (1 - proportion) * exposure_before / exposure_after

    before, after = count_before / exposure_before, count_after / exposure_after
    low, high = ratio(interval.low), ratio(interval.high)
    return Effect(
        before=before,
        after=after,
        change=after - before,
        change_low=before * (low - 1),
        change_high=before * (high - 1),
        relative=after / before - 1 if before else float("nan"),
        relative_low=low - 1,
        relative_high=high - 1,
        p_value=float(test.pvalue),
    )


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """q-values (NaN stays NaN)."""
    p_values = np.asarray(p_values, dtype=float)
    q_values = np.full_like(p_values, np.nan)
    tested = np.isfinite(p_values)
    if tested.any():
        q_values[tested] = stats.false_discovery_control(p_values[tested], method="bh")
    return q_values
