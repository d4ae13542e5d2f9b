"""ServiceNow: a SQLite file (sqlite.py), a PostgreSQL or MySQL replica (database.py) or an instance's
Table API (rest.py), all mapped by the same configuration (mapping.py) and staged by the same SQL
(stage.py)."""

from eventlogs.sources.servicenow.database import ServiceNowDatabaseSource
from eventlogs.sources.servicenow.mapping import ServiceNowMappingFields
from eventlogs.sources.servicenow.rest import ServiceNowRestSource
from eventlogs.sources.servicenow.sqlite import ServiceNowSqliteSource

__all__ = ["ServiceNowDatabaseSource", "ServiceNowMappingFields", "ServiceNowRestSource", "ServiceNowSqliteSource"]
