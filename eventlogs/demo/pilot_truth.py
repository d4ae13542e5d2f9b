"""The true effect of the demo pilot, from the injected wait distributions (not from any sample).

Waits are log-normal in working hours of the department that picks the work up. A handover between two
departments can be reached by several steps (Management -> Procurement is the order, for every approved
laptop, and the order query, for SHARE_ORDER_QUERY of them), so its true wait distribution is the mixture
of those steps weighted by how often each occurs; its true median is where the mixture's distribution
function reaches one half. Customers chase at a Poisson rate per calendar day of waiting.
"""

from __future__ import annotations

import math

from scipy import optimize, stats

from eventlogs.demo import organisation as org
from eventlogs.demo.scenario import Scenario

# handover -> (step, instances per laptop journey that takes the main path)
PILOTED_HANDOVER_STEPS: dict[tuple[str, str], tuple[tuple[str, float], ...]] = {
    (org.MANAGEMENT, org.PROCUREMENT): (("order", 1.0), ("order_query", org.SHARE_ORDER_QUERY)),
    (org.WAREHOUSE_DEPT, org.CARRIER_DEPT): (("dispatch", 1.0),),
}


def true_median_wait(pair: tuple[str, str], piloted: bool, trend: float = 1.0) -> float:
    """Median working hours of the handover's waits, for piloted journeys or not, with a wait multiplier."""
    parts = []
    for step, weight in PILOTED_HANDOVER_STEPS[pair]:
        wait = org.PILOT_WAITS[step] if piloted and step in org.PILOT_WAITS else org.WAITS[step]
        parts.append((weight, math.log(wait.median_hours * trend), wait.sigma))
    total = sum(weight for weight, _, _ in parts)

    def below_half(hours: float) -> float:
        return sum(w * stats.norm.cdf((math.log(hours) - mu) / sigma) for w, mu, sigma in parts) / total - 0.5

    return float(optimize.brentq(below_half, 1e-3, 1e4, xtol=1e-9))


def true_effects(scenario: Scenario, difference_in_differences: bool) -> dict[str, float]:
    """True change (working hours; contacts per waiting day) on the piloted handovers and chasing rate for
    the journeys that get the pilot: after versus before, or (with a control group) versus the control
    group's change, which carries the same trend."""
    effects = {}
    piloted = scenario.pilot_effect
    for pair in PILOTED_HANDOVER_STEPS:
        after = true_median_wait(pair, piloted, scenario.trend)
        counterfactual = true_median_wait(pair, False, scenario.trend if difference_in_differences else 1.0)
        effects[f"handover:{pair[0]}->{pair[1]}"] = after - counterfactual
    chase_after = org.PILOT.chase_rate_after if piloted else org.PILOT.chase_rate_before
    effects["contacts_per_waiting_day"] = chase_after - org.PILOT.chase_rate_before
    return effects
