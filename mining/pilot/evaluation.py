"""Did the pilot work, by how much, and what did it do elsewhere?

Compares the journeys opened before the change with those opened after (see mining.pilot.windows), each
measure with a 95% bootstrap interval and a p-value (mining.pilot.statistics), with Benjamini-Hochberg
control of the false discovery rate over all measures, handovers and stages at once. With a pilot and a control
group the effect is the difference in differences, which removes a trend both groups share.

The result is a PilotEvaluation of tables and figures only; mining.report.pilot_wording puts it in words and
mining.report.difference_map draws its map.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from eventlogs.errors import AnalysisError, JourneyMiningError
from eventlogs.store import connect_store
from mining.design.journey import DesignedJourney
from mining.design.norms import measured_in
from mining.pilot.comparability import ComparabilityCheck, case_mix, comparability_checks
from mining.pilot.definition import PilotDefinition, Window
from mining.pilot.stages import stage_times
from mining.pilot.statistics import (
    CohortKey,
    Effect,
    benjamini_hochberg,
    bootstrap_weights,
    compare,
    rate_ratio_test,
)
from mining.pilot.survival import weighted_km_cdf_at, weighted_km_quantiles
from mining.pilot.windows import PilotScope, define_pilot_scope
from mining.scope.time_rules import TimeRules
from mining.scope.working_time import working_hours

MIN_PER_SIDE = 10  # observations each cohort needs before a handover or path is compared
# Bootstrap weights are drawn in chunks of at most this many cells (resamples x journeys of the largest
# cohort), so memory stays bounded on large stores; every measure is computed on the same resamples.
CELLS_PER_CHUNK = 5_000_000


@dataclass
class Cohort:
    """One side of one group: its journeys (row i = journey i), their transitions, bootstrap weights."""

    journeys: pd.DataFrame
    transitions: pd.DataFrame
    stages: pd.DataFrame | None = None  # time in each designed stage (mining.pilot.stages)
    weights: np.ndarray = field(default_factory=lambda: np.ones((1, 0)))  # the current chunk of resamples

    def mean(self, values: np.ndarray, among: np.ndarray | None = None) -> np.ndarray:
        weights = self.weights if among is None else self.weights[:, among]
        values = values if among is None else values[among]
        with np.errstate(invalid="ignore", divide="ignore"):
            return weights @ values / weights.sum(axis=1)

    def km_median(self, rows: pd.DataFrame, column: str) -> np.ndarray:
        """Kaplan-Meier median of `column` over `rows` (this cohort's transitions or stage times), per weight row."""
        weights = self.weights[:, rows["journey_index"].to_numpy()]
        return weighted_km_quantiles(rows[column].to_numpy(), rows["observed"].to_numpy(), weights, (0.5,))[:, 0]


Pair = tuple[str, str]  # (from, to): two departments or two activities


@dataclass(frozen=True)
class DifferenceMap:
    """Everything the difference map (mining.report.difference_map) draws, read from the store here so the
    drawing needs no connection."""

    activities: pd.DataFrame  # activity, department (its most frequent one: the lane), ordered by activity
    paths: pd.DataFrame  # source_activity, target_activity, before, after: observed transitions of the treated cohort
    judged: pd.DataFrame  # the compared paths with their judged wait effect (PilotEvaluation.edges)


@dataclass(frozen=True)
class StageReach:
    """A designed stage: how many journeys of each cohort and side reached it, and whether its time is
    compared ("compared") or why not ("not reached": none on a side; "too few journeys": fewer than
    MIN_PER_SIDE on a side; "takes no time": a single event on every side)."""

    stage: str
    journeys: dict[CohortKey, int]
    status: str
    needed: int = MIN_PER_SIDE  # journeys a stage needs on every side to be compared

    @property
    def compared(self) -> bool:
        return self.status == "compared"


@dataclass(frozen=True)
class PilotEvaluation:
    """The results of a pilot evaluation: tables and figures, no words (see mining.report.pilot_wording)."""

    definition: PilotDefinition
    scope: PilotScope  # the windows, the cohorts, the time basis, the extraction time
    comparisons: pd.DataFrame  # one row per measure, handover or stage; see _row and _judge
    edges: pd.DataFrame  # the compared activity paths, judged like comparisons; attrs "new" and "vanished"
    case_mix: pd.DataFrame  # cohort, side, attribute, value, journeys, share (mining.pilot.comparability)
    day_hours: float  # hours in a day of the evaluation's time basis (a working day, or 24 in calendar time)
    comparability: list[ComparabilityCheck] = field(default_factory=list)  # volume, case mix, censoring
    stages: list[StageReach] = field(default_factory=list)  # every designed stage, in the designed order
    new_handovers: list[Pair] = field(default_factory=list)  # department pairs seen after the change only
    vanished_handovers: list[Pair] = field(default_factory=list)  # seen before the change only
    fitness_compared: bool = False  # conformance fitness to the designed journey is among the comparisons
    fitness_unavailable: str | None = None  # why it is not, when a designed journey was given
    difference_map: DifferenceMap | None = None  # None when evaluated without the map

    @property
    def flagged(self) -> bool:
        """Did any comparison come out significant after the false-discovery-rate control?"""
        return bool(self.comparisons["significant"].any())

    @property
    def comparable(self) -> bool:
        """No volume, case-mix or censoring check flagged."""
        return not any(check.flagged for check in self.comparability)


def _indexed(frame: pd.DataFrame, index: pd.Series) -> pd.DataFrame:
    """The rows of `frame` for the journeys in `index`, with their row number in the cohort."""
    chosen = frame[frame["journey_id"].isin(index.index)].copy()
    chosen["journey_index"] = chosen["journey_id"].map(index).to_numpy()
    return chosen.reset_index(drop=True)


def _cohorts(
    connection: duckdb.DuckDBPyConnection, fitness: pd.DataFrame | None, stages: pd.DataFrame | None = None
) -> dict[CohortKey, Cohort]:
    """The journeys of each (cohort, side) with their transitions, fitness and stage times."""
    journeys = connection.execute("SELECT * FROM pilot_journeys").df()
    if fitness is not None:
        journeys = journeys.merge(fitness, on="journey_id", how="left")
    transitions = connection.execute("SELECT * FROM pilot_transitions").df()
    cohorts = {}
    for key, group in journeys.groupby(["cohort", "side"], sort=True):
        group = group.reset_index(drop=True)
        index = pd.Series(np.arange(len(group)), index=group["journey_id"])
        stage_rows = None if stages is None else _indexed(stages, index)
        cohorts[(str(key[0]), str(key[1]))] = Cohort(group, _indexed(transitions, index), stage_rows)
    return cohorts


def _require_both_sides(scope: PilotScope, cohorts: dict[CohortKey, Cohort], definition: PilotDefinition) -> None:
    """Every group needs journeys before and after the change: a side with none has nothing to compare."""
    conditions = {"pilot": definition.pilot_group, "control": definition.control_group}
    for cohort in scope.cohorts:
        for side, window in (("before", scope.before), ("after", scope.after)):
            if (cohort, side) not in cohorts:
                group = f"the {cohort} group {conditions[cohort]!r}" if cohort in conditions else "the scope"
                raise AnalysisError(
                    f"{group} has no journeys opened {side} the change ({window[0]}..{window[1]}): "
                    "nothing to compare; widen the window or the group"
                )


def _lead(probability: float) -> Callable[[Cohort], np.ndarray]:
    def measure(cohort: Cohort) -> np.ndarray:
        lead, finished = cohort.journeys["lead"].to_numpy(), cohort.journeys["finished"].to_numpy()
        return weighted_km_quantiles(lead, finished, cohort.weights, (probability,))[:, 0]

    return measure


def _within(norm_hours: float, lead_column: str) -> Callable[[Cohort], np.ndarray]:
    def measure(cohort: Cohort) -> np.ndarray:
        lead, finished = cohort.journeys[lead_column].to_numpy(), cohort.journeys["finished"].to_numpy()
        return weighted_km_cdf_at(lead, finished, cohort.weights, norm_hours)

    return measure


def _share_of_finished(column: str) -> Callable[[Cohort], np.ndarray]:
    def measure(cohort: Cohort) -> np.ndarray:
        finished = cohort.journeys["finished"].to_numpy()
        return cohort.mean(cohort.journeys[column].to_numpy(dtype=float), finished)

    return measure


def _contacts_per_journey(cohort: Cohort) -> np.ndarray:
    return cohort.mean(cohort.journeys["contacts"].to_numpy(dtype=float))


def _contacts_per_day(cohort: Cohort) -> np.ndarray:
    contacts = cohort.weights @ cohort.journeys["contacts"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return contacts / (cohort.weights @ cohort.journeys["open_days"].to_numpy(dtype=float))


def _pair_wait(level: str, source: str, target: str) -> Callable[[Cohort], np.ndarray]:
    def measure(cohort: Cohort) -> np.ndarray:
        frame = cohort.transitions
        rows = ((frame[f"from_{level}"] == source) & (frame[f"to_{level}"] == target)).to_numpy()
        return cohort.km_median(frame[rows], "wait")

    return measure


def _stage_rows(cohort: Cohort, stage: str) -> pd.DataFrame:
    """The cohort's times in `stage`; stage measures exist only when the cohorts were given stage times."""
    if cohort.stages is None:
        raise AssertionError("unreachable: stage measures are made only when stage times were computed")
    return cohort.stages[cohort.stages["stage"] == stage]


def stage_label(stage: str) -> str:
    """The measure's name of a stage's time in the comparisons."""
    return f"Time in stage {stage} (median)"


def _stage_time(stage: str) -> Callable[[Cohort], np.ndarray]:
    def measure(cohort: Cohort) -> np.ndarray:
        return cohort.km_median(_stage_rows(cohort, stage), "hours")

    return measure


def _side_order(key: CohortKey) -> tuple[bool, str, bool]:
    """The pilot group first, then the others; before ahead of after."""
    return key[0] != "pilot", key[0], key[1] != "before"


def _stage_reach(cohorts: dict[CohortKey, Cohort], journey: DesignedJourney) -> list[StageReach]:
    """Every designed stage with the journeys that reached it per cohort and side; its time is compared when
    every cohort went through it often enough and it takes time (not one single event)."""
    reaches = []
    for stage in journey.stages:
        frames = {key: _stage_rows(cohorts[key], stage.name) for key in sorted(cohorts, key=_side_order)}
        counts = {key: int(frame["journey_id"].nunique()) for key, frame in frames.items()}
        if min(counts.values()) == 0:
            status = "not reached"
        elif min(counts.values()) < MIN_PER_SIDE:
            status = "too few journeys"
        elif not any(frame["hours"].median() > 0 for frame in frames.values()):
            status = "takes no time"
        else:
            status = "compared"
        reaches.append(StageReach(stage.name, counts, status))
    return reaches


def _end_to_end_norm(journey: DesignedJourney | None) -> tuple[float, str] | None:
    """(hours, the lead column in the norm's own time basis); None without a designed journey."""
    norm = None if journey is None else journey.end_to_end_norm
    if norm is None:
        return None
    return norm.hours, "lead_calendar" if norm.time == "calendar" else "lead"


def _fitness(cohort: Cohort) -> np.ndarray:
    scored = cohort.journeys["fitness"].notna().to_numpy()
    return cohort.mean(cohort.journeys["fitness"].fillna(0).to_numpy(dtype=float), scored)


def _journey_measures(
    journey: DesignedJourney | None, working_time: bool, with_fitness: bool = False
) -> list[tuple[str, str, str, str, Callable]]:
    """(key, label, unit, better, measure); `working_time` the scope's basis (the norm's label says the
    basis it is measured in: calendar time without time rules)."""
    measures: list[tuple[str, str, str, str, Callable]] = [
        ("lead_median", "Median lead time", "hours", "lower", _lead(0.5)),
        ("lead_p90", "p90 lead time", "hours", "lower", _lead(0.9)),
    ]
    norm = _end_to_end_norm(journey)
    if norm is not None:
        basis = measured_in("calendar" if norm[1] == "lead_calendar" else "working", working_time)
        label = f"Finished within the end-to-end norm ({basis} time)"
        measures.append(("within_norm", label, "share", "higher", _within(*norm)))
    measures += [
        ("contacts_per_journey", "Customer chasing contacts per journey", "count", "lower", _contacts_per_journey),
        (
            "contacts_per_waiting_day",
            "Customer chasing contacts per waiting day",
            "per_day",
            "lower",
            _contacts_per_day,
        ),
        (
            "rework_rate",
            "Rework (an activity done again), share of finished journeys",
            "share",
            "lower",
            _share_of_finished("rework"),
        ),
        (
            "ping_pong_rate",
            "Ping-pong between departments, share of finished journeys",
            "share",
            "lower",
            _share_of_finished("ping_pong"),
        ),
    ]
    if with_fitness:
        label = "Conformance fitness to the designed journey (finished journeys)"
        measures.append(("fitness", label, "share", "higher", _fitness))
    return measures


def _pairs(cohorts: dict[CohortKey, Cohort], level: str, handovers_only: bool) -> tuple[list, list, list]:
    """Pairs seen often enough in every cohort to compare; new ones (after only); vanished (before only)."""
    counts = {}
    for key, cohort in cohorts.items():
        frame = cohort.transitions[cohort.transitions["observed"]]
        if handovers_only:
            frame = frame[frame["handover"]]
        counts[key] = frame.groupby([f"from_{level}", f"to_{level}"]).size()
    table = pd.DataFrame(counts).fillna(0)
    before = table[[k for k in table.columns if k[1] == "before"]].sum(axis=1)
    after = table[[k for k in table.columns if k[1] == "after"]].sum(axis=1)
    compared = [pair for pair, row in table.iterrows() if (row >= MIN_PER_SIDE).all()]
    new = [pair for pair in table.index if before[pair] == 0]
    vanished = [pair for pair in table.index if after[pair] == 0]
    return compared, new, vanished


def _row(key: str, family: str, label: str, unit: str, better: str, effect: Effect, counts: dict) -> dict:
    return {"key": key, "family": family, "measure": label, "unit": unit, "better": better, **effect.__dict__, **counts}


def _measure_all(
    cohorts: dict[CohortKey, Cohort], measures: list[Callable[[Cohort], np.ndarray]], definition: PilotDefinition
) -> list[dict[CohortKey, np.ndarray]]:
    """Each measure on each cohort for the estimate and every resample (row 0: the estimate), drawing the
    resamples chunk by chunk (one seeded generator, cohorts in order)."""
    rng = np.random.default_rng(definition.seed)
    largest = max(len(cohort.journeys) for cohort in cohorts.values())
    chunk = max(10, CELLS_PER_CHUNK // max(largest, 1))
    collected: list[dict[CohortKey, list[np.ndarray]]] = [{key: [] for key in cohorts} for _ in measures]
    drawn = 0
    while drawn < definition.bootstrap:
        rows = min(chunk, definition.bootstrap - drawn)
        for cohort in cohorts.values():
            weights = bootstrap_weights(len(cohort.journeys), rows, rng)
            cohort.weights = weights if drawn == 0 else weights[1:]  # the estimate's row once
        for per_measure, measure in zip(collected, measures, strict=True):
            for key, cohort in cohorts.items():
                per_measure[key].append(measure(cohort))
        drawn += rows
    return [{key: np.concatenate(parts) for key, parts in per_measure.items()} for per_measure in collected]


def _compare_all(
    cohorts: dict[CohortKey, Cohort], measures: list, definition: PilotDefinition
) -> dict[str, list[dict]]:
    """(family, key, label, unit, better, measure) -> the comparison rows of each family."""
    values = _measure_all(cohorts, [measure[-1] for measure in measures], definition)
    counts = {f"n_{k[0]}_{k[1]}": len(c.journeys) for k, c in cohorts.items()}
    rows: dict[str, list[dict]] = {}
    for (family, key, label, unit, better, _), measured in zip(measures, values, strict=True):
        effect = compare(measured, definition.alpha)
        rows.setdefault(family, []).append(_row(key, family, label, unit, better, effect, counts))
    return rows


def _exposure(connection: duckdb.DuckDBPyConnection, scope: PilotScope, window: Window, day_hours: float) -> float:
    """Days a window was open for new journeys: working days of the opening calendar in working time (a
    Monday takes in the weekend's requests, so calendar days would misjudge a window that ends mid-week),
    calendar days otherwise; the after window ends at the extraction at the latest."""
    starts = pd.Timestamp(window[0]).tz_localize("UTC")
    ends = min(pd.Timestamp(window[1]).tz_localize("UTC") + pd.Timedelta(days=1), pd.Timestamp(scope.extracted_at))
    if scope.default_calendar is None:
        return (ends - starts).total_seconds() / 86400
    hours = working_hours(connection, scope.default_calendar, starts.to_pydatetime(), ends.to_pydatetime())
    return hours / day_hours


def _opened_per_day(
    connection: duckdb.DuckDBPyConnection, scope: PilotScope, cohorts: dict[CohortKey, Cohort], day_hours: float
) -> tuple[dict[CohortKey, int], dict[str, float]]:
    """(journeys opened per cohort and side, days each side was open for new journeys)."""
    opened = {(cohort, side): 0 for cohort in scope.cohorts for side in ("before", "after")}
    opened |= {key: len(cohort.journeys) for key, cohort in cohorts.items()}
    days = {
        side: _exposure(connection, scope, window, day_hours)
        for side, window in (("before", scope.before), ("after", scope.after))
    }
    return opened, days


def _volume(scope: PilotScope, opened: dict[CohortKey, int], days: dict[str, float], alpha: float) -> dict:
    treated = "pilot" if "pilot" in scope.cohorts else "all"
    before, after = days["before"], days["after"]
    effect = rate_ratio_test(opened[(treated, "before")], before, opened[(treated, "after")], after, alpha)
    if "control" in scope.cohorts:  # shown beside it; the test is the pilot group's own change
        effect = replace(
            effect,
            control_before=opened[("control", "before")] / before,
            control_after=opened[("control", "after")] / after,
        )
    day = "working day" if scope.default_calendar else "day"
    return _row("volume", "journey", f"Volume: journeys opened per {day}", "per_day_volume", "neither", effect, {})


def _judge(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """q-values (Benjamini-Hochberg over the comparisons that have enough journeys and something to
    measure), the direction, and why a comparison has no interval (`no_interval`, '' when it has one).
    A comparison with fewer than MIN_PER_SIDE journeys in any cohort and side is not tested: a bootstrap
    of one journey has no spread and would call any difference significant. A measure that is zero on every
    side (no chasing contacts at all, say) has nothing to test."""
    counts = [column for column in table.columns if column.startswith("n_")]
    enough = (table[counts].fillna(0) >= MIN_PER_SIDE).all(axis=1) if counts else pd.Series(True, index=table.index)
    controls = [column for column in ("control_before", "control_after") if column in table.columns]
    # zero on both sides, and in the control group too when there is one (NaN: no control group)
    nothing = (table[["before", "after"]] == 0).all(axis=1) & (table[controls].isna() | (table[controls] == 0)).all(
        axis=1
    )
    tested = enough & ~nothing
    table["q_value"] = np.nan
    table.loc[tested, "q_value"] = benjamini_hochberg(table.loc[tested, "p_value"].to_numpy())
    table["significant"] = table["q_value"] <= alpha
    improved = np.where(table["better"] == "higher", table["change"] > 0, table["change"] < 0)
    table["direction"] = np.select(
        [~enough, nothing, ~table["significant"], table["better"] == "neither", improved],
        ["too few journeys", "nothing to measure", "no significant change", "changed", "improved"],
        "worse",
    )
    table["no_interval"] = _no_interval(table, nothing, enough, controls)
    return table


def _no_interval(table: pd.DataFrame, nothing: pd.Series, enough: pd.Series, controls: list[str]) -> np.ndarray:
    """Why a comparison has no interval: 'too few journeys' (fewer than MIN_PER_SIDE on a side), 'nothing
    to measure' (zero on every side, enough journeys), 'not reached' (a quantile the Kaplan-Meier curve of a side never
    reaches), 'none before' (no relative change from zero), 'not estimable'; '' when it has one."""
    share = table["unit"] == "share"
    low = table["change_low"].where(share, table["relative_low"])
    sides = table[["before", "after"]].isna().any(axis=1)
    befores = table[["before", *controls[:1]]]
    return np.select(
        [~enough & low.isna(), nothing, low.notna(), sides, (befores == 0).any(axis=1)],
        ["too few journeys", "nothing to measure", "", "not reached", "none before"],
        "not estimable",
    )


def _day_hours(working_time: bool, working_day_hours: float) -> float:
    """Hours in a day of the time basis: a working day in working time, 24 in calendar time."""
    return working_day_hours if working_time else 24.0


def evaluate_pilot(
    connection: duckdb.DuckDBPyConnection,
    definition: PilotDefinition,
    journey: DesignedJourney | None = None,
    time_rules: TimeRules | None = None,
    working_day_hours: float = 8.0,
    with_map: bool = True,
) -> PilotEvaluation:
    """The whole evaluation on an open store connection (temp tables are created on it)."""
    scope = define_pilot_scope(connection, definition, time_rules, journey)
    fitness, fitness_unavailable = _conformance(connection, journey)
    stages = None if journey is None else stage_times(connection, journey)
    cohorts = _cohorts(connection, fitness, stages)
    _require_both_sides(scope, cohorts, definition)
    alpha = definition.alpha
    day_hours = _day_hours(scope.working_time, working_day_hours)
    opened, days = _opened_per_day(connection, scope, cohorts, day_hours)
    measures = [
        ("journey", *measure) for measure in _journey_measures(journey, scope.working_time, fitness is not None)
    ]
    handovers, new_handovers, vanished_handovers = _pairs(cohorts, "department", handovers_only=True)
    measures += [
        ("handover", f"handover:{a}->{b}", f"Wait {a} → {b} (median)", "hours", "lower", _pair_wait("department", a, b))
        for a, b in handovers
    ]
    reaches = [] if journey is None or stages is None else _stage_reach(cohorts, journey)
    measures += [
        ("stage", f"stage:{reach.stage}", stage_label(reach.stage), "hours", "lower", _stage_time(reach.stage))
        for reach in reaches
        if reach.compared
    ]
    edge_pairs, new_edges, vanished_edges = _pairs(cohorts, "activity", handovers_only=False)
    if with_map:
        measures += [
            ("path", f"{a}->{b}", f"{a} → {b}", "hours", "lower", _pair_wait("activity", a, b)) for a, b in edge_pairs
        ]
    rows = _compare_all(cohorts, measures, definition)
    journey_rows = [*rows.get("journey", []), _volume(scope, opened, days, alpha)]
    comparisons = _judge(pd.DataFrame(journey_rows + rows.get("handover", []) + rows.get("stage", [])), alpha)
    edges = _judged_edges(rows.get("path", []), edge_pairs, alpha)
    edges.attrs["new"], edges.attrs["vanished"] = new_edges, vanished_edges
    mix = case_mix(connection, definition.case_mix)
    rates = {key: count / days[key[1]] for key, count in opened.items()}
    return PilotEvaluation(
        definition,
        scope,
        comparisons,
        edges,
        mix,
        day_hours,
        comparability=comparability_checks(connection, scope, mix, rates, definition.max_volume_change),
        stages=reaches,
        new_handovers=new_handovers,
        vanished_handovers=vanished_handovers,
        fitness_compared=fitness is not None,
        fitness_unavailable=fitness_unavailable,
        difference_map=_difference_map(connection, edges) if with_map else None,
    )


def _judged_edges(rows: list[dict], pairs: list[Pair], alpha: float) -> pd.DataFrame:
    """The compared activity paths judged like the comparisons, each with its source and target activity."""
    edges = pd.DataFrame(rows)
    if not edges.empty:
        edges = _judge(edges, alpha)
        edges[["source_activity", "target_activity"]] = pd.DataFrame(pairs, index=edges.index)
    return edges


def _difference_map(connection: duckdb.DuckDBPyConnection, edges: pd.DataFrame) -> DifferenceMap:
    """The activities with their lane and how often each path was taken on each side (observed transitions of
    the treated cohort: 'all', or 'pilot' when there is a pilot group)."""
    activities = connection.execute(
        "SELECT activity, mode(department) AS department FROM pilot_events GROUP BY ALL ORDER BY activity"
    ).df()
    paths = connection.execute("""
        SELECT t.from_activity AS source_activity, t.to_activity AS target_activity,
               count(*) FILTER (WHERE p.side = 'before') AS before, count(*) FILTER (WHERE p.side = 'after') AS after
        FROM pilot_transitions t JOIN pilot_journeys p USING (journey_id)
        WHERE t.observed AND p.cohort IN ('all', 'pilot')
        GROUP BY ALL ORDER BY source_activity, target_activity
    """).df()  # ordered: the same store draws the same map
    return DifferenceMap(activities, paths, edges)


def _conformance(
    connection: duckdb.DuckDBPyConnection, journey: DesignedJourney | None
) -> tuple[pd.DataFrame | None, str | None]:
    """Per-journey fitness when a designed journey is given and conformance checking is available; else None
    and, when a designed journey was given, why it is not available."""
    if journey is None:
        return None, None
    try:
        from mining.pilot.conformance import journey_fitness

        return journey_fitness(connection, journey), None
    except (ImportError, JourneyMiningError) as error:
        return None, str(error)


def evaluate_pilot_store(
    store: Path,
    definition: PilotDefinition,
    journey: DesignedJourney | None = None,
    time_rules: TimeRules | None = None,
) -> PilotEvaluation:
    connection = connect_store(store, read_only=True)
    try:
        return evaluate_pilot(connection, definition, journey, time_rules, _working_day_hours(journey))
    finally:
        connection.close()


def _working_day_hours(journey: DesignedJourney | None) -> float:
    return float(getattr(journey, "working_day_hours", None) or 8.0)
