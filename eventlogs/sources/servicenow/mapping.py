"""The ServiceNow mapping every ServiceNow source kind shares (SQLite file, database server, REST)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventlogs.located_config import Located


@dataclass(frozen=True)
class ServiceNowMappingFields:
    """How ServiceNow records become activities, teams and departments; each kind adds where to read."""

    name: str
    task_table: str
    opened_activity: str
    opened_department: str
    opened_team: str
    contact_activity: str
    approval_department: str
    approval_team: str
    journey_types: dict[str, str]  # "category/subcategory" -> journey type
    state_activities: dict[str, str]  # sys_audit state code -> activity
    approval_activities: dict[str, str]  # sysapproval_approver.state -> activity
    departments: dict[str, str]  # assignment group -> department


def read_servicenow_mapping(section: Located, name: str) -> dict[str, Any]:
    """The mapping keys of a source table, as keyword arguments of a ServiceNowMappingFields subclass."""
    return {
        "name": name,
        "task_table": section.text("task_table", "task"),
        "opened_activity": section.text("opened_activity"),
        "opened_department": section.text("opened_department"),
        "opened_team": section.text("opened_team"),
        "contact_activity": section.text("contact_activity"),
        "approval_department": section.text("approval_department"),
        "approval_team": section.text("approval_team"),
        "journey_types": section.text_map("journey_types"),
        "state_activities": section.text_map("state_activities"),
        "approval_activities": section.text_map("approval_activities"),
        "departments": section.text_map("departments"),
    }
