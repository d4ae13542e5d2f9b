"""Tests of mining/pilot/: the pilot evaluation and its honesty."""
