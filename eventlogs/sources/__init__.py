"""Connectors: each reads one kind of source system into staged canonical tables (Parquet)."""
