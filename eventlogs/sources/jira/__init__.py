"""Jira: its own PostgreSQL database (postgres.py) or Jira Cloud over REST (rest.py), staged by the same
mapping of status changes to activities (stage.py)."""

from eventlogs.sources.jira.postgres import JiraPostgresSource
from eventlogs.sources.jira.rest import JiraRestSource

__all__ = ["JiraPostgresSource", "JiraRestSource"]
