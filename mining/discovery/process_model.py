"""A process model (process tree, Petri net, BPMN) from pm4py's inductive miner, discovered from the
variants table rather than from the events.

The inductive miner only ever looks at distinct traces with their multiplicities: pm4py compresses any
log into a `UVCL` (a Counter from activity tuple to number of traces) before mining, and the noise
filter of IMf weighs directly-follows edges by those counts. So the variants table that DuckDB already
aggregated (one row per path, with its journeys) is exactly pm4py's own input, and mining costs what the
number of variants costs, whatever the number of journeys. We build that Counter ourselves and hand it to the miner
classes, because `pm4py.algo.discovery.inductive.algorithm.apply` tests `type(obj) in [UVCL]` against
a typing alias, which a real Counter never matches (it then treats the Counter as a DataFrame and fails).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

import pandas as pd

# Read by pm4py when it is imported; the bars would flood the logs of a flow run.
os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")

import pm4py
from pm4py.algo.conformance.alignments.petri_net import algorithm as alignments
from pm4py.algo.discovery.inductive.dtypes.im_ds import IMDataStructureUVCL
from pm4py.algo.discovery.inductive.variants.im import IMUVCL
from pm4py.algo.discovery.inductive.variants.imf import IMFUVCL
from pm4py.objects.bpmn.obj import BPMN
from pm4py.objects.log.obj import Event, EventLog, Trace
from pm4py.objects.petri_net.obj import Marking, PetriNet
from pm4py.objects.process_tree.obj import ProcessTree
from pm4py.objects.process_tree.utils import generic as tree_utils

from mining.discovery.tables import VARIANT_SEPARATOR
from mining.errors import AnalysisError


@dataclass(frozen=True)
class ProcessModel:
    tree: ProcessTree
    net: PetriNet
    initial_marking: Marking
    final_marking: Marking
    bpmn: BPMN
    noise_threshold: float
    journeys: int = 0  # finished journeys it was mined from
    variants: int = 0  # their distinct paths


def variant_counts(variants: pd.DataFrame, finished_only: bool = True) -> Counter[tuple[str, ...]]:
    """pm4py's variant log: activity tuple -> number of journeys. With `finished_only`, open journeys
    are left out (when the table says how many there are): an open journey's last step is where it
    waits, not where it ends, and counting it would teach the model that journeys may stop there."""
    counts = variants["journeys"]
    if finished_only and "open_journeys" in variants.columns:
        counts = counts - variants["open_journeys"]
    log: Counter[tuple[str, ...]] = Counter()
    for path, count in zip(variants["variant"], counts, strict=True):
        if count > 0:
            log[tuple(path.split(VARIANT_SEPARATOR))] += int(count)
    if not log:
        raise AnalysisError("no journeys to discover a process model from")
    return log


def discover_tree(log: Counter[tuple[str, ...]], noise_threshold: float = 0.0) -> ProcessTree:
    """The inductive miner on a variant log; IMf when there is a noise threshold, as
    `pm4py.discover_process_tree_inductive` chooses. IMf drops a directly-follows edge only when it is
    at most `noise_threshold` times the most frequent way out of its source activity (ending counts as
    a way out), and only in sublogs where no cut is found on the unfiltered graph."""
    if not 0.0 <= noise_threshold <= 1.0:
        raise ValueError(f"noise threshold must be within [0, 1], not {noise_threshold}")
    parameters = {"noise_threshold": noise_threshold, "multiprocessing": False}
    miner = IMFUVCL(parameters) if noise_threshold > 0 else IMUVCL(parameters)
    tree = miner.apply(IMDataStructureUVCL(log), parameters)
    # The same normalisation pm4py's algorithm.apply does after mining, so the trees compare equal.
    tree = tree_utils.fold(tree)
    tree_utils.tree_sort(tree)
    return tree


def discover_process_model(
    variants: pd.DataFrame, noise_threshold: float = 0.0, finished_only: bool = True
) -> ProcessModel:
    """Process tree, Petri net and BPMN of the journeys in a `mining.discovery.tables.variants` table."""
    log = variant_counts(variants, finished_only)
    tree = discover_tree(log, noise_threshold)
    net, initial_marking, final_marking = pm4py.convert_to_petri_net(tree)
    bpmn = pm4py.convert_to_bpmn(tree)
    return ProcessModel(tree, net, initial_marking, final_marking, bpmn, noise_threshold, sum(log.values()), len(log))


def variant_fitness(model: ProcessModel, paths: list[tuple[str, ...]]) -> list[float]:
    """Alignment fitness of each path (1.0 = the model can replay it), one trace per path, so the cost
    follows the number of variants, not of journeys."""
    log = EventLog([Trace([Event({"concept:name": activity}) for activity in path]) for path in paths])
    results = alignments.apply(log, model.net, model.initial_marking, model.final_marking)
    return [float(result["fitness"]) for result in results]  # in the order of `paths`
