"""Tests of mining/discovery/: the tables, the engine, pm4py cross-checks, the process model."""
