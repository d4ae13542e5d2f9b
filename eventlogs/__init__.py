"""Sources, mapping to the canonical event schema, the DuckDB store, loading and data quality."""
