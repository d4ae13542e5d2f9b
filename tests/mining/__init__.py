"""Tests of mining/, one folder per sub-package."""
