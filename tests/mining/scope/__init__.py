"""Tests of mining/scope/: calendars and working time."""
