"""On the service-desk-shaped log (tests/service_desk_log.py: thirty second-line teams read from the team
name, the log's department the same for all) the stage holding most of the excess is in the pilot's stage
table with the figure the tickets' shapes give, and the handovers between second-line teams are ranked."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterator

import duckdb
import pytest

from mining.design.bottlenecks import locate_bottlenecks, push_to_front, team_ping_pong
from mining.design.journey import DesignedJourney
from mining.design.load import load_designed_journey
from mining.pilot.definition import PilotDefinition
from mining.pilot.evaluation import evaluate_pilot
from mining.scope.scope import define_scope
from tests.service_desk_log import CHANGE, ServiceDeskLog, write_service_desk_log

SECOND_LINE = "Second-line resolution"
NORM = 8.0  # hours, the design's norm of Second-line resolution


@pytest.fixture(scope="module")
def service_desk(tmp_path_factory: pytest.TempPathFactory) -> ServiceDeskLog:
    return write_service_desk_log(tmp_path_factory.mktemp("service_desk"))


@pytest.fixture(scope="module")
def store(service_desk: ServiceDeskLog) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(service_desk.load()))
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def journey(service_desk: ServiceDeskLog) -> DesignedJourney:
    return load_designed_journey(service_desk.design)


def test_the_second_line_stage_is_in_the_pilot_with_the_tickets_figure(service_desk, store, journey) -> None:
    evaluation = evaluate_pilot(store, PilotDefinition(change_date=CHANGE, bootstrap=200), journey, with_map=False)
    rows = evaluation.comparisons.set_index("key")
    expected = {}
    for side in ("before", "after"):
        hours = [t.second_line_hours for t in service_desk.tickets if t.side == side and t.teams]
        # the shapes make the median unambiguous: the lower and upper middle agree (2 team waits + 2 h)
        assert statistics.median_low(hours) == statistics.median_high(hours)
        expected[side] = statistics.median_low(hours)
    assert expected == {"before": 2 * 12.0 + 2, "after": 2 * 6.0 + 2}
    # before the fix the pilot put every Investigate and Resolve into First-line resolution (the log's
    # department "IT Operations" owns no stage) and this stage was missing
    row = rows.loc[f"stage:{SECOND_LINE}"]
    assert (row["before"], row["after"]) == pytest.approx((expected["before"], expected["after"]))


def test_handovers_between_second_line_teams_are_ranked(service_desk, store, journey) -> None:
    ranked = locate_bottlenecks(define_scope(store, journey.journey_type), journey)
    # by the tickets' shapes: a stage instance lasts (teams - 1) * team wait + 2 h; its excess over 8 h
    # goes to each team handover in proportion to its wait (team wait / span)
    stage_excess = 0.0
    pair_excess: dict[tuple[str, str], float] = defaultdict(float)
    for ticket in service_desk.tickets:
        span = ticket.second_line_hours
        if span is None:
            continue
        excess = max(span - NORM, 0.0)
        stage_excess += excess
        for before, after in zip(ticket.teams, ticket.teams[1:], strict=False):
            pair_excess[(before, after)] += excess * ticket.team_wait / span
    top = ranked.iloc[0]
    assert (top["kind"], top["name"]) == ("stage", SECOND_LINE)
    assert top["excess_hours"] == pytest.approx(stage_excess)
    assert top["characterisation"] == "team_handover"  # not rework: no team does an activity twice
    assert top["rework_hours"] == 0
    teams = ranked[ranked["kind"] == "team_handover"]
    found = {(row.from_team, row.to_team): row.excess_hours for row in teams.itertuples()}
    assert found == pytest.approx({pair: hours for pair, hours in pair_excess.items() if hours > 0})
    assert (teams["stage"] == SECOND_LINE).all() and (teams["to_department"] == "Second line").all()
    assert teams["rank"].min() == 2  # the busiest pair right after the stage that holds them


def test_the_pilot_hands_over_between_the_designs_departments(service_desk, store, journey) -> None:
    # the log's department is "IT Operations" for every team: before, the pilot compared no handover at all;
    # on the design's departments every escalated ticket goes First line -> Second line (4 h) and back
    # to the desk to close (1 h), on both sides of the change
    evaluation = evaluate_pilot(store, PilotDefinition(change_date=CHANGE, bootstrap=200), journey, with_map=False)
    handovers = evaluation.comparisons[evaluation.comparisons["family"] == "handover"].set_index("key")
    assert sorted(handovers.index) == ["handover:First line->Second line", "handover:Second line->First line"]
    assert tuple(handovers.loc["handover:First line->Second line", ["before", "after"]]) == pytest.approx((4.0, 4.0))
    assert tuple(handovers.loc["handover:Second line->First line", ["before", "after"]]) == pytest.approx((1.0, 1.0))
    # the desk getting its ticket back to close it is the design's own return, not ping-pong (it was 61%)
    rates = evaluation.comparisons.set_index("key").loc["ping_pong_rate", ["before", "after"]]
    assert tuple(rates) == (0.0, 0.0)


def test_the_desk_getting_its_ticket_back_is_no_team_ping_pong(service_desk, store, journey) -> None:
    # a ticket escalated to one team goes Service Desk -> L2 x -> Service Desk, as the design has it (both
    # handovers designed); no ticket returns to a second-line team (the teams of a ticket are distinct)
    one_team = sum(1 for ticket in service_desk.tickets if len(ticket.teams) == 1)
    assert one_team / len(service_desk.tickets) > 0.05  # enough to have fired the finding before
    assert team_ping_pong(define_scope(store, journey.journey_type), journey) is None


def test_escalated_tickets_are_pushed_on_from_the_desk(service_desk, store, journey) -> None:
    # the design resolves at the desk (First line registers, resolves and closes; Second line optional):
    # every ticket that reached a second-line team was pushed on, and no other
    scope = define_scope(store, journey.journey_type)
    finding = push_to_front(scope, journey, locate_bottlenecks(scope, journey))
    escalated = sum(1 for ticket in service_desk.tickets if ticket.teams)
    assert finding is not None
    assert (finding.front_department, finding.escalated, finding.total) == ("First line", escalated, 400)
    assert finding.onward == (("Second line", escalated),)
