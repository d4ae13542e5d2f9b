"""The silo-bottleneck findings in words an improvement team can act on: one sentence per ranked item,
and the structural findings (push to front, team ping-pong)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mining.design.bottlenecks import PushToFront, TeamPingPong
from mining.design.journey import DesignedJourney
from mining.design.norms import measured_in
from mining.report.formatting import duration_in_words


def _count(number: float, noun: str) -> str:
    """'1 working day', '2.5 hours': a norm's number as written, not '2.0 ...'."""
    return f"{number:g} {noun}{'s' if number != 1 else ''}"


def _norm_words(hours: float, time: str, basis: str, journey: DesignedJourney) -> str:
    """A norm in the basis it was measured in (`basis`, mining.design.norms.measured_in). In working time
    as written, with the working hours it stands for (the unit of the figures): '1 working day (8 working
    hours)', '4 working hours'. In calendar time a calendar norm as written ('12 hours', '2 days'); a
    working-time norm judged without time rules in the calendar hours it was measured against ('16 hours')."""
    if basis == "working":
        day = journey.working_day_hours
        return (
            _count(hours, "working hour")
            if hours < day
            else f"{_count(hours / day, 'working day')} ({hours:g} working hours)"
        )
    if hours < 24 or time == "working":
        return _count(hours, "hour")
    return _count(hours / 24, "day")


def _cause_clause(item: dict[str, Any], journey: DesignedJourney) -> str:
    cause = item["characterisation"]
    share = item[f"{cause}_hours"] / item["excess_hours"]
    noun = journey.journey_noun
    if cause == "ping_pong":
        if item["kind"] == "stage":
            return f"mostly ping-pong ({share:.0%} of it): {noun} handed back and forth between departments"
        pair = ("from_team", "to_team") if item["kind"] == "team_handover" else ("from_department", "to_department")
        return (
            f"mostly ping-pong ({share:.0%} of it): {noun} handed back and forth between "
            f"{item[pair[0]]} and {item[pair[1]]}"
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
        holder = "team" if item["kind"] == "team_handover" else "team (or department)"
        return f"mostly rework ({share:.0%} of it): the same activity done again by the same {holder}"
    if cause == "team_handover":
        return f"mostly waiting between teams ({share:.0%} of it): {noun} passed from team to team inside the stage"
    if cause == "off_design":
        usual = "inside the stage" if item["kind"] == "stage" else f"most often '{item['off_design_activity']}'"
        return f"mostly off-design work ({share:.0%} of it): {noun} held up by activities the design lacks, {usual}"
    where = {"stage": "inside the stage", "team_handover": f"at {item['to_team']}"}.get(
        item["kind"], f"at {item['to_department']}"
    )
    return f"mostly queue waiting ({share:.0%} of it) {where}"


def finding_sentence(item: dict[str, Any], journey: DesignedJourney, working_time: bool = True) -> str:
    """One finding in words an improvement team can act on, its times in the basis they were measured in
    (`working_time`: the scope's, `Scope.working_time`; without it every figure is calendar time)."""
    noun = journey.journey_noun
    share = f"{item['share_of_excess']:.0%} of all excess lead time"
    basis = measured_in(item["time"], working_time)
    median = duration_in_words(item["median_hours"], basis)
    norm = "" if pd.isna(item["norm_hours"]) else _norm_words(item["norm_hours"], item["time"], basis, journey)
    cause = _cause_clause(item, journey)
    if item["kind"] == "team_handover":
        return (
            f"{item['from_team']} → {item['to_team']}, teams of {item['to_department']} inside stage {item['stage']}: "
            f"{int(item['volume']):,} handovers in {int(item['journeys']):,} {noun}, median wait {median}; "
            f"{item['breach_rate']:.0%} of them breach the stage's norm; {share} (part of the stage's); {cause}."
        )
    if item["kind"] == "stage":
        return (
            f"Stage {item['stage']} ({item['to_department']}): median {median} against a norm of "
            f"{norm}; {item['breach_rate']:.0%} of {noun} breach; "
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
        f"{pair}: median {median} against a norm of {norm}; "
        f"{item['breach_rate']:.0%} of {noun} breach; {share}; {cause}."
    )


def with_sentences(ranked: pd.DataFrame, journey: DesignedJourney, working_time: bool = True) -> pd.DataFrame:
    """The bottleneck ranking with each item's sentence (the `sentence` column of bottlenecks.parquet);
    `working_time` as in finding_sentence."""
    table = ranked.copy()
    table["sentence"] = [finding_sentence(row, journey, working_time) for row in ranked.to_dict("records")]
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
    working_time: bool = True,
) -> list[str]:
    """The top findings: the ranked items first, then escalation away from the front and team ping-pong
    when they are common; `working_time` as in finding_sentence."""
    sentences = [finding_sentence(row, journey, working_time) for row in ranked.head(top).to_dict("records")]
    if not sentences:
        sentences.append(f"No handover or stage of the {journey.name} journey exceeds its norm.")
    if push is not None:
        sentences.append(push_to_front_sentence(push, journey))
    if teams is not None:
        sentences.append(team_ping_pong_sentence(teams, journey))
    return sentences
