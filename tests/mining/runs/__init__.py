"""Tests of mining/runs/: the commands' whole runs on the demo."""
