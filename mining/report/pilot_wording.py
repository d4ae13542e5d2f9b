"""Pilot results in plain words, e.g. "Median lead time 14.2 -> 8.1 working days, -43% (95% CI -49% to -37%)":
the verdict, what improved, what got worse and how it was measured (pilot_words), from the results of
mining.pilot.evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mining.report.formatting import is_missing

if TYPE_CHECKING:
    from mining.pilot.evaluation import Pair, PilotEvaluation
    from mining.pilot.windows import PilotScope


def unit_words(working_time: bool, day_hours: float) -> dict[str, Any]:
    """How hours read: working days of `day_hours` in working time, 24-hour days in calendar time."""
    if working_time:
        return {
            "day_hours": day_hours,
            "days": "working days",
            "hours": "working hours",
            "basis": f"working time (a working day = {day_hours:g} working hours)",
        }
    return {"day_hours": day_hours, "days": "days", "hours": "hours", "basis": "calendar time (a day = 24 hours)"}


def evaluation_words(evaluation: PilotEvaluation) -> dict[str, Any]:
    """How the hours of this evaluation read."""
    return unit_words(evaluation.scope.working_time, evaluation.day_hours)


def hours_pair(before: float, after: float, words: dict[str, Any]) -> str:
    """Both values in the unit that suits the larger one: '14.2 -> 8.1 working days'."""
    if is_missing(before) or is_missing(after):
        return f"{_one(before, words)} -> {_one(after, words)}"
    if max(before, after) >= words["day_hours"]:
        day = words["day_hours"]
        return f"{before / day:.1f} -> {after / day:.1f} {words['days']}"
    return f"{before:.1f} -> {after:.1f} {words['hours']}"


def _one(hours: float, words: dict[str, Any]) -> str:
    if is_missing(hours):
        return "not reached"
    if hours >= words["day_hours"]:
        return f"{hours / words['day_hours']:.1f} {words['days']}"
    return f"{hours:.1f} {words['hours']}"


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


def _effect(row: dict[str, Any]) -> str:
    if row["unit"] == "share":  # a change of a share reads in percentage points
        points = [100 * row[key] for key in ("change", "change_low", "change_high")]
        if any(is_missing(value) for value in points):
            return f"{points[0]:+.1f} points (no interval: too few journeys)"
        return f"{points[0]:+.1f} points (95% CI {points[1]:+.1f} to {points[2]:+.1f})"
    if is_missing(row["relative_low"]):
        return f"{_percent(row['relative'])} (no interval: too few journeys)"
    return f"{_percent(row['relative'])} (95% CI {_percent(row['relative_low'])} to {_percent(row['relative_high'])})"


def _judgement(row: dict[str, Any]) -> str:
    q_value = row.get("q_value")
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
    if unit == "hours":
        return _one(value, words)
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


@dataclass(frozen=True)
class PilotWords:
    """A pilot evaluation in sentences: each journey measure (the verdict), the significant improvements and
    worsenings (measures, handovers and stages), and how it was measured."""

    verdict: list[str]
    improvements: list[str]
    worsenings: list[str]
    notes: list[str]


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
    return PilotWords(verdict, improvements, worsenings, notes)


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
