"""The explorer against a designed journey on the 600-journey demo: its bottlenecks and norm share are the
product's own (mining.design), computed here on the store's scope, so the explorer's rebuilt scope must
match them."""

from __future__ import annotations

from pathlib import Path

from eventlogs.store import connect_store
from flows.paths import DEMO_DESIGNED_JOURNEY
from mining.design.bottlenecks import locate_bottlenecks
from mining.design.load import load_designed_journey
from mining.design.norms import end_to_end_norm
from mining.explore import ExplorerData, JourneyFilter, bottlenecks, summary
from mining.scope.scope import define_scope


def test_bottlenecks_and_norm_share_match_the_product(demo_store: Path) -> None:
    journey = load_designed_journey(DEMO_DESIGNED_JOURNEY)
    connection = connect_store(demo_store, read_only=True)
    try:
        scope = define_scope(connection, journey_type=journey.journey_type)
        expected = locate_bottlenecks(scope, journey)
        within = end_to_end_norm(define_scope(connection), journey)["within_norm_rate"]
    finally:
        connection.close()
    data = ExplorerData.open(demo_store, journey)
    found = bottlenecks(data, JourneyFilter()).to_json()
    assert found["available"] is True and len(found["items"]) == len(expected) > 0
    for item, row in zip(found["items"], expected.to_dict("records"), strict=True):
        assert (item["rank"], item["kind"], item["name"], item["volume"]) == (
            row["rank"],
            row["kind"],
            row["name"],
            row["volume"],
        )
        assert abs(item["excess_hours"] - row["excess_hours"]) < 1e-6
    assert within is not None
    assert summary(data, JourneyFilter()).within_norm_share == within
    # a filter narrows the bottlenecks to its journeys: none without a journey of the design's type
    assert bottlenecks(data, JourneyFilter(journey_types=("no such type",))).items == ()
