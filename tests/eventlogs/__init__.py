"""Tests of eventlogs/: sources, configuration, staging, the store and loading."""
