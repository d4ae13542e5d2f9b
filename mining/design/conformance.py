"""Conformance of the actual journeys to the designed one, computed once per variant and weighted by its count.

A variant here is a finished journey's sequence of (activity, design department: departments_by_team applied),
each event labelled with its stage by the same rule as mining.design.event_stages: DuckDB groups the journeys, pm4py
aligns each distinct label sequence once against the designed model. An alignment that runs past the time
cap falls back to token-based replay, which gives a fitness but no moves; the variant's `method` says which.

Deviations, from the alignment's moves (mining.report.deviation_words puts them in words):
- skipped stage: a model move on a stage's activity (the design needs it, the journey never did it);
- unexpected activity: an activity in no stage of the design;
- wrong order: a log move of a designed activity done once, at a place the design does not have it;
- rework loop: a log move of a designed activity the journey did more than once (the design has no loop);
- other department: a stage's activity done by another department than the one the design names.
Open journeys are left out: their missing tail is not yet a deviation.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")

from pm4py.algo.conformance.alignments.petri_net import algorithm as alignments
from pm4py.algo.conformance.alignments.petri_net.variants import state_equation_a_star
from pm4py.algo.conformance.tokenreplay import algorithm as token_replay
from pm4py.objects.log.obj import Event, EventLog, Trace
from pm4py.objects.process_tree.obj import Operator

from eventlogs.one_row import one_value
from mining.design.journey import DesignedJourney
from mining.design.model import DesignedModel, EventLabel, build_designed_model
from mining.discovery.tables import VARIANT_SEPARATOR
from mining.errors import AnalysisError
from mining.scope.scope import Scope

SKIP = ">>"  # pm4py's "no move" on one side of an alignment
ALIGNMENT = "alignment"
TOKEN_REPLAY = "token replay (alignment over the time cap)"
SKIPPED_STAGE = "skipped stage"
UNEXPECTED_ACTIVITY = "unexpected activity"
WRONG_ORDER = "wrong order"
REWORK_LOOP = "rework loop"
OTHER_DEPARTMENT = "other department"
DEVIATION_TYPES = (SKIPPED_STAGE, UNEXPECTED_ACTIVITY, WRONG_ORDER, REWORK_LOOP, OTHER_DEPARTMENT)
DEVIATION_COLUMNS = ["variant_id", "variant", "type", "stage", "activity", "department", "designed_department"]


@dataclass(frozen=True)
class Deviation:
    type: str
    stage: str | None
    activity: str  # '' for a stage given by patterns: the design names no activity of it
    department: str | None = None  # other department: who did the stage's work
    designed_department: str | None = None  # other department: whom the design gives it to


@dataclass(frozen=True)
class VariantFit:
    fitness: float
    method: str
    milliseconds: float
    moves: tuple[tuple[str, str | None], ...]  # (log label or >>, model label or >> or None for tau)


@dataclass(frozen=True)
class Conformance:
    variants: pd.DataFrame  # conformance_variants: one row per (activities, departments) path
    deviations: pd.DataFrame  # one row per deviation of a variant, with its journeys
    rates_by_stage: pd.DataFrame  # per stage (and type): share of journeys with such a deviation
    rates_by_type: pd.DataFrame  # per deviation type: share of journeys
    unexpected_activities: pd.DataFrame  # per activity in no stage: share of journeys that did it
    fitness: float  # weighted by journeys
    journeys: int
    open_journeys_left_out: int


def finished_variants(scope: Scope, journey: DesignedJourney) -> pd.DataFrame:
    """Finished journeys of the scope grouped by (activities, departments), most frequent first."""
    department = journey.department_sql()
    return scope.connection.execute(f"""
        WITH paths AS (
            SELECT journey_id, list(activity ORDER BY position) AS activities,
                   list(coalesce({department}, '') ORDER BY position) AS departments
            FROM {scope.work_events} GROUP BY journey_id
        )
        SELECT activities, departments, count(*) AS journeys
        FROM paths JOIN {scope.journeys} j USING (journey_id) WHERE NOT j.is_open
        GROUP BY activities, departments
        ORDER BY journeys DESC, array_to_string(activities, ' '), array_to_string(departments, ' ')
    """).df()


class VariantAligner:
    """Aligns label sequences against one designed model, each distinct sequence once."""

    def __init__(self, model: DesignedModel, max_seconds_per_variant: float = 1.0) -> None:
        self.model = model
        self.parameters = {alignments.Parameters.PARAM_MAX_ALIGN_TIME_TRACE: max_seconds_per_variant}
        # the cost of the model's cheapest run, the denominator of every fitness: computed once, not per trace
        self.parameters[alignments.Parameters.BEST_WORST_COST_INTERNAL] = state_equation_a_star.get_best_worst_cost(
            model.net, model.initial_marking, model.final_marking, parameters={}
        )
        self.cache: dict[tuple[str, ...], VariantFit] = {}

    def fit(self, labels: tuple[str, ...]) -> VariantFit:
        if labels not in self.cache:
            self.cache[labels] = self._fit(labels)
        return self.cache[labels]

    def _fit(self, labels: tuple[str, ...]) -> VariantFit:
        trace = Trace([Event({"concept:name": label}) for label in labels])
        model = self.model
        started = time.perf_counter()
        result = alignments.apply_trace(
            trace,
            model.net,
            model.initial_marking,
            model.final_marking,
            parameters=dict(self.parameters),
            variant=alignments.Variants.VERSION_STATE_EQUATION_A_STAR,
        )
        if result is not None:
            elapsed = (time.perf_counter() - started) * 1000
            return VariantFit(float(result["fitness"]), ALIGNMENT, elapsed, tuple(result["alignment"]))
        replay = token_replay.apply(EventLog([trace]), model.net, model.initial_marking, model.final_marking)
        elapsed = (time.perf_counter() - started) * 1000
        return VariantFit(float(replay[0]["trace_fitness"]), TOKEN_REPLAY, elapsed, ())


def _visits(labels: list[EventLabel]) -> Counter[str]:
    """How many separate times the journey entered each stage (a run of the stage's events is one visit;
    activities in no stage do not break a run)."""
    visits: Counter[str] = Counter()
    previous = None
    for label in labels:
        if label.stage is not None:
            if label.stage.name != previous:
                visits[label.stage.name] += 1
            previous = label.stage.name
    return visits


def variant_deviations(
    model: DesignedModel, activities: list[str], departments: list[str], labels: list[EventLabel], fit: VariantFit
) -> list[Deviation]:
    """The deviations of one variant, each once, in the order found; `labels` are its events' labels
    (`model.event_labels`). For a stage given by patterns the activity is left empty: the design says
    nothing about which of its activities, only about the stage."""
    activity_of = {
        label.label: "" if label.stage and label.stage.has_patterns else activity
        for label, activity in zip(labels, activities, strict=True)
    }
    found: list[Deviation] = []

    def add(deviation: Deviation) -> None:
        if deviation not in found:
            found.append(deviation)

    for label, activity in zip(labels, activities, strict=True):
        if label.stage is None:
            add(Deviation(UNEXPECTED_ACTIVITY, None, activity))
    for label, activity, department in zip(labels, activities, departments, strict=True):
        if label.stage is not None and department and department != label.stage.department:
            stage = label.stage
            add(Deviation(OTHER_DEPARTMENT, stage.name, activity, department, stage.department))
    occurrences = Counter(model.alignment_labels(labels))
    visits = _visits(labels)
    if fit.method == ALIGNMENT:
        log_moved = {log for log, model_label in fit.moves if model_label == SKIP}
        for log, model_label in fit.moves:
            if model_label == SKIP and log in model.stage_of_label:
                stage = model.stage_of_label[log]
                activity = activity_of.get(log, log)
                repeated = occurrences[log] > 1 or (stage.has_patterns and visits[stage.name] > 1)
                add(Deviation(REWORK_LOOP if repeated else WRONG_ORDER, stage.name, activity))
            elif log == SKIP and model_label is not None and model_label not in log_moved:
                stage = model.stage_of_label[model_label]
                activity = "" if stage.has_patterns else model_label.removeprefix(f"{stage.name}: ")
                # the activity may have happened all the same, by a department the design does not give
                # it to (so it counted for another stage): then the stage was skipped by whom did it
                doer = next(
                    (
                        department
                        for done, department, label in zip(activities, departments, labels, strict=True)
                        if activity and done == activity and label.stage is not stage
                    ),
                    None,
                )
                designed = stage.department if doer is not None else None
                add(Deviation(SKIPPED_STAGE, stage.name, activity, doer, designed))
    else:  # token replay has no moves: only repetitions can still be told from the path itself
        for label in labels:
            if label.stage is not None and occurrences[label.label] > 1 and not _may_repeat(model, label.label):
                add(Deviation(REWORK_LOOP, label.stage.name, activity_of[label.label]))
    return found


def _may_repeat(model: DesignedModel, label: str) -> bool:
    """Whether the design lets this activity happen twice: it sits under a loop of the process tree."""
    stack = [(model.tree, False)]
    while stack:
        node, looped = stack.pop()
        if node.label == label and looped:
            return True
        for child in node.children:
            stack.append((child, looped or node.operator == Operator.LOOP))
    return False


def _rates(deviations: pd.DataFrame, keys: list[str], total: int) -> pd.DataFrame:
    """Share of journeys with at least one deviation of each `keys` group (a journey counts once)."""
    if deviations.empty:
        return pd.DataFrame(columns=[*keys, "journeys", "rate"])
    once = deviations.drop_duplicates(["variant_id", *keys])
    grouped = once.groupby(keys, dropna=False, as_index=False)["journeys"].sum()
    return (
        grouped.assign(rate=grouped["journeys"] / total)
        .sort_values(["journeys", *keys], ascending=[False, *[True] * len(keys)])
        .reset_index(drop=True)
    )


def _stage_rates(deviations: pd.DataFrame, journey: DesignedJourney, total: int) -> pd.DataFrame:
    """Per stage of the design: share of journeys with any deviation there, and with each type."""
    table = pd.DataFrame({"stage": [stage.name for stage in journey.stages]})
    table = table.merge(_rates(deviations, ["stage"], total), on="stage", how="left")
    by_type = _rates(deviations, ["stage", "type"], total)
    for kind in DEVIATION_TYPES:
        rates = by_type[by_type["type"] == kind].set_index("stage")["rate"]
        table[f"{kind} rate"] = table["stage"].map(rates)
    return table.fillna(0).astype({"journeys": int})


def conformance(scope: Scope, journey: DesignedJourney, max_seconds_per_variant: float = 1.0) -> Conformance:
    """Conformance of the scope's finished journeys to `journey`."""
    variants = finished_variants(scope, journey)
    open_journeys = one_value(scope.connection.execute(f"SELECT count(*) FROM {scope.journeys} WHERE is_open"))
    if variants.empty:
        raise AnalysisError("no finished journeys in scope to check against the designed journey")
    observed = {activity for path in variants["activities"] for activity in path}
    model = build_designed_model(journey, observed)
    aligner = VariantAligner(model, max_seconds_per_variant)
    rows: list[dict[str, Any]] = []
    deviation_rows: list[dict[str, Any]] = []
    for variant_id, (activities, departments, journeys) in enumerate(
        zip(variants["activities"], variants["departments"], variants["journeys"], strict=True), start=1
    ):
        activities, departments = list(activities), list(departments)
        labels = model.event_labels(activities, departments)
        path = model.alignment_labels(labels)
        first_time = path not in aligner.cache
        fit = aligner.fit(path)
        found = variant_deviations(model, activities, departments, labels, fit)
        rows.append(
            {
                "variant_id": variant_id,
                "variant": VARIANT_SEPARATOR.join(activities),
                "departments": VARIANT_SEPARATOR.join(departments),
                "journeys": int(journeys),
                "fitness": fit.fitness,
                "method": fit.method,
                "deviating": bool(found),
                "align_ms": fit.milliseconds if first_time else 0.0,
            }
        )
        deviation_rows.extend(
            {
                "variant_id": variant_id,
                "variant": rows[-1]["variant"],
                "type": d.type,
                "stage": d.stage,
                "activity": d.activity,
                "department": d.department,
                "designed_department": d.designed_department,
                "journeys": int(journeys),
            }
            for d in found
        )
    table = pd.DataFrame(rows)
    deviations = pd.DataFrame(deviation_rows, columns=[*DEVIATION_COLUMNS, "journeys"])
    total = int(table["journeys"].sum())
    return Conformance(
        variants=table,
        deviations=deviations,
        rates_by_stage=_stage_rates(deviations[deviations["stage"].notna()], journey, total),
        rates_by_type=_rates(deviations, ["type"], total),
        unexpected_activities=_rates(deviations[deviations["type"] == UNEXPECTED_ACTIVITY], ["activity"], total),
        fitness=float((table["fitness"] * table["journeys"]).sum() / total),
        journeys=total,
        open_journeys_left_out=int(open_journeys),
    )


def conformance_summary(result: Conformance) -> dict[str, float | int]:
    """The headline figures: weighted fitness, journeys checked and left out, share of journeys with any
    deviation, and how many variants each method decided."""
    variants = result.variants
    deviating = int(variants.loc[variants["deviating"], "journeys"].sum())
    return {
        "fitness": result.fitness,
        "journeys": result.journeys,
        "open_journeys_left_out": result.open_journeys_left_out,
        "deviating_journeys": deviating,
        "deviating_rate": deviating / result.journeys,
        "variants": len(variants),
        "variants_aligned": int((variants["method"] == ALIGNMENT).sum()),
        "variants_token_replay": int((variants["method"] == TOKEN_REPLAY).sum()),
    }


def conformance_tables(result: Conformance) -> dict[str, pd.DataFrame]:
    """The tables `journey compare` and the flow write, by file name."""
    return {
        "conformance": pd.DataFrame([conformance_summary(result)]),
        "conformance_variants": result.variants,
        "conformance_deviations": result.deviations,
        "conformance_rates_by_type": result.rates_by_type,
        "conformance_rates_by_stage": result.rates_by_stage,
        "conformance_unexpected_activities": result.unexpected_activities,
    }
