"""Runs Rasa's prediction graph node after node in a fixed order, without dask.

Rasa 3.6 runs the graph through `dask.get` for every message, several times (NLU, then each
next-action prediction). Each run first recomputes the minimal graph for the targets (a
recursive walk with list lookups) and lets dask order the tasks again, although neither
changes between messages. Here both are computed once per set of targets; the nodes are the
same GraphNode objects, called with the same (name, output) tuples, so every component sees
exactly what it saw under dask (tests/unit/test_graph_runner.py compares the two).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

from rasa_server import require_rasa_version

Plan = List[Tuple[Text, List[Text]]]  # (node name, the names of the nodes or inputs it needs)


class SequentialGraphRunner(DaskGraphRunner):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: Dict[Tuple[Text, ...], Plan] = {}

    def _plan(self, targets: Tuple[Text, ...]) -> Plan:
        plan = self._plans.get(targets)
        if plan is None:
            plan, seen = [], set()
            nodes = self._graph_schema.nodes

            def visit(name: Text) -> None:
                if name in seen or name not in nodes:  # done already, or an input
                    return
                seen.add(name)
                needs = list(nodes[name].needs.values())
                for need in needs:
                    visit(need)
                plan.append((name, needs))

            for target in targets:
                visit(target)
            self._plans[targets] = plan
        return plan

    def run(self, inputs: Optional[Dict[Text, Any]] = None,
            targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        results: Dict[Text, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in self._graph_schema.nodes:  # as DaskGraphRunner
                raise GraphRunError(f"Input value '{value}' clashes with a node name.")
            results[name] = (name, value)
        try:
            for name, needs in self._plan(tuple(run_targets)):
                # an unresolved need is passed by name, as dask does (GraphNode warns about it)
                results[name] = self._instantiated_nodes[name](*(results.get(need, need) for need in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(results[target] for target in run_targets)


def install() -> None:
    """Rasa's server loads its model with this runner (rasa.core.processor picks the class)."""
    require_rasa_version("rasa_server.patches.graph_runner (the graph runner the processor uses)")
    import rasa.core.processor

    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner
