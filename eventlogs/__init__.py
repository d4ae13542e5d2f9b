"""Sources, mapping to the canonical event schema, the DuckDB store, loading and data quality.

sources/ holds one folder per source system and source_kinds.py the registry of kinds; config.py reads
the source configuration; staging/ is the Parquet hand-off from the connectors to store/, the DuckDB
store and its loader; pipeline.py runs extract and load; errors.py and sql_text.py are the bottom every
layer imports.
"""
