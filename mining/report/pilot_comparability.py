"""Whether before and after are comparable, in words: one sentence for the top of the verdict ("Before and
after are not comparable: ..." or "... comparable on volume, case mix and censoring"), and every check with
its figure and threshold for the notes; from mining.pilot.comparability's checks."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mining.pilot.comparability import ComparabilityCheck
    from mining.pilot.windows import PilotScope

COMPARABLE = "Before and after are comparable on volume, case mix and censoring."
_GROUP = {"all": "", "pilot": " in the pilot group", "control": " in the control group"}


def comparability_sentence(checks: list[ComparabilityCheck], scope: PilotScope) -> str:
    """The verdict's first sentence ('' when nothing was checked)."""
    if not checks:
        return ""
    flagged = [check for check in checks if check.flagged]
    if not flagged:
        return COMPARABLE
    clauses = [_volume(check, scope) for check in flagged if check.aspect == "volume"]
    clauses += [_case_mix(check) for check in flagged if check.aspect == "case mix"]
    for cohort in dict.fromkeys(check.cohort for check in flagged if check.aspect == "censoring"):
        clauses.append(_censoring([c for c in checks if c.aspect == "censoring" and c.cohort == cohort], scope))
    return "Before and after are not comparable: " + "; ".join(clauses) + "."


def comparability_lines(checks: list[ComparabilityCheck], scope: PilotScope) -> list[str]:
    """Every check with its figures and threshold, flagged or not, for the notes."""
    lines = []
    for check in checks:
        mark = "FLAGGED" if check.flagged else "within"
        if check.aspect == "volume":
            lines.append(f"Comparability, {_volume(check, scope)} ({mark})")
        elif check.aspect == "case mix":
            lines.append(f"Comparability, {_case_mix(check)} ({mark})")
        elif check.criterion == "share censored":
            lines.append(
                f"Comparability, censoring{_GROUP[check.cohort]}: {check.before:.0%} of the journeys before "
                f"and {check.after:.0%} after were still open when their side stopped being followed "
                f"(flagged above {check.threshold:.0%} on a side; {mark})"
            )
        else:
            lines.append(
                f"Comparability, censoring{_GROUP[check.cohort]}: the sides' shares still open differ by "
                f"{100 * check.statistic:.0f} points (flagged above {100 * check.threshold:.0f}; {mark})"
            )
    return lines


def _volume(check: ComparabilityCheck, scope: PilotScope) -> str:
    day = "working day" if scope.default_calendar else "day"
    moved = "rose" if check.after >= check.before else "fell"
    return (
        f"volume{_GROUP[check.cohort]} {moved} {check.statistic:.0%} ({check.before:.1f} -> {check.after:.1f} "
        f"journeys opened per {day}; more than {check.threshold:.0%} either way flags it)"
    )


def _case_mix(check: ComparabilityCheck) -> str:
    shift = "a complete shift" if math.isinf(check.statistic) else f"{check.statistic:.2f}"
    return (
        f"case mix{_GROUP[check.cohort]}: {check.attribute} '{check.level}' {check.before:.0%} -> "
        f"{check.after:.0%} of journeys (standardised difference {shift}; above {check.threshold:g} flags it)"
    )


def _censoring(checks: list[ComparabilityCheck], scope: PilotScope) -> str:
    """The censoring checks of one group: both sides' shares, the thresholds passed, which side's lead times
    are lower bounds."""
    share = next(check for check in checks if check.criterion == "share censored")
    gap = next(check for check in checks if check.criterion == "gap in share censored")
    shares = {"before": share.before, "after": share.after}
    over = [side for side, value in shares.items() if value > share.threshold]
    if gap.flagged:
        over = list(dict.fromkeys([*over, max(shares, key=lambda side: shares[side])]))
    ends = {
        side: f"at the extraction ({scope.extracted_at:%Y-%m-%d %H:%M} UTC)"
        if side in share.at_extraction
        else "at the end of its window"
        for side in shares
    }
    said = ", ".join(f"{shares[side]:.0%} {side} the change still open {ends[side]}" for side in shares)
    limits = []
    if share.flagged:
        limits.append(f"more than {share.threshold:.0%} on a side")
    if gap.flagged:
        limits.append(f"a gap of more than {100 * gap.threshold:.0f} points")
    sides = " and ".join(f"{side} the change" for side in over)
    return (
        f"censoring{_GROUP[share.cohort]}: {said} ({' and '.join(limits)} flags it): lead times {sides} are "
        "lower bounds"
    )
