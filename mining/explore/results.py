"""What the explorer's analyses return: frozen dataclasses, each with `to_json()` giving the JSON API's
shape (docs: the explorer contract, README). Numbers only; the page and the server say them."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any


def json_number(value: float | None) -> float | None:
    """NaN (no data) travels as null: JSON has no NaN."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return float(value)


def iso(moment: datetime | date | None) -> str | None:
    return None if moment is None else moment.isoformat()


@dataclass(frozen=True)
class MapNode:
    id: str
    count: int
    journeys: int


@dataclass(frozen=True)
class MapEdge:
    id: str
    source: str
    target: str
    count: int
    journeys: int
    median_wait_hours: float | None
    p90_wait_hours: float | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "from": self.source, "to": self.target, "count": self.count,
                "journeys": self.journeys, "median_wait_hours": json_number(self.median_wait_hours),
                "p90_wait_hours": json_number(self.p90_wait_hours)}  # fmt: skip


@dataclass(frozen=True)
class ProcessMap:
    """Nodes (count: steps there; journeys: journeys with a step there) and edges (consecutive steps; at
    department and team level only handovers) of the filtered journeys; `grouped`: how many holders were
    summed into the group node `group_name`, or None."""

    level: str
    journeys: int
    nodes: tuple[MapNode, ...]
    edges: tuple[MapEdge, ...]
    grouped_nodes: int | None
    group_name: str | None
    wait_basis: str

    def to_json(self) -> dict[str, Any]:
        grouped = None if self.grouped_nodes is None else {"nodes": self.grouped_nodes, "name": self.group_name}
        return {"level": self.level, "journeys": self.journeys, "nodes": [asdict(node) for node in self.nodes],
                "edges": [edge.to_json() for edge in self.edges], "grouped": grouped,
                "wait_basis": self.wait_basis}  # fmt: skip


@dataclass(frozen=True)
class JourneyRow:
    journey_id: str
    journey_type: str
    opened_at: datetime | None
    lead_time_hours: float | None
    status: str
    wait_hours: float | None

    def to_json(self) -> dict[str, Any]:
        return {"journey_id": self.journey_id, "journey_type": self.journey_type, "opened_at": iso(self.opened_at),
                "lead_time_hours": json_number(self.lead_time_hours), "status": self.status,
                "wait_hours": json_number(self.wait_hours)}  # fmt: skip


@dataclass(frozen=True)
class JourneyPage:
    total: int
    journeys: tuple[JourneyRow, ...]

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "journeys": [row.to_json() for row in self.journeys]}


@dataclass(frozen=True)
class TimelineEvent:
    activity: str
    ts: datetime
    department: str | None
    team: str | None
    kind: str  # work | contact
    wait_hours: float | None
    paused_hours: float | None

    def to_json(self) -> dict[str, Any]:
        return {"activity": self.activity, "ts": iso(self.ts), "department": self.department, "team": self.team,
                "kind": self.kind, "wait_hours": json_number(self.wait_hours),
                "paused_hours": json_number(self.paused_hours)}  # fmt: skip


@dataclass(frozen=True)
class Timeline:
    journey_id: str
    journey_type: str
    opened_at: datetime | None
    closed_at: datetime | None
    status: str
    events: tuple[TimelineEvent, ...]

    def to_json(self) -> dict[str, Any]:
        return {"journey_id": self.journey_id, "journey_type": self.journey_type, "opened_at": iso(self.opened_at),
                "closed_at": iso(self.closed_at), "status": self.status,
                "events": [event.to_json() for event in self.events]}  # fmt: skip


@dataclass(frozen=True)
class Summary:
    journeys: int
    finished: int
    open: int
    events: int
    median_lead_hours: float | None
    p90_lead_hours: float | None
    contacts_per_journey: float | None
    within_norm_share: float | None
    first_opened: datetime | None
    last_opened: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {"journeys": self.journeys, "finished": self.finished, "open": self.open, "events": self.events,
                "median_lead_hours": json_number(self.median_lead_hours),
                "p90_lead_hours": json_number(self.p90_lead_hours),
                "contacts_per_journey": json_number(self.contacts_per_journey),
                "within_norm_share": json_number(self.within_norm_share),
                "period": {"first_opened": iso(self.first_opened), "last_opened": iso(self.last_opened)}}  # fmt: skip


@dataclass(frozen=True)
class Variant:
    variant_id: str
    activities: tuple[str, ...]
    journeys: int
    share: float
    median_lead_hours: float | None

    def to_json(self) -> dict[str, Any]:
        return {"variant_id": self.variant_id, "activities": list(self.activities), "journeys": self.journeys,
                "share": self.share, "median_lead_hours": json_number(self.median_lead_hours)}  # fmt: skip


@dataclass(frozen=True)
class VariantList:
    total: int
    variants: tuple[Variant, ...]

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "variants": [variant.to_json() for variant in self.variants]}


@dataclass(frozen=True)
class HandoverRow:
    source: str
    target: str
    count: int
    journeys: int
    median_wait_hours: float | None
    p90_wait_hours: float | None
    total_wait_hours: float | None

    def to_json(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "count": self.count, "journeys": self.journeys,
                "median_wait_hours": json_number(self.median_wait_hours),
                "p90_wait_hours": json_number(self.p90_wait_hours),
                "total_wait_hours": json_number(self.total_wait_hours)}  # fmt: skip


@dataclass(frozen=True)
class HandoverTable:
    """Pairs ranked as the report ranks them (mining.discovery.ranking); `other_*` sums the pairs left out."""

    total: int
    handovers: tuple[HandoverRow, ...]
    other_pairs: int
    other_count: int
    other_total_wait_hours: float

    def to_json(self) -> dict[str, Any]:
        other = None
        if self.other_pairs:
            other = {"pairs": self.other_pairs, "count": self.other_count,
                     "total_wait_hours": json_number(self.other_total_wait_hours)}  # fmt: skip
        return {"total": self.total, "handovers": [row.to_json() for row in self.handovers], "other": other}


@dataclass(frozen=True)
class Bottleneck:
    rank: int
    kind: str
    name: str
    source: str | None
    target: str | None
    stage: str | None
    volume: int
    median_hours: float | None
    norm_hours: float | None
    breach_rate: float | None
    excess_hours: float | None
    share_of_excess: float | None

    def to_json(self) -> dict[str, Any]:
        return {"rank": self.rank, "kind": self.kind, "name": self.name, "from": self.source, "to": self.target,
                "stage": self.stage, "volume": self.volume, "median_hours": json_number(self.median_hours),
                "norm_hours": json_number(self.norm_hours), "breach_rate": json_number(self.breach_rate),
                "excess_hours": json_number(self.excess_hours),
                "share_of_excess": json_number(self.share_of_excess)}  # fmt: skip


@dataclass(frozen=True)
class BottleneckList:
    available: bool
    reason: str | None
    items: tuple[Bottleneck, ...]

    def to_json(self) -> dict[str, Any]:
        return {"available": self.available, "reason": self.reason, "items": [item.to_json() for item in self.items]}


@dataclass(frozen=True)
class TrendWeek:
    week: date
    journeys: int
    within_norm_share: float | None


@dataclass(frozen=True)
class HandoverWeek:
    week: date
    count: int
    median_wait_hours: float | None


@dataclass(frozen=True)
class HandoverTrend:
    source: str
    target: str
    weeks: tuple[HandoverWeek, ...]


@dataclass(frozen=True)
class Trends:
    weeks: tuple[TrendWeek, ...]
    handovers: tuple[HandoverTrend, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "weeks": [{"week": iso(week.week), "journeys": week.journeys,
                       "within_norm_share": json_number(week.within_norm_share)} for week in self.weeks],
            "handovers": [{"from": trend.source, "to": trend.target,
                           "weeks": [{"week": iso(week.week), "count": week.count,
                                      "median_wait_hours": json_number(week.median_wait_hours)}
                                     for week in trend.weeks]} for trend in self.handovers],
        }  # fmt: skip


@dataclass(frozen=True)
class HandoverDifference:
    source: str
    target: str
    a_median_wait_hours: float | None
    b_median_wait_hours: float | None
    change: float | None  # b - a
    change_low: float | None
    change_high: float | None
    q_value: float | None
    significant: bool
    a_count: int
    b_count: int

    def to_json(self) -> dict[str, Any]:
        numbers = ("a_median_wait_hours", "b_median_wait_hours", "change", "change_low", "change_high", "q_value")
        return {"from": self.source, "to": self.target, **{name: json_number(getattr(self, name)) for name in numbers},
                "significant": self.significant, "a_count": self.a_count, "b_count": self.b_count}  # fmt: skip


@dataclass(frozen=True)
class CohortComparison:
    a: Summary
    b: Summary
    handovers: tuple[HandoverDifference, ...]

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a.to_json(), "b": self.b.to_json(), "handovers": [row.to_json() for row in self.handovers]}
