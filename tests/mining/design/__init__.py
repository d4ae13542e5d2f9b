"""Tests of mining/design/: the designed journey, norms, conformance, bottlenecks."""
