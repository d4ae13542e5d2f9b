"""Conformance fitness per journey for a pilot comparison: each finished journey's path aligned once per
distinct path (mining.design.conformance), so the bootstrap can weigh journeys. Journeys not finished within their
window have no fitness (their missing tail is not yet a deviation)."""

from __future__ import annotations

import duckdb
import pandas as pd

from mining.design.conformance import VariantAligner
from mining.design.journey import DesignedJourney
from mining.design.model import build_designed_model


def journey_fitness(connection: duckdb.DuckDBPyConnection, journey: DesignedJourney) -> pd.DataFrame:
    """journey_id, fitness for the finished journeys of `pilot_journeys` (needs mining.pilot.windows)."""
    department = journey.department_sql()
    paths = connection.execute(f"""
        SELECT e.journey_id, list(e.activity ORDER BY e.position) AS activities,
               list(coalesce({department}, '') ORDER BY e.position) AS departments
        FROM scope_work_events e JOIN pilot_journeys p USING (journey_id)
        WHERE p.finished GROUP BY e.journey_id
    """).df()
    if paths.empty:
        return pd.DataFrame({"journey_id": [], "fitness": []})
    observed = {activity for path in paths["activities"] for activity in path}
    model = build_designed_model(journey, observed)
    aligner = VariantAligner(model)
    fitness = []
    for activities, departments in zip(paths["activities"], paths["departments"], strict=True):
        labels = model.alignment_labels([model.label(a, d) for a, d in zip(activities, departments, strict=True)])
        fitness.append(aligner.fit(labels).fitness)  # cached: each distinct path is aligned once
    return pd.DataFrame({"journey_id": paths["journey_id"], "fitness": fitness})
