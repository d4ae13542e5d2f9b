"""Tests of mining/report/: maps and pages, hostile names in them."""
