"""Pilot results in plain words, e.g. "Median lead time 113.6 -> 64.8 working hours, -43% (95% CI -49% to -37%)":
the verdict, what improved, what got worse and how it was measured (pilot_words), from the results of
mining.pilot.evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mining.report.formatting import (
    basis_of,
    basis_words,
    durations_in_words,
    is_missing,
    short_duration,
)
from mining.report.pilot_comparability import comparability_lines, comparability_sentence

if TYPE_CHECKING:
    from mining.pilot.definition import PilotDefinition
    from mining.pilot.evaluation import Pair, PilotEvaluation, StageReach
    from mining.pilot.windows import PilotScope

# what a measure that is zero on every side had nothing of (by comparison key)
_NOTHING_TO_MEASURE = {
    "contacts_per_journey": "no customer contacts in either period",
    "contacts_per_waiting_day": "no customer contacts in either period",
    "rework_rate": "no rework in either period",
    "ping_pong_rate": "no ping-pong between departments in either period",
}
# why a comparison has no interval (mining.pilot.evaluation's `no_interval`), other than nothing to measure
_NO_INTERVAL = {
    "too few journeys": "no interval: too few journeys",
    "not reached": "no interval: not reached on a side, too many journeys still open",
    "none before": "no relative change: none before the change",
    "not estimable": "no interval: too few resamples give a value",
}


def unit_words(working_time: bool) -> dict[str, Any]:
    """How hours read, by the rules of mining.report.formatting: `time`, the basis (working hours in
    working time, hours and 24-hour days in calendar time), and `basis`, it in words with its units."""
    time = basis_of(working_time)
    return {"time": time, "basis": basis_words(time, units=True)}


def evaluation_words(evaluation: PilotEvaluation) -> dict[str, Any]:
    """How the hours of this evaluation read (its scope's basis, `PilotScope.working_time`)."""
    return unit_words(evaluation.scope.working_time)


def hours_pair(before: float, after: float, words: dict[str, Any]) -> str:
    """Both values in one unit, the one that suits the larger: '14.2 -> 8.1 working hours'."""
    return durations_in_words(before, after, words["time"])


def _values(row: dict[str, Any], before: str, after: str, words: dict[str, Any]) -> str:
    unit = row["unit"]
    if unit == "hours":
        return hours_pair(row[before], row[after], words)
    if unit == "share":
        return f"{row[before]:.0%} -> {row[after]:.0%}"
    if unit == "per_day":
        return f"{row[before]:.2f} -> {row[after]:.2f} per waiting day"
    if unit == "per_day_volume":  # the measure's name says per what
        return f"{row[before]:.1f} -> {row[after]:.1f}"
    return f"{row[before]:.2f} -> {row[after]:.2f}"


def _percent(value: float) -> str:
    return "–" if is_missing(value) else f"{value:+.0%}"


def _why_no_interval(row: dict[str, Any]) -> str:
    reason = row.get("no_interval")
    return _NO_INTERVAL.get(reason if isinstance(reason, str) else "", "no interval: too few journeys")


def _effect(row: dict[str, Any]) -> str:
    if row.get("no_interval") == "nothing to measure":
        return _NOTHING_TO_MEASURE.get(row["key"], "zero on every side")
    if row["unit"] == "share":  # a change of a share reads in percentage points
        points = [100 * row[key] for key in ("change", "change_low", "change_high")]
        if any(is_missing(value) for value in points):
            return f"{points[0]:+.1f} points ({_why_no_interval(row)})"
        return f"{points[0]:+.1f} points (95% CI {points[1]:+.1f} to {points[2]:+.1f})"
    if is_missing(row["relative_low"]):
        return f"{_percent(row['relative'])} ({_why_no_interval(row)})"
    return f"{_percent(row['relative'])} (95% CI {_percent(row['relative_low'])} to {_percent(row['relative_high'])})"


def _judgement(row: dict[str, Any]) -> str:
    q_value = row.get("q_value")
    if row.get("key") == "volume":  # a condition of the comparison, judged there, not an effect of the pilot
        return "a comparability check, not an effect"
    if q_value is None or is_missing(q_value):  # `is None`: the checker sees a number below
        return "not tested"
    word = {"improved": "better", "worse": "WORSE", "changed": "changed"}.get(row.get("direction", ""), "")
    if not row.get("significant"):
        return f"not significant (q = {q_value:.2f})"
    return f"{word}, significant ({'q < 0.001' if q_value < 0.001 else f'q = {q_value:.3f}'})"


def sentence(row: dict[str, Any], words: dict[str, Any], difference_in_differences: bool, pilot_group: bool) -> str:
    """One comparison in words, with its interval and whether it is significant."""
    if difference_in_differences and row.get("key") != "volume":  # volume: the pilot group's own change
        return (
            f"{row['measure']} in the pilot group {_values(row, 'before', 'after', words)}, control group "
            f"{_values(row, 'control_before', 'control_after', words)}; pilot effect {_effect(row)}; {_judgement(row)}."
        )
    group = " in the pilot group" if pilot_group else ""
    return f"{row['measure']}{group} {_values(row, 'before', 'after', words)}, {_effect(row)}; {_judgement(row)}."


def _cell(value: float, unit: str, words: dict[str, Any]) -> str:
    if is_missing(value):
        return "–"
    if unit == "hours":  # a table: the short form, as the other tables and maps
        return short_duration(value, words["time"])
    if unit == "share":
        return f"{value:.0%}"
    return f"{value:.1f}" if unit == "per_day_volume" else f"{value:.2f}"


def display_row(row: dict[str, Any], words: dict[str, Any]) -> dict[str, str]:
    """One comparison as the report's table shows it."""
    return {
        "measure": row["measure"],
        "before": _cell(row["before"], row["unit"], words),
        "after": _cell(row["after"], row["unit"], words),
        "control_before": _cell(row["control_before"], row["unit"], words),
        "control_after": _cell(row["control_after"], row["unit"], words),
        "effect": _effect(row),
        "p_value": "–" if is_missing(row["p_value"]) else f"{row['p_value']:.3f}",
        "q_value": "–" if is_missing(row.get("q_value")) else f"{row['q_value']:.3f}",
        "direction": row.get("direction", ""),
    }


def stage_display_row(reach: StageReach, label: str) -> dict[str, str]:
    """A designed stage whose time is not compared, as the stage table shows it: why, in its effect cell."""
    return {
        "measure": label,
        "before": "–",
        "after": "–",
        "control_before": "–",
        "control_after": "–",
        "effect": stage_note(reach),
        "p_value": "–",
        "q_value": "–",
        "direction": "not compared",
    }


def _side(key: tuple[str, str]) -> str:
    cohort, side = key
    group = "" if cohort == "all" else f" in the {cohort} group"
    return f"{side} the change{group}"


def stage_note(reach: StageReach) -> str:
    """Why a designed stage's time is not compared, e.g. 'no journeys reached this stage after the change'."""
    if reach.status == "not reached":
        empty = [key for key, count in reach.journeys.items() if count == 0]
        sides = "on either side of the change" if len(empty) == len(reach.journeys) else " or ".join(map(_side, empty))
        return f"no journeys reached this stage {sides}"
    if reach.status == "too few journeys":
        counts = ", ".join(f"{count:,} {_side(key)}" for key, count in reach.journeys.items())
        return f"too few journeys reached this stage to compare ({counts}; {reach.needed} needed a side)"
    if reach.status == "takes no time":
        return "a single event on every side: no time is spent in this stage"
    return "compared"


def pilot_title(definition: PilotDefinition, scope: PilotScope) -> str:
    """'Pilot: <name>', or without a name 'Pilot evaluation: <journey types>, change on <date>'."""
    name = (definition.name or "").strip()
    if name and name.lower() != "pilot":
        return f"Pilot: {name}"
    types = ", ".join(scope.journey_types) or "all journey types"
    if definition.change_date is not None:
        return f"Pilot evaluation: {types}, change on {definition.change_date}"
    return f"Pilot evaluation: {types}, {scope.before[0]}..{scope.before[1]} against {scope.after[0]}..{scope.after[1]}"


@dataclass(frozen=True)
class PilotWords:
    """A pilot evaluation in sentences: its title, whether before and after are comparable (the sentence
    that heads the verdict), each journey measure (the verdict), the significant improvements and worsenings
    (measures, handovers and stages), and how it was measured."""

    verdict: list[str]
    improvements: list[str]
    worsenings: list[str]
    notes: list[str]
    title: str = "Pilot evaluation"
    comparability: str = ""
    stages: list[str] = field(default_factory=list)  # every designed stage: its comparison, or why there is none


def pilot_words(evaluation: PilotEvaluation) -> PilotWords:
    """The sentences of an evaluation, in the order of its comparisons."""
    words = evaluation_words(evaluation)
    scope = evaluation.scope
    treated_is_pilot = "pilot" in scope.cohorts
    verdict: list[str] = []
    improvements: list[str] = []
    worsenings: list[str] = []
    for row in evaluation.comparisons.to_dict("records"):
        said = sentence(row, words, scope.difference_in_differences, treated_is_pilot)
        if row["family"] == "journey":
            verdict.append(said)
        if row["direction"] == "improved":
            improvements.append(said)
        elif row["direction"] == "worse":
            worsenings.append(said)
    notes = _notes(scope, evaluation.new_handovers, evaluation.vanished_handovers, words) + _fitness_notes(evaluation)
    notes += comparability_lines(evaluation.comparability, scope)
    return PilotWords(
        verdict,
        improvements,
        worsenings,
        notes,
        title=pilot_title(evaluation.definition, scope),
        comparability=comparability_sentence(evaluation.comparability, scope),
        stages=_stage_sentences(evaluation, words),
    )


def _stage_sentences(evaluation: PilotEvaluation, words: dict[str, Any]) -> list[str]:
    """Each designed stage in the designed order: its comparison in words, or why its time is not compared."""
    scope = evaluation.scope
    rows = {row["key"]: row for row in evaluation.comparisons.to_dict("records")}
    return [
        sentence(rows[f"stage:{reach.stage}"], words, scope.difference_in_differences, "pilot" in scope.cohorts)
        if reach.compared
        else f"Time in stage {reach.stage}: not compared, {stage_note(reach)}."
        for reach in evaluation.stages
    ]


def _notes(scope: PilotScope, new: list[Pair], vanished: list[Pair], words: dict[str, Any]) -> list[str]:
    notes = [
        f"Before: journeys opened {scope.before[0]} to {scope.before[1]}; after: {scope.after[0]} to "
        f"{scope.after[1]}; each side is followed to the end of its window or the extraction "
        f"({scope.extracted_at:%Y-%m-%d %H:%M} UTC). Journeys still open then are censored, not dropped: lead "
        "times and waits are Kaplan-Meier estimates.",
        f"Times are {words['basis']}.",
        "Intervals: 95% percentile bootstrap over journeys (each side resampled on its own); p-values: a "
        "z-test of the change against its bootstrap standard error; volume: exact Poisson rate-ratio test. "
        "Significance is judged on Benjamini-Hochberg q-values over all measures, handovers and stages at "
        "once (false discovery rate 5%).",
        "Rework and ping-pong rates are shares of the journeys finished within their window.",
    ]
    if scope.difference_in_differences:
        notes.append(
            "Effects are differences in differences: the pilot group's change minus the control group's "
            "change over the same dates (relative: the ratio of the two groups' ratios), which removes a trend "
            "both groups share."
        )
    if new:
        notes.append("New handovers after the change: " + ", ".join(f"{a} → {b}" for a, b in new))
    if vanished:
        notes.append("Handovers that vanished after the change: " + ", ".join(f"{a} → {b}" for a, b in vanished))
    return notes


def _fitness_notes(evaluation: PilotEvaluation) -> list[str]:
    """How conformance was compared, or why not (only when a designed journey was given)."""
    if evaluation.fitness_compared:
        return [
            "Conformance fitness: each finished journey's path aligned to the designed journey (pm4py), "
            "averaged over the journeys finished within their window."
        ]
    if evaluation.fitness_unavailable is not None:
        return [f"Conformance to the designed journey is not compared: {evaluation.fitness_unavailable}"]
    return []
