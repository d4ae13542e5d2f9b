"""Tests of flows/: the Prefect flows, on the test harness and on a real server."""
