"""The discovered process model in pictures (BPMN and Petri net, as inline SVG) and in the exchange formats
other tools open (BPMN 2.0 XML, PNML)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import graphviz
import pm4py
from pm4py.objects.bpmn.layout import layouter as bpmn_layouter
from pm4py.objects.bpmn.obj import BPMN
from pm4py.objects.petri_net.obj import Marking, PetriNet
from pm4py.visualization.bpmn import visualizer as bpmn_visualizer
from pm4py.visualization.petri_net import visualizer as petri_visualizer

from mining.discovery.process_model import ProcessModel
from mining.report.graphviz_text import graphviz_text
from mining.report.visible_text import visible_controls


def _svg(graph: graphviz.Digraph) -> str:
    svg = graph.pipe(format="svg").decode("utf-8")
    return svg[svg.index("<svg") :]  # drop the XML prologue so it can be inlined in HTML


def _relabelled_net(model: ProcessModel, relabel: Callable[[str], str]) -> tuple[PetriNet, Marking, Marking]:
    """A copy of the Petri net whose activity labels went through `relabel` (silent steps have none)."""
    net, initial_marking, final_marking = copy.deepcopy((model.net, model.initial_marking, model.final_marking))
    for transition in net.transitions:
        if transition.label is not None:
            transition.label = relabel(transition.label)
    return net, initial_marking, final_marking


def _relabelled_bpmn(
    model: ProcessModel, relabel: Callable[[str], str]
) -> tuple[BPMN, list[tuple[BPMN.BPMNNode, str]]]:
    """A copy of the BPMN whose names went through `relabel`, with each copied node's real name."""
    bpmn = copy.deepcopy(model.bpmn)
    names = [(node, node.get_name()) for node in bpmn.get_nodes()]
    for node, name in names:
        node.set_name(relabel(name))
    return bpmn, names


# pm4py hands activity names to Graphviz as they are: it draws copies whose names are escaped text.
def petri_net_svg(model: ProcessModel) -> str:
    net, initial_marking, final_marking = _relabelled_net(model, graphviz_text)
    return _svg(petri_visualizer.apply(net, initial_marking, final_marking, parameters={"format": "svg"}))


def bpmn_svg(model: ProcessModel) -> str:
    bpmn, _ = _relabelled_bpmn(model, graphviz_text)
    return _svg(bpmn_visualizer.apply(bpmn, parameters={"format": "svg"}))


def write_process_model(model: ProcessModel, folder: Path) -> list[Path]:
    """The model as pictures (bpmn.svg, petri_net.svg) and in the exchange formats other tools open:
    BPMN 2.0 XML (process_model.bpmn) and PNML (process_model.pnml)."""
    folder.mkdir(parents=True, exist_ok=True)
    pictures = {folder / "bpmn.svg": bpmn_svg(model), folder / "petri_net.svg": petri_net_svg(model)}
    for path, svg in pictures.items():
        path.write_text(svg)
    bpmn_path, pnml_path = folder / "process_model.bpmn", folder / "process_model.pnml"
    # pm4py lays the diagram out by drawing it with Graphviz: lay out the escaped copy, then give the
    # copy its real names back for the file, as far as XML can hold them
    bpmn, names = _relabelled_bpmn(model, graphviz_text)
    bpmn_layouter.apply(bpmn)
    for node, name in names:
        node.set_name(visible_controls(name))
    pm4py.write_bpmn(bpmn, str(bpmn_path), auto_layout=False)
    pm4py.write_pnml(*_relabelled_net(model, visible_controls), str(pnml_path))
    return [*pictures, bpmn_path, pnml_path]
