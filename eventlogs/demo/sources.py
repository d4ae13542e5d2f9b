"""Writes what the demo organisation's two source systems hold, defects included, plus the ground truth.

- `ticketing.sqlite`: shaped like a ServiceNow instance (task, sys_audit, sysapproval_approver,
  interaction); timestamps are UTC text, as ServiceNow stores them.
- `logistics_tracking.csv`: a carrier/warehouse tracking export; local times with their UTC offset.
- `ground_truth.json`: what was injected, so tests can check what the analysis recovers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from eventlogs.demo.ground_truth import ground_truth
from eventlogs.demo.simulator import ACTIVITIES, CUSTOMER_CONTACT, LAPTOP, DemoSimulator
from eventlogs.duckdb_extensions import load_sqlite_extension

TICKETING_FILE = "ticketing.sqlite"
LOGISTICS_FILE = "logistics_tracking.csv"
GROUND_TRUTH_FILE = "ground_truth.json"

N_DUPLICATE_AUDIT_ROWS = 12
N_MISSING_TIMESTAMPS = 3
N_UNKNOWN_STATE_CODES = 3
N_OUT_OF_ORDER_SHIPMENTS = 25
N_ORPHAN_SHIPMENTS = 2
SHARE_LOWERCASE_ORDER_REF = 0.01
UNKNOWN_STATE_CODE = "99"


@dataclass(frozen=True)
class DemoFiles:
    """Where a generated demo organisation lives."""

    folder: Path

    @property
    def ticketing(self) -> Path:
        return self.folder / TICKETING_FILE

    @property
    def logistics(self) -> Path:
        return self.folder / LOGISTICS_FILE

    @property
    def ground_truth(self) -> Path:
        return self.folder / GROUND_TRUTH_FILE

    def exist(self) -> bool:
        return self.ticketing.exists() and self.logistics.exists() and self.ground_truth.exists()


def _utc_text(ts: pd.Series) -> pd.Series:
    return ts.dt.strftime("%Y-%m-%d %H:%M:%S")


def _with_previous_work_event(events: pd.DataFrame) -> pd.DataFrame:
    work = events[events["event_kind"] == "work"].copy()
    same_journey = work["journey"].eq(work["journey"].shift())
    work["previous_ts"] = work["ts"].shift().where(same_journey)
    work["previous_resource"] = work["resource"].shift().where(same_journey)
    work["previous_source"] = work["activity"].shift().map(lambda a: ACTIVITIES.get(a, ("", "", ""))[1])
    work["source_kind"] = work["activity"].map(lambda a: ACTIVITIES[a][1])
    work["code"] = work["activity"].map(lambda a: ACTIVITIES[a][2])
    return work


def _task_table(journeys: pd.DataFrame, work: pd.DataFrame) -> pd.DataFrame:
    state = work[work["source_kind"] == "state"]
    last_state = state.groupby("journey").agg(state=("code", "last"), group=("team", "last"))
    last_update = work.groupby("journey")["ts"].max()
    laptop = journeys["journey_type"] == LAPTOP
    return pd.DataFrame(
        {
            "sys_id": journeys["sys_id"],
            "number": journeys["number"],
            "sys_class_name": "sc_req_item",
            "short_description": np.where(laptop, "New laptop", "Software installation"),
            "category": np.where(laptop, "hardware", "software"),
            "subcategory": np.where(laptop, "laptop", "software"),
            "priority": journeys["priority"],
            "caller_id": journeys["caller"],
            "opened_by": journeys["caller"],
            "assignment_group": journeys["journey"].map(last_state["group"]).fillna("Service Desk L1"),
            "state": journeys["journey"].map(last_state["state"]).fillna("1"),
            "opened_at": _utc_text(journeys["opened_at"]),
            "closed_at": _utc_text(journeys["closed_at"]),
            "sys_updated_on": _utc_text(journeys["journey"].map(last_update)),
        }
    )


def _audit_rows(
    documentkey: pd.Series, fieldname: str, oldvalue: object, newvalue: object, at: object, by: object
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "documentkey": documentkey,
            "fieldname": fieldname,
            "oldvalue": oldvalue,
            "newvalue": newvalue,
            "sys_created_on": at,
            "sys_created_by": by,
        }
    )


def _audit_table(journeys: pd.DataFrame, work: pd.DataFrame) -> pd.DataFrame:
    """State changes, and the assignment-group changes that hand the ticket to the next team."""
    sys_id_of = journeys.set_index("journey")["sys_id"]
    state = work[work["source_kind"] == "state"].copy()
    state["oldvalue"] = state.groupby("journey")["code"].shift().fillna("1")
    state_rows = _audit_rows(
        state["journey"].map(sys_id_of), "state", state["oldvalue"], state["code"], state["ts"], state["resource"]
    )
    # The ticket moves to a team when the previous step finishes: at the previous work event.
    state["previous_group"] = state.groupby("journey")["team"].shift().fillna("Service Desk L1")
    moved = state[state["team"] != state["previous_group"]]
    by_system = moved["previous_source"].isin(["shipment", "approval"])
    assignment_rows = _audit_rows(
        moved["journey"].map(sys_id_of),
        "assignment_group",
        moved["previous_group"],
        moved["team"],
        moved["previous_ts"],
        np.where(by_system, "system", moved["previous_resource"]),
    )
    initial_rows = _audit_rows(
        journeys["sys_id"], "assignment_group", None, "Service Desk L1", journeys["opened_at"], "system"
    )
    audit = pd.concat([initial_rows, state_rows, assignment_rows], ignore_index=True)
    audit = audit.sort_values("sys_created_on", kind="stable").reset_index(drop=True)
    audit.insert(0, "sys_id", [f"a{i:031x}" for i in range(len(audit))])
    audit.insert(1, "tablename", "sc_req_item")
    audit["sys_created_on"] = _utc_text(audit["sys_created_on"])
    return audit


def _approval_table(journeys: pd.DataFrame, work: pd.DataFrame) -> pd.DataFrame:
    decided = work[work["source_kind"] == "approval"]
    return pd.DataFrame(
        {
            "sys_id": [f"p{i:031x}" for i in range(len(decided))],
            "sysapproval": decided["journey"].map(journeys.set_index("journey")["sys_id"]).to_numpy(),
            "approver": decided["resource"].to_numpy(),
            "state": decided["code"].to_numpy(),
            "sys_created_on": _utc_text(decided["previous_ts"]).to_numpy(),
            "sys_updated_on": _utc_text(decided["ts"]).to_numpy(),
        }
    )


def _interaction_table(journeys: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    contacts = events[events["activity"] == CUSTOMER_CONTACT]
    number = journeys.set_index("journey")["number"]
    return pd.DataFrame(
        {
            "sys_id": [f"i{i:031x}" for i in range(len(contacts))],
            "number": [f"IMS{i + 1:07d}" for i in range(len(contacts))],
            "type": contacts["team"].to_numpy(),
            "opened_at": _utc_text(contacts["ts"]).to_numpy(),
            "opened_for": contacts["resource"].to_numpy(),
            "parent": contacts["journey"].map(journeys.set_index("journey")["sys_id"]).to_numpy(),
            "short_description": ("Where is my request " + contacts["journey"].map(number) + "?").to_numpy(),
        }
    )


def _tracking_export(journeys: pd.DataFrame, work: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    scans = work[work["source_kind"] == "shipment"]
    order_ref = scans["journey"].map(journeys.set_index("journey")["number"])
    lowercase = rng.random(len(journeys)) < SHARE_LOWERCASE_ORDER_REF
    sloppy = scans["journey"].map(pd.Series(lowercase, index=journeys["journey"]))
    order_ref = order_ref.where(~sloppy, " " + order_ref.str.lower())
    return pd.DataFrame(
        {
            "shipment_id": ("SHP" + scans["journey"].map(lambda j: f"{j + 1:08d}")).to_numpy(),
            "order_ref": order_ref.to_numpy(),
            "event_code": scans["code"].to_numpy(),
            "ts": scans["ts"].reset_index(drop=True),
            "depot": scans["team"].to_numpy(),
        }
    )


class DemoSourceWriter:
    """Simulates the demo organisation and writes its source systems into `folder`."""

    def __init__(self, n_journeys: int = 2000, seed: int = 7) -> None:
        self.n_journeys = n_journeys
        self.seed = seed
        self.rng = np.random.default_rng(seed + 1)

    def write(self, folder: Path) -> DemoFiles:
        files = DemoFiles(folder)
        folder.mkdir(parents=True, exist_ok=True)
        journeys, events = DemoSimulator(self.n_journeys, self.seed).simulate()
        journeys["sys_id"] = [f"t{i:031x}" for i in range(len(journeys))]
        work = _with_previous_work_event(events)
        audit = _audit_table(journeys, work)
        tracking = _tracking_export(journeys, work, self.rng)
        defects = self._inject_defects(audit, tracking)
        audit, tracking = defects.pop("_audit"), defects.pop("_tracking")
        tables = {
            "task": _task_table(journeys, work),
            "sys_audit": audit,
            "sysapproval_approver": _approval_table(journeys, work),
            "interaction": _interaction_table(journeys, events),
        }
        self._write_sqlite(files.ticketing, tables)
        self._write_tracking_csv(files.logistics, tracking)
        truth = ground_truth(journeys, events, self.seed, defects)
        truth["source_rows"] = {name: len(table) for name, table in tables.items()}
        truth["source_rows"]["logistics_tracking"] = len(tracking)
        files.ground_truth.write_text(json.dumps(truth, indent=2, default=str))
        return files

    def _inject_defects(self, audit: pd.DataFrame, tracking: pd.DataFrame) -> dict:
        """Realistic defects; each one is listed in the ground truth by the record it hit."""
        state_rows = np.flatnonzero((audit["fieldname"] == "state").to_numpy())
        picked = self.rng.choice(
            state_rows, N_DUPLICATE_AUDIT_ROWS + N_MISSING_TIMESTAMPS + N_UNKNOWN_STATE_CODES, replace=False
        )
        duplicated = picked[:N_DUPLICATE_AUDIT_ROWS]
        missing = picked[N_DUPLICATE_AUDIT_ROWS : N_DUPLICATE_AUDIT_ROWS + N_MISSING_TIMESTAMPS]
        unknown = picked[N_DUPLICATE_AUDIT_ROWS + N_MISSING_TIMESTAMPS :]
        copies = audit.iloc[duplicated].copy()
        copies["sys_id"] = [f"d{i:031x}" for i in range(len(copies))]
        duplicate_pairs = dict(zip(copies["sys_id"], audit.iloc[duplicated]["sys_id"], strict=True))
        audit.loc[audit.index[missing], "sys_created_on"] = None
        audit.loc[audit.index[unknown], "newvalue"] = UNKNOWN_STATE_CODE
        audit = pd.concat([audit, copies], ignore_index=True)  # double writes land later in the table

        tracking = tracking.sort_values(["shipment_id", "ts"], kind="stable").reset_index(drop=True)
        shipments = tracking["shipment_id"].unique()
        reversed_ids = set(self.rng.choice(shipments, min(N_OUT_OF_ORDER_SHIPMENTS, len(shipments)), False))
        in_reverse = tracking["shipment_id"].isin(reversed_ids)
        tracking = pd.concat([tracking[~in_reverse], tracking[in_reverse].iloc[::-1]], ignore_index=True).sort_values(
            "shipment_id", kind="stable"
        )
        orphans = tracking[tracking["event_code"].isin(["RCV", "PCK"])].head(2 * N_ORPHAN_SHIPMENTS).copy()
        orphan_ids = [f"SHP9{i:07d}" for i in range(N_ORPHAN_SHIPMENTS)]
        orphans["shipment_id"] = np.repeat(orphan_ids, 2)[: len(orphans)]
        orphans["order_ref"] = np.repeat([f"PO-77{i:05d}" for i in range(N_ORPHAN_SHIPMENTS)], 2)[: len(orphans)]
        tracking = pd.concat([tracking, orphans], ignore_index=True)
        return {
            "_audit": audit,
            "_tracking": tracking,
            "duplicate_audit_rows": duplicate_pairs,
            "missing_timestamp": {
                "table": "sys_audit",
                "field": "sys_created_on",
                "sys_ids": audit.iloc[missing]["sys_id"].tolist(),
            },
            "unknown_state_code": {
                "table": "sys_audit",
                "field": "newvalue",
                "code": UNKNOWN_STATE_CODE,
                "sys_ids": audit.iloc[unknown]["sys_id"].tolist(),
            },
            "out_of_order_shipments": sorted(reversed_ids),
            "orphan_shipments": orphan_ids,
            "lowercase_order_refs": int(tracking["order_ref"].str.startswith(" ").sum()),
        }

    @staticmethod
    def _write_sqlite(path: Path, tables: dict[str, pd.DataFrame]) -> None:
        path.unlink(missing_ok=True)
        connection = duckdb.connect()
        load_sqlite_extension(connection)
        connection.execute(f"ATTACH '{path}' AS ticketing (TYPE sqlite)")
        for name, frame in tables.items():
            connection.register("frame", frame)
            connection.execute(f"CREATE TABLE ticketing.{name} AS SELECT * FROM frame")
            connection.unregister("frame")
        connection.close()

    @staticmethod
    def _write_tracking_csv(path: Path, tracking: pd.DataFrame) -> None:
        """Local Dutch time with its offset (+01:00 / +02:00), as carriers' exports give it."""
        connection = duckdb.connect()
        connection.execute("SET TimeZone = 'Europe/Amsterdam'")
        connection.register("tracking", tracking)
        connection.execute(
            f"""
            COPY (
                SELECT shipment_id, order_ref, event_code,
                       strftime(ts, '%Y-%m-%dT%H:%M:%S')
                         || printf('%+03d:%02d', timezone_hour(ts), abs(timezone_minute(ts))) AS event_time,
                       depot
                FROM tracking
            ) TO '{path}' (HEADER, DELIMITER ',')
            """
        )
        connection.close()
