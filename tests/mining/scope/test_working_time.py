"""Business calendars and working time, against answers worked out by hand on a wall calendar.

Europe/Amsterdam switches to summer time on Sunday 2026-03-29 (CET = UTC+1 before, CEST = UTC+2
after); Good Friday 2026-04-03 is a holiday of the shop calendar.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from mining.discovery.handovers import handovers
from mining.discovery.silo_tax import silo_tax_per_journey
from mining.discovery.tables import directly_follows
from mining.errors import ConfigError
from mining.scope.scope import define_scope
from mining.scope.time_rules import TimeRules, load_time_rules
from mining.scope.working_time import install_working_clock, working_hours
from tests.conftest import event_row, hand_made_store, journey_row

RULES = """\
calendars:
  shop:
    timezone: Europe/Amsterdam
    hours:
      mon-fri: "08:00-17:00"
      sat: "09:00-12:00, 13:00-17:00"
    holidays: [2026-04-03]
  weekend_watch:
    timezone: Europe/Amsterdam
    hours: {sat-sun: "00:00-24:00"}
departments:
  Shop: shop
  Watch: weekend_watch
default_calendar: shop
pause_activities: ["Awaiting caller", "*Wait - User*"]
"""


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture()
def rules(tmp_path: Path) -> TimeRules:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES)
    return load_time_rules(path)


@pytest.fixture()
def clock(rules: TimeRules) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    install_working_clock(connection, rules, utc(2026, 3, 20), utc(2026, 4, 10))
    return connection


def test_rules_are_read(rules: TimeRules) -> None:
    shop = rules.calendars["shop"]
    assert shop.hours[0] == ((480, 1020),) and shop.hours[5] == ((540, 720), (780, 1020))
    assert 6 not in shop.hours  # Sunday closed
    assert rules.calendars["weekend_watch"].hours[6] == ((0, 1440),)
    assert rules.calendar_of("Watch") == "weekend_watch" and rules.calendar_of("Unknown") == "shop"


@pytest.mark.parametrize(
    ("starts", "ends", "expected"),
    [
        # Fri 16:00 CET -> Mon 09:00 CEST over the DST weekend: Fri 16-17 = 1, Sat 9-12 + 13-17 = 7,
        # Sun closed, Mon 08-09 = 1 -> 9 h (a fixed UTC+1 would open Monday at 07:00 UTC and say 8 h)
        (utc(2026, 3, 27, 15), utc(2026, 3, 30, 7), 9.0),
        # the two-interval Saturday: 11:30-12:00 = 0.5, lunch 12-13 off, 13:00-13:30 = 0.5 -> 1 h
        (utc(2026, 3, 28, 10, 30), utc(2026, 3, 28, 12, 30), 1.0),
        # Thu 16:00 CEST -> Mon 09:00 CEST over Good Friday: Thu 1, Fri holiday 0, Sat 7, Sun 0, Mon 1 -> 9 h
        (utc(2026, 4, 2, 14), utc(2026, 4, 6, 7), 9.0),
        # within one working stretch: Tue 10:00 -> 15:30 CEST = 5.5 h
        (utc(2026, 3, 31, 8), utc(2026, 3, 31, 13, 30), 5.5),
        # both ends outside working hours on the same night: 0 h
        (utc(2026, 3, 31, 18), utc(2026, 4, 1, 5), 0.0),
    ],
)
def test_shop_working_hours(
    clock: duckdb.DuckDBPyConnection, starts: datetime, ends: datetime, expected: float
) -> None:
    assert working_hours(clock, "shop", starts, ends) == pytest.approx(expected)


def test_a_round_the_clock_day_on_the_dst_change_has_23_hours(clock: duckdb.DuckDBPyConnection) -> None:
    # Sat 12:00 UTC = 13:00 CET -> Mon 12:00 UTC: Sat 13:00-24:00 = 11 h, Sunday (clocks go forward) 23 h,
    # Monday not in the calendar -> 34 h of 48 calendar hours
    assert working_hours(clock, "weekend_watch", utc(2026, 3, 28, 12), utc(2026, 3, 30, 12)) == pytest.approx(34.0)


# (journey, activity, department, UTC instant)
EVENTS = [
    ("J1", "Logged", "Shop", utc(2026, 3, 27, 15)),  # Fri 16:00 CET
    ("J1", "Checked", "Watch", utc(2026, 3, 28, 12)),  # Sat 13:00 CET, received by the weekend watch
    ("J1", "Awaiting caller", "Shop", utc(2026, 3, 30, 7)),  # Mon 09:00 CEST, a pause starts
    ("J1", "Answered", "Shop", utc(2026, 3, 31, 8)),  # Tue 10:00 CEST: the gap before is the customer's
    ("J1", "Routed", "Elsewhere", utc(2026, 3, 31, 9)),  # an unmapped department: the default (shop) calendar
    ("J2", "Logged", "Shop", utc(2026, 4, 2, 14)),  # Thu 16:00 CEST, still open
]


@pytest.fixture()
def store(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    journeys = [
        journey_row("J1", utc(2026, 3, 27, 15), utc(2026, 3, 31, 9)),
        journey_row("J2", utc(2026, 4, 2, 14), None),
    ]
    events = [event_row(j, a, ts, d, f"e{index}") for index, (j, a, d, ts) in enumerate(EVENTS)]
    # a customer contact later than every work event: the store's latest moment, so the censoring time
    events.append(event_row("J2", "Chased", utc(2026, 4, 6, 7), "Customer", "c1", event_kind="contact"))
    return hand_made_store(tmp_path / "time.duckdb", journeys, events)


def test_waits_in_the_receiving_department_calendar_with_pauses_apart(
    store: duckdb.DuckDBPyConnection, rules: TimeRules
) -> None:
    define_scope(store, time_rules=rules)
    rows = store.execute("""
        SELECT activity, wait_hours, wait_working_hours, paused_hours, paused_working_hours
        FROM scope_work_events WHERE journey_id = 'J1' ORDER BY position
    """).fetchall()
    assert rows[0] == ("Logged", None, None, None, None)
    # Checked (weekend watch, Sat-Sun round the clock): Fri 16:00 CET -> Sat 13:00 CET = 21 calendar h,
    # of which the watch works Sat 00:00-13:00 = 13 h
    assert rows[1] == ("Checked", 21.0, pytest.approx(13.0), 0.0, 0.0)
    # Awaiting caller (shop): Sat 13:00 CET -> Mon 09:00 CEST = 44 wall-clock h less the hour the clocks
    # skip = 43 calendar h; shop works Sat 13-17 = 4 + Mon 08-09 = 1 -> 5 h
    assert rows[2] == ("Awaiting caller", 43.0, pytest.approx(5.0), 0.0, 0.0)
    # Answered: the gap after the pause is the customer's: Mon 09:00 -> Tue 10:00 = 25 calendar h;
    # on the shop calendar Mon 09-17 = 8 + Tue 08-10 = 2 -> 10 paused working hours, no internal wait
    assert rows[3] == ("Answered", 25.0, 0.0, 25.0, pytest.approx(10.0))
    # Routed to a department without a calendar: the default (shop), Tue 10:00 -> 11:00 = 1 h
    assert rows[4] == ("Routed", 1.0, pytest.approx(1.0), 0.0, 0.0)


def test_lead_time_and_censoring(store: duckdb.DuckDBPyConnection, rules: TimeRules) -> None:
    scope = define_scope(store, time_rules=rules)
    assert scope.journey_count == 2  # the open journey stays in scope
    assert scope.working_time  # calendars applied: the one time basis every analysis reads
    rows = store.execute("""
        SELECT journey_id, is_open, lead_hours, lead_working_hours, censored_at, open_hours, open_working_hours
        FROM scope_journeys ORDER BY journey_id
    """).fetchall()
    # J1 Fri 16:00 CET -> Tue 11:00 CEST = 90 calendar h (96 - 5 - the lost DST hour); on the default shop
    # calendar Fri 1 + Sat 7 + Mon 9 + Tue 3 = 20 working h (lead time keeps the customer's pauses)
    assert rows[0][:4] == ("J1", False, 90.0, pytest.approx(20.0))
    assert rows[0][4:] == (None, None, None)
    # J2 is open: censored at the store's latest moment (the chase, Mon 07:00 UTC), no lead time;
    # Thu 16:00 -> Mon 09:00 CEST = 89 calendar h, 9 shop hours (Good Friday off)
    assert rows[1][:4] == ("J2", True, None, None)
    assert rows[1][4] == utc(2026, 4, 6, 7) == scope.extracted_at
    assert rows[1][5:] == (89.0, pytest.approx(9.0))


def test_without_calendars_working_time_is_calendar_time_minus_pauses(store: duckdb.DuckDBPyConnection) -> None:
    define_scope(store, time_rules=TimeRules(pause_activities=("Awaiting*",)))
    waits = store.execute("""
        SELECT wait_hours, wait_working_hours, paused_hours FROM scope_work_events
        WHERE journey_id = 'J1' AND position > 1 ORDER BY position
    """).fetchall()
    assert waits == [(21.0, 21.0, 0.0), (43.0, 43.0, 0.0), (25.0, 0.0, 25.0), (1.0, 1.0, 0.0)]
    lead = store.execute("SELECT lead_hours, lead_working_hours FROM scope_journeys WHERE journey_id = 'J1'")
    assert lead.fetchone() == (90.0, 90.0)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("calendars:\n  shop:\n    timezone: Mars/Olympus\n    hours: {mon: 08:00-17:00}\n", 3, "IANA"),
        ('calendars:\n  shop:\n    timezone: UTC\n    hours:\n      mon: "8-17"\n', 5, "HH:MM-HH:MM"),
        ('calendars:\n  shop:\n    timezone: UTC\n    hours:\n      mun: "08:00-17:00"\n', 5, "weekdays"),
        (
            'calendars:\n  shop:\n    timezone: UTC\n    hours: {mon: "08:00-17:00"}\n    holidays: [2026-13-01]\n',
            5,
            "ISO",
        ),
        ('calendars:\n  shop:\n    timezone: UTC\n    hours: {mon: "08:00-12:00, 11:00-17:00"}\n', 4, "overlap"),
        ("calendars: {}\ndepartments:\n  Shop: office\n", 3, "unknown calendar 'office'"),
        ("default_calendar: office\n", 1, "unknown calendar"),
        ("pause_activities: Awaiting\n", 1, "must be a list"),
        ("calender: {}\n", 1, "unknown key"),
    ],
)
def test_errors_name_file_line_and_key(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=rf"bad\.yaml:{line}: .*{fragment}"):
        load_time_rules(path)


def test_open_journey_in_the_hand_store_is_censored_not_dropped(hand_store: duckdb.DuckDBPyConnection) -> None:
    scope = define_scope(hand_store)
    assert scope.journey_count == 3
    assert not scope.working_time  # no calendars: working-time columns are calendar time
    row = hand_store.execute(
        "SELECT is_open, lead_hours, censored_at, open_hours FROM scope_journeys WHERE journey_id = 'J3'"
    ).fetchone()
    # J3 opened at T0; the store's latest moment is J3's own B at T0 + 48 h
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert row == (True, None, t0 + timedelta(hours=48), 48.0)
    assert scope.extracted_at == t0 + timedelta(hours=48)


def test_handovers_and_silo_tax_leave_pauses_out_of_internal_waiting(
    store: duckdb.DuckDBPyConnection, rules: TimeRules
) -> None:
    scope = define_scope(store, time_rules=rules)
    pairs = handovers(scope).set_index(["from_department", "to_department"])
    columns = ["handovers", "total_wait_hours", "total_wait_working_hours", "paused_hours"]
    # the waits worked out in test_waits_in_the_receiving_department_calendar_with_pauses_apart
    assert pairs.loc[("Shop", "Watch"), columns].tolist() == [1, 21.0, pytest.approx(13.0), 0.0]
    assert pairs.loc[("Watch", "Shop"), columns].tolist() == [1, 43.0, pytest.approx(5.0), 0.0]
    assert pairs.loc[("Shop", "Elsewhere"), columns].tolist() == [1, 1.0, pytest.approx(1.0), 0.0]
    edge = (
        directly_follows(scope).set_index(["source_activity", "target_activity"]).loc[("Awaiting caller", "Answered")]
    )
    # the edge keeps the whole gap (as pm4py measures it) and shows what of it was paused
    assert edge[["mean_wait_hours", "mean_wait_working_hours"]].tolist() == [25.0, 0.0]
    assert edge["paused_hours"] == 25.0
    j1 = silo_tax_per_journey(scope).set_index("journey_id").loc["J1"]
    # handovers 21 + 43 + 1 = 65 h, the paused 25 h is neither handover nor within-department time,
    # other = 90 - 65 - 0 - 25 = 0; working: 13 + 5 + 1 = 19 h of 20 lead working hours
    calendar = ["handover_hours", "within_department_hours", "paused_hours", "other_hours", "lead_hours"]
    assert j1[calendar].tolist() == [65.0, 0.0, 25.0, 0.0, 90.0]
    working = ["handover_working_hours", "within_department_working_hours", "paused_working_hours"]
    assert j1[working].tolist() == pytest.approx([19.0, 0.0, 10.0])
    assert j1["handover_working_share"] == pytest.approx(19 / 20)
