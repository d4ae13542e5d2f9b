"""OCEL events copied into several journeys: an event linked (directly or through via objects) to several
case objects becomes one journey event per case object. Counted where the flattening makes them, so a
configuration that multiplies events says so (one via type once made one event type 15-fold)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import duckdb

from eventlogs.one_row import one_row
from eventlogs.staging import StagedSource

MANIFEST_KEY = "journey_copies"  # where the staged manifest carries it to the load result


@dataclass(frozen=True)
class JourneyCopies:
    """`events`: OCEL events that became journey events of more than one journey; `extra_copies`: the
    journey events beyond one per such event (an event in 3 journeys adds 2); `widest_event_type` and
    `widest_fold`: the event type whose events reach the most journeys, and how many (ties: the first
    type by name). The journey events of a source = its OCEL events in some journey + extra_copies."""

    source: str
    events: int
    extra_copies: int
    widest_event_type: str | None
    widest_fold: int

    def summary(self) -> str | None:
        """The extract summary's line; None when no event was copied."""
        if not self.events:
            return None
        events = "1 event" if self.events == 1 else f"{self.events:,} events"
        copies = "1 extra copy" if self.extra_copies == 1 else f"{self.extra_copies:,} extra copies"
        return (
            f"{self.source}: {events} copied into several journeys ({copies}; event type "
            f"'{self.widest_event_type}': {self.widest_fold}-fold at most)"
        )

    def record_in(self, staged: StagedSource) -> StagedSource:
        """Notes the copies in the staged manifest, for the load result (LoadResult.journey_copies)."""
        manifest = staged.manifest()
        manifest[MANIFEST_KEY] = asdict(self)
        staged.manifest_file.write_text(json.dumps(manifest, indent=2))
        return staged

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> JourneyCopies | None:
        """The copies a staged manifest carries; None for a source that copies nothing by construction."""
        held = manifest.get(MANIFEST_KEY)
        return None if held is None else cls(**held)


def count_journey_copies(connection: duckdb.DuckDBPyConnection, source: str) -> JourneyCopies:
    """Over ocel_journey_links (case object, event id) and ocel_checked (flatten.py): the events staged as
    journey events, that is without a reason to reject them, in more than one journey."""
    connection.execute("""
        CREATE OR REPLACE TEMP TABLE ocel_copied AS
        SELECT e.event_id, any_value(e.event_type) AS event_type, count(*) AS fold
        FROM ocel_journey_links j JOIN ocel_checked e ON e.event_id = j.event_id AND e.reason IS NULL
        GROUP BY e.event_id HAVING count(*) > 1
    """)
    events, extra = one_row(connection.execute("SELECT count(*), coalesce(sum(fold - 1), 0) FROM ocel_copied"))
    widest = connection.execute("SELECT event_type, fold FROM ocel_copied ORDER BY fold DESC, event_type LIMIT 1")
    event_type, fold = widest.fetchone() or (None, 0)
    return JourneyCopies(source, int(events), int(extra), event_type, int(fold))
