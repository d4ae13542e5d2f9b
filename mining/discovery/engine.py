"""The discovery step in single passes over the coded scope: the same tables as mining/discovery/tables.py and
mining/discovery/handovers.py compute in SQL (variants, performance DFG, start and end activities, handovers,
journey times), at tens of millions of events/s and a few dozen bytes per event.

An edge's departments are those of its first occurrence (journey id, then position), as in the SQL; handovers
are ordered as the SQL orders them (total wait rounded to 6 decimals, then the pair by name).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from mining.discovery.coded_scope import CodedScope
from mining.discovery.kernels import (
    grouped_median_p90,
    grouped_sums,
    grouped_values,
    journey_paths,
    pair_groups,
    pair_values,
    same_paths,
)
from mining.discovery.tables import VARIANT_SEPARATOR
from mining.errors import AnalysisError

# Beyond this many codes a pair table (codes squared) would not pay; such levels stay in SQL.
MAX_PAIR_CODES = 2_048


def _statistics(offsets: np.ndarray, buffer: np.ndarray, unit: str) -> dict[str, np.ndarray]:
    """mean, median and p90 of each group as avg and quantile_cont compute them (NaN for an empty group)."""
    counts = np.diff(offsets)
    sums = grouped_sums(offsets, buffer)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    median, p90 = grouped_median_p90(offsets, buffer)  # reorders the buffer: sums first
    return {f"mean_{unit}": mean, f"median_{unit}": median, f"p90_{unit}": p90, f"total_{unit}": sums}


class _Pairs:
    """Consecutive events of a journey grouped by (code a, code b) of one field; statistics of any per-event
    measure over the pairs' second events (the wait leading into b)."""

    def __init__(self, scope: CodedScope, field: str, changes_only: bool) -> None:
        self.n_codes = len(scope.names[field])
        if self.n_codes > MAX_PAIR_CODES:
            raise AnalysisError(f"{self.n_codes} distinct {field} values: too many for the pair engine")
        self.journey, self.codes, self.changes_only = scope.journey, scope.codes[field], changes_only
        counts, journeys, first_at, self.offsets = pair_groups(self.journey, self.codes, self.n_codes, changes_only)
        self.used = np.flatnonzero(counts)
        self.count = counts[self.used]
        self.journeys = journeys[self.used]
        self.first_at = first_at[self.used]

    def statistics(self, values: np.ndarray, unit: str) -> dict[str, np.ndarray]:
        buffer = pair_values(self.journey, self.codes, self.n_codes, self.changes_only, self.offsets, values)
        every = _statistics(self.offsets, buffer, unit)
        return {name: column[self.used] for name, column in every.items()}


def _time_columns(pairs: _Pairs, scope: CodedScope, wait: np.ndarray) -> dict[str, np.ndarray]:
    """Calendar and working-time statistics of `wait`, plus the paused hours, per pair."""
    calendar = pairs.statistics(wait, "wait_hours")
    if scope.wait_working_hours is None:  # no calendars and no pauses: working time is calendar time
        working = {name.replace("wait_hours", "wait_working_hours"): column for name, column in calendar.items()}
        paused = np.zeros(len(pairs.used))
    else:
        working = pairs.statistics(scope.wait_working_hours, "wait_working_hours")
        # set together with wait_working_hours; None would mean no pauses, all 0 (CodedScope.paused_hours)
        paused = (
            np.zeros(len(pairs.used))
            if scope.paused_hours is None
            else pairs.statistics(scope.paused_hours, "paused_hours")["total_paused_hours"]
        )
    return {**calendar, **working, "paused_hours": paused}


def directly_follows(scope: CodedScope) -> pd.DataFrame:
    """Edges a -> b with frequency, waiting time (mean, median, p90) and journeys; as discovery.directly_follows."""
    pairs = _Pairs(scope, "activity", changes_only=False)
    times = _time_columns(pairs, scope, scope.wait_hours)
    activity, department = scope.names["activity"], scope.names["department"]
    used, n_codes = pairs.used, pairs.n_codes
    table = pd.DataFrame(
        {
            "source_activity": activity[used // n_codes],
            "target_activity": activity[used % n_codes],
            "source_department": department[scope.codes["department"][pairs.first_at - 1]],
            "target_department": department[scope.codes["department"][pairs.first_at]],
            "frequency": pairs.count,
            **{
                name: times[name]
                for name in (
                    "mean_wait_hours",
                    "median_wait_hours",
                    "p90_wait_hours",
                    "mean_wait_working_hours",
                    "median_wait_working_hours",
                    "p90_wait_working_hours",
                    "paused_hours",
                )
            },
            "journeys": pairs.journeys,
        }
    )
    return table.sort_values(
        ["frequency", "source_activity", "target_activity"], ascending=[False, True, True], ignore_index=True
    )


def handovers(scope: CodedScope, level: str = "department") -> pd.DataFrame:
    """Per pair of holders at `level`: handovers, internal waiting (paused time left out), journeys; as
    handovers.handovers."""
    pairs = _Pairs(scope, level, changes_only=True)
    wait = scope.wait_hours if scope.paused_hours is None else scope.wait_hours - scope.paused_hours
    times = _time_columns(pairs, scope, wait)
    names, used, n_codes = scope.names[level], pairs.used, pairs.n_codes
    table = pd.DataFrame(
        {
            f"from_{level}": names[used // n_codes],
            f"to_{level}": names[used % n_codes],
            "handovers": pairs.count,
            "mean_wait_hours": times["mean_wait_hours"],
            "median_wait_hours": times["median_wait_hours"],
            "p90_wait_hours": times["p90_wait_hours"],
            "total_wait_hours": times["total_wait_hours"],
            "journeys": pairs.journeys,
            "mean_wait_working_hours": times["mean_wait_working_hours"],
            "median_wait_working_hours": times["median_wait_working_hours"],
            "p90_wait_working_hours": times["p90_wait_working_hours"],
            "total_wait_working_hours": times["total_wait_working_hours"],
            "paused_hours": times["paused_hours"],
        }
    )
    # the SQL's order: total wait rounded to 6 decimals (sums in another order differ in the last digits),
    # then the pair by name, no holder last
    rounded = table.assign(_rounded=table["total_wait_hours"].round(6))
    ordered = rounded.sort_values(
        ["_rounded", f"from_{level}", f"to_{level}"], ascending=[False, True, True], na_position="last", kind="stable"
    )
    return ordered.drop(columns="_rounded").reset_index(drop=True)


def _paths(scope: CodedScope) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if "paths" not in scope.cache:
        scope.cache["paths"] = _find_paths(scope)
    return scope.cache["paths"]


def _find_paths(scope: CodedScope) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per journey number: first event, length, variant number (-1 without events); and one representative
    journey per variant. Fingerprints are checked event by event, so a clash can never merge two paths."""
    codes = scope.codes["activity"]
    for seed in (0x5EED, 0xC0FFEE, 0xBADC0DE):
        first, length, fingerprint = journey_paths(scope.journey, codes, scope.journey_numbers, seed)
        has_path = length > 0
        variant = np.full(scope.journey_numbers, -1, np.int64)
        numbers, _ = pd.factorize(fingerprint[has_path])
        variant[has_path] = numbers
        # factorize numbers variants in order of appearance: a variant's first journey is where it is new
        is_new = np.ones(len(numbers), dtype=bool)
        is_new[1:] = numbers[1:] > np.maximum.accumulate(numbers)[:-1]
        representative = np.flatnonzero(has_path)[is_new]
        if same_paths(codes, first, length, variant, representative):
            return first, length, variant, representative
    raise AnalysisError("variant fingerprints clashed under three seeds")  # about 1 in 2**64 per pair, thrice


def _lead_statistics(scope: CodedScope, variant: np.ndarray, n_variants: int, unit: str) -> dict[str, np.ndarray]:
    lead = np.where(variant >= 0, scope.lead[unit], np.nan)  # NaN: open, or no path
    _, _, offsets, buffer = grouped_values(np.maximum(variant, 0), lead, n_variants)
    statistics = _statistics(offsets, buffer, unit)
    del statistics[f"total_{unit}"]
    return statistics


def variants(scope: CodedScope) -> pd.DataFrame:
    """Each distinct path with journeys, share, lead time of the finished ones; as discovery.variants."""
    first, length, variant, representative = _paths(scope)
    n_variants = len(representative)
    with_path = variant >= 0
    journeys = np.bincount(variant[with_path], minlength=n_variants)
    open_journeys = np.bincount(variant[with_path & scope.is_open], minlength=n_variants)
    calendar = _lead_statistics(scope, variant, n_variants, "lead_hours")
    if scope.lead["lead_working_hours"] is scope.lead["lead_hours"]:  # no calendars: the same figures
        working = {name.replace("lead_hours", "lead_working_hours"): column for name, column in calendar.items()}
    else:
        working = _lead_statistics(scope, variant, n_variants, "lead_working_hours")
    activity, codes = scope.names["activity"], scope.codes["activity"]
    names = [VARIANT_SEPARATOR.join(activity[codes[first[r] : first[r] + length[r]]].tolist()) for r in representative]
    table = pd.DataFrame(
        {
            "variant": names,
            "steps": length[representative],
            "journeys": journeys,
            **calendar,
            **working,
            "open_journeys": open_journeys,
        }
    )
    table = table.sort_values(["journeys", "variant"], ascending=[False, True], ignore_index=True)
    return table.assign(share=table["journeys"] / table["journeys"].sum())


def start_end_activities(scope: CodedScope) -> pd.DataFrame:
    """How often each activity starts a journey and ends a finished one; as discovery.start_end_activities."""
    first, length, _, _ = _paths(scope)
    with_path = length > 0
    codes = scope.codes["activity"]
    names = scope.names["activity"]
    starts = np.bincount(codes[first[with_path]], minlength=len(names))
    finished = with_path & ~scope.is_open
    ends = np.bincount(codes[first[finished] + length[finished] - 1], minlength=len(names))
    used = np.flatnonzero((starts > 0) | (ends > 0))
    table = pd.DataFrame({"activity": names[used], "starts": starts[used], "ends": ends[used]})
    return table.sort_values("activity", ignore_index=True)


def journey_times(scope: CodedScope) -> dict[str, float]:
    """Journeys in scope, open ones, and median and p90 lead time of the finished ones (calendar and working
    hours), as in discovery.journey_overview."""
    times = {
        "journeys": float(scope.in_scope.sum()),
        "open_journeys": float(scope.is_open[scope.in_scope].sum()),
    }
    for unit in ("lead_hours", "lead_working_hours"):
        if unit == "lead_working_hours" and scope.lead[unit] is scope.lead["lead_hours"]:  # no calendars
            times["median_lead_working_hours"] = times["median_lead_hours"]
            times["p90_lead_working_hours"] = times["p90_lead_hours"]
            continue
        lead = scope.lead[unit][scope.in_scope]
        finished = lead[~np.isnan(lead)]  # a copy, so the selection may reorder it
        median, p90 = grouped_median_p90(np.array([0, len(finished)], np.int64), finished)
        times[f"median_{unit}"], times[f"p90_{unit}"] = float(median[0]), float(p90[0])
    return times


def discover(scope: CodedScope, levels: tuple[str, ...] = ("department",)) -> dict[str, pd.DataFrame]:
    """The discovery tables at once: variants, directly_follows, start_end_activities and handovers_<level>
    for each of `levels`. The kernels release the GIL, so the paths and the pairs run on two cores."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        # about equal halves of the work: the DFG, and the paths with the handovers
        pairs = pool.submit(directly_follows, scope)
        paths = pool.submit(
            lambda: {
                "variants": variants(scope),
                "start_end_activities": start_end_activities(scope),
                **{f"handovers_{level}": handovers(scope, level) for level in levels},
            }
        )
        return {**paths.result(), "directly_follows": pairs.result()}
