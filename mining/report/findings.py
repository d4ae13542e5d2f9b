"""The silo-bottleneck findings in words an improvement team can act on: one sentence per ranked item,
and the structural findings (push to front, team ping-pong)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mining.design.bottlenecks import PushToFront, TeamPingPong
from mining.design.journey import DesignedJourney
from mining.report.formatting import time_in_words


def _words(hours: float, time: str, journey: DesignedJourney) -> str:
    day = journey.working_day_hours
    if time == "working" and hours < 0.95 * day:  # "0.0 working days" says nothing
        return f"{hours:.1f} working hours"
    return time_in_words(hours, time, day)


def _norm_words(hours: float, time: str, journey: DesignedJourney) -> str:
    """A norm as written: '1 working day', '2 working days', '4 hours' rather than '2.0 ...'."""
    day = journey.working_day_hours if time == "working" else 24.0
    unit = "working day" if time == "working" else "day"
    if hours < day:
        return f"{hours:g} {'working ' if time == 'working' else ''}hour{'s' if hours != 1 else ''}"
    days = hours / day
    return f"{days:g} {unit}{'s' if days != 1 else ''}"


def _cause_clause(item: dict[str, Any], journey: DesignedJourney) -> str:
    cause = item["characterisation"]
    share = item[f"{cause}_hours"] / item["excess_hours"]
    noun = journey.journey_noun
    if cause == "ping_pong":
        if item["kind"] == "stage":
            return f"mostly ping-pong ({share:.0%} of it): {noun} handed back and forth between departments"
        return (
            f"mostly ping-pong ({share:.0%} of it): {noun} handed back and forth between "
            f"{item['from_department']} and {item['to_department']}"
        )
    if cause == "wrong_owner":
        if item["kind"] == "stage":
            return (
                f"mostly wrong owner ({share:.0%} of it): work of this stage done by another department "
                f"than {item['designed_owner']}"
            )
        return (
            f"mostly wrong owner ({share:.0%} of it): {noun} pushed on to {item['to_department']} for work "
            f"the design gives to {item['designed_owner'] or item['from_department']}"
        )
    if cause == "rework":
        return f"mostly rework ({share:.0%} of it): the same work done again"
    if cause == "off_design":
        usual = "inside the stage" if item["kind"] == "stage" else f"most often '{item['off_design_activity']}'"
        return f"mostly off-design work ({share:.0%} of it): {noun} held up by activities the design lacks, {usual}"
    where = "inside the stage" if item["kind"] == "stage" else f"at {item['to_department']}"
    return f"mostly queue waiting ({share:.0%} of it) {where}"


def finding_sentence(item: dict[str, Any], journey: DesignedJourney) -> str:
    """One finding in words an improvement team can act on."""
    noun = journey.journey_noun
    share = f"{item['share_of_excess']:.0%} of all excess lead time"
    median = _words(item["median_hours"], item["time"], journey)
    cause = _cause_clause(item, journey)
    if item["kind"] == "stage":
        return (
            f"Stage {item['stage']} ({item['to_department']}): median {median} against a norm of "
            f"{_norm_words(item['norm_hours'], item['time'], journey)}; {item['breach_rate']:.0%} of {noun} breach; "
            f"{share}; {cause}."
        )
    pair = item["name"]
    if not item["designed"]:
        return (
            f"{pair}: a handover the designed journey does not have, in {int(item['journeys']):,} {noun}; "
            f"median wait {median}; {share}; {cause}."
        )
    if pd.isna(item["norm_hours"]):
        return f"{pair}: median wait {median}; {share}; {cause}."
    return (
        f"{pair}: median {median} against a norm of {_norm_words(item['norm_hours'], item['time'], journey)}; "
        f"{item['breach_rate']:.0%} of {noun} breach; {share}; {cause}."
    )


def with_sentences(ranked: pd.DataFrame, journey: DesignedJourney) -> pd.DataFrame:
    """The bottleneck ranking with each item's sentence (the `sentence` column of bottlenecks.parquet)."""
    table = ranked.copy()
    table["sentence"] = [finding_sentence(row, journey) for row in ranked.to_dict("records")]
    return table


def team_ping_pong_sentence(finding: TeamPingPong, journey: DesignedJourney) -> str:
    noun = journey.journey_noun
    return (
        f"Ping-pong: teams hand {noun} back and forth; {finding.journeys:,} {noun} "
        f"({finding.journeys / finding.total:.0%}) go from one team to another and back, most often "
        f"{finding.from_team} ⇄ {finding.to_team} ({finding.pair_journeys:,} {noun})."
    )


def push_to_front_sentence(finding: PushToFront, journey: DesignedJourney) -> str:
    noun = journey.journey_noun
    onward = ", ".join(f"{journeys:,} to {department}" for department, journeys in finding.onward)
    return (
        f"Push to front: the design resolves {noun} at the front ({finding.front_department}), yet "
        f"{finding.escalated:,} {noun} ({finding.escalated / finding.total:.0%}) are pushed on ({onward}); "
        f"the work and handovers there hold {finding.share_of_excess:.0%} of all excess lead time."
    )


def finding_sentences(
    ranked: pd.DataFrame,
    journey: DesignedJourney,
    push: PushToFront | None,
    teams: TeamPingPong | None,
    top: int = 5,
) -> list[str]:
    """The top findings: the ranked items first, then escalation away from the front and team ping-pong
    when they are common."""
    sentences = [finding_sentence(row, journey) for row in ranked.head(top).to_dict("records")]
    if not sentences:
        sentences.append(f"No handover or stage of the {journey.name} journey exceeds its norm.")
    if push is not None:
        sentences.append(push_to_front_sentence(push, journey))
    if teams is not None:
        sentences.append(team_ping_pong_sentence(teams, journey))
    return sentences
