"""Pieces several connectors share: attached SQL databases (attached.py) and their connection settings
(database_connection.py), the REST client (http_client.py), CSV files read as text (csv_text.py) and a
file record's identity by its content (event_identity.py). Imported by module; nothing is re-exported."""

__all__: list[str] = []
