"""Rasa's prediction graph, run node after node in a fixed order instead of through dask.

Rasa 3.6 runs the model's graph with ``dask.get`` on every message and on every action
prediction (four to six times a turn): dask orders the graph, builds its task structures and
walks them each time, which profiling showed to cost about a tenth of a turn's CPU — more
than the rule policy itself. The graph and its targets never change while a model is
loaded, so :class:`SequentialGraphRunner` works out each target set's order once and then
only calls the nodes. Node calls, inputs and results are exactly what dask would pass
(``GraphNode.__call__`` receives ``(name, output)`` pairs, or the bare name of an input that
no node and no caller provided, as dask passes an unknown key through), so components behave
the same; errors are raised as Rasa's :class:`GraphRunError`, as the dask runner does.
"""

from __future__ import annotations

from typing import Any, Optional

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

Step = tuple[str, tuple[str, ...]]  # a node and the names of what it needs, in order


class SequentialGraphRunner(DaskGraphRunner):
    """A :class:`DaskGraphRunner` whose ``run`` is a loop over a cached topological order."""

    def _plan(self, targets: tuple[str, ...]) -> list[Step]:
        cache: dict[tuple[str, ...], list[Step]] = self.__dict__.setdefault("_plans", {})
        plan = cache.get(targets)
        if plan is None:
            plan = cache[targets] = self._order(targets)
        return plan

    def _order(self, targets: tuple[str, ...]) -> list[Step]:
        """Every node the targets depend on, each after everything it needs (depth first,
        as ``GraphSchema.minimal_graph_schema`` selects them)."""
        nodes = self._graph_schema.nodes
        plan: list[Step] = []
        done: set[str] = set()
        visiting: set[str] = set()

        def visit(name: str) -> None:
            if name in done or name not in nodes:
                return
            if name in visiting:
                raise GraphRunError(f"The graph has a cycle through node '{name}'.")
            visiting.add(name)
            needs = tuple(nodes[name].needs.values())
            for need in needs:
                visit(need)
            visiting.discard(name)
            done.add(name)
            plan.append((name, needs))

        for target in targets:
            visit(target)
        return plan

    def run(
        self,
        inputs: Optional[dict[str, Any]] = None,
        targets: Optional[list[str]] = None,
    ) -> dict[str, Any]:
        """Runs the graph (see :meth:`DaskGraphRunner.run`): the targets' outputs by name."""
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        plan = self._plan(run_targets)
        results: dict[str, Any] = {name: (name, value) for name, value in (inputs or {}).items()}
        nodes = self._instantiated_nodes
        try:
            for name, needs in plan:
                results[name] = nodes[name](*(results.get(need, need) for need in needs))
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        return dict(results[target] for target in run_targets)
