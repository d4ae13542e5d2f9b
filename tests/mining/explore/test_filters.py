"""The journey filter on the hand-made store (tests/mining/explore/conftest.py): each kind, combined, parsed
from query parameters, and hostile values that reach SQL only bound."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from mining.explore import ExplorerData, FilterError, JourneyFilter, journeys_behind


def _ids(explorer: ExplorerData, filters: JourneyFilter) -> list[str]:
    page = journeys_behind(explorer, filters, sort="journey_id", descending=False)
    assert page.total == len(page.journeys)
    return [row.journey_id for row in page.journeys]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (JourneyFilter(), ["J1", "J2", "J3"]),
        (JourneyFilter(opened_from=date(2026, 3, 9)), ["J3"]),
        (JourneyFilter(opened_to=date(2026, 3, 2)), ["J1", "J2"]),  # inclusive last day
        # work events on 3 March: J1's C (15:00) and D, J2's B (01:00) and on; J3 works on 9 and 11 March
        (JourneyFilter(active_from=date(2026, 3, 3), active_to=date(2026, 3, 3)), ["J1", "J2"]),
        (JourneyFilter(active_from=date(2026, 3, 10)), ["J3"]),  # its B on 11 March
        (JourneyFilter(journey_types=("u",)), ["J3"]),
        (JourneyFilter(variants=(hashlib.sha256(b"A\x1fB").hexdigest()[:12],)), ["J3"]),
        (JourneyFilter(through=("C",)), ["J1", "J2"]),
        (JourneyFilter(through=("C", "Nowhere")), []),  # all of them must hold
        (JourneyFilter(through_departments=("P",)), ["J1", "J2"]),
        (JourneyFilter(status="open"), ["J3"]),
        (JourneyFilter(status="finished"), ["J1", "J2"]),
        (JourneyFilter(lead_min_hours=25), ["J1", "J3"]),  # J1 31 h, J3 48 h old at the extraction
        (JourneyFilter(lead_min_hours=25, lead_max_hours=40), ["J1"]),
        (JourneyFilter(attributes=(("region", "North"),)), ["J1"]),
        (JourneyFilter(status="finished", through=("C",), lead_max_hours=25), ["J2"]),
        (JourneyFilter(journey_types=("t",), attributes=(("region", "South"),), opened_to=date(2026, 3, 2)), ["J2"]),
    ],
)
def test_each_filter_and_their_combination(explorer: ExplorerData, filters: JourneyFilter, expected: list[str]) -> None:
    assert _ids(explorer, filters) == expected


def test_hostile_names_and_values_reach_sql_only_bound(explorer: ExplorerData) -> None:
    hostile = "x' OR '1'='1"
    filters = JourneyFilter(
        attributes=((hostile, "'; DROP TABLE journeys; --"), ("$.region", "North")),
        through=(hostile,),
        journey_types=("t' OR 1=1 --",),
    )
    assert _ids(explorer, filters) == []
    assert _ids(explorer, JourneyFilter(attributes=(("region') OR TRUE --", "North"),))) == []
    assert len(_ids(explorer, JourneyFilter())) == 3  # nothing was dropped


def test_query_parameters_round_trip() -> None:
    params = {
        "opened_from": ["2026-03-01"],
        "opened_to": ["2026-03-31"],
        "journey_type": ["t", "u"],
        "through": ["A"],
        "through_department": ["SD"],
        "status": ["open"],
        "lead_min_hours": ["2.5"],
        "attr.region": ["North"],
        "variant": ["abc"],
        "level": ["team"],  # level: the view's, ignored
    }
    filters = JourneyFilter.from_query(params)
    assert filters == JourneyFilter(
        opened_from=date(2026, 3, 1),
        opened_to=date(2026, 3, 31),
        journey_types=("t", "u"),
        through=("A",),
        through_departments=("SD",),
        status="open",
        lead_min_hours=2.5,
        attributes=(("region", "North"),),
        variants=("abc",),
    )
    query: dict[str, list[str]] = {}
    for name, value in filters.to_query("b."):
        query.setdefault(name, []).append(value)
    assert JourneyFilter.from_query(query, "b.") == filters
    assert JourneyFilter.from_query(query, "a.") == JourneyFilter()


@pytest.mark.parametrize(
    ("params", "prefix", "named"),
    [
        ({"opened_from": ["2026-13-01"]}, "", "'opened_from'"),
        ({"a.lead_min_hours": ["soon"]}, "a.", "'a.lead_min_hours'"),
        ({"lead_max_hours": ["-1"]}, "", "'lead_max_hours'"),
        ({"status": ["closed"]}, "", "'status'"),
        ({"active_to": ["2026-03-01", "2026-03-02"]}, "", "'active_to'"),
        ({"opened_from": ["2026-03-05"], "opened_to": ["2026-03-01"]}, "", "'opened_from'"),
        ({"attr.": ["x"]}, "", "'attr.'"),
    ],
)
def test_a_bad_parameter_is_named(params: dict[str, list[str]], prefix: str, named: str) -> None:
    with pytest.raises(FilterError, match=named):
        JourneyFilter.from_query(params, prefix)
