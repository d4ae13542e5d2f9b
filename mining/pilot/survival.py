"""Kaplan-Meier estimates for durations where some are still running (right-censored).

A journey still open when its window ends has a lead time of *at least* its age; dropping it would flatter
the side with more recent journeys. `weighted_km_*` computes the estimate for many weight vectors at once
(one per bootstrap resample), vectorised in numpy, because a bootstrap of a thousand resamples with scipy
(`scipy.stats.ecdf`, which the tests check it against) would fit a thousand curves one by one.
"""

from __future__ import annotations

import numpy as np

# Cumulative probabilities are sums of floating-point hazards; a quantile is reached within this tolerance.
_TOLERANCE = 1e-9


def _weighted_cdf(durations: np.ndarray, observed: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct durations, Kaplan-Meier distribution function at each, one row per weight vector)."""
    order = np.argsort(durations, kind="stable")
    times = np.asarray(durations, dtype=float)[order]
    events = np.asarray(observed, dtype=bool)[order]
    weights = np.atleast_2d(np.asarray(weights, dtype=float))[:, order]
    distinct, starts = np.unique(times, return_index=True)
    at_risk = np.cumsum(weights[:, ::-1], axis=1)[:, ::-1][:, starts]
    ended = np.add.reduceat(weights * events, starts, axis=1)
    hazard = np.divide(ended, at_risk, out=np.zeros_like(ended), where=at_risk > 0)
    return distinct, 1.0 - np.cumprod(1.0 - hazard, axis=1)


def weighted_km_quantiles(
    durations: np.ndarray, observed: np.ndarray, weights: np.ndarray, probabilities: tuple[float, ...]
) -> np.ndarray:
    """Kaplan-Meier quantiles for each row of `weights` (resamples x durations): shape (rows, len(probabilities)).
    A row of ones gives the unweighted estimate; NaN where a quantile is not reached."""
    rows = np.atleast_2d(weights).shape[0]
    if len(durations) == 0:
        return np.full((rows, len(probabilities)), np.nan)
    distinct, cdf = _weighted_cdf(durations, observed, weights)
    result = np.empty((rows, len(probabilities)))
    for column, probability in enumerate(probabilities):
        reached = cdf >= probability - _TOLERANCE
        result[:, column] = np.where(reached.any(axis=1), distinct[np.argmax(reached, axis=1)], np.nan)
    return result


def weighted_km_cdf_at(durations: np.ndarray, observed: np.ndarray, weights: np.ndarray, limit: float) -> np.ndarray:
    """The Kaplan-Meier share of durations at most `limit`, for each row of `weights`."""
    rows = np.atleast_2d(weights).shape[0]
    if len(durations) == 0:
        return np.full(rows, np.nan)
    distinct, cdf = _weighted_cdf(durations, observed, weights)
    last = np.searchsorted(distinct, limit, side="right") - 1
    return cdf[:, last] if last >= 0 else np.zeros(rows)
