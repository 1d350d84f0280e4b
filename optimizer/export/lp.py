"""The model as the LP file PuLP writes, for an analyst's audit."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..model import build_model, to_pulp
from ..schema import Problem, Result
from ..solve import solve
from ..tolerances import TARGET_SLACK


def _value_target(problem: Problem) -> float | None:
    """The value a min-cost plan must reach, as `solve` sets it: the target share of the best
    attainable value (one max-value solve; the min-cost problem itself is not solved). None
    when even the best-value problem has no plan."""
    best = solve(problem.with_settings(objective="max_value"))
    if not best.has_plan or best.objective is None:
        return None
    return problem.settings.target_value_share * float(best.objective)


def lp_bytes(problem: Problem, result: Result | None = None) -> bytes:
    """The LP file PuLP writes for the model that was (or would be) solved.

    In min_cost mode the model carries the value target, taken from `result` when given;
    when there is no target (the best-value plan itself is infeasible) the max_value model is
    written, since that is the one the solver proved infeasible."""
    objective, target = problem.settings.objective, None
    if objective == "min_cost":
        target = result.target_value if result is not None else _value_target(problem)
        if target is None:
            objective = "max_value"
        else:
            target = target * (1 - TARGET_SLACK)  # the same hair under the target as the solve
    model = build_model(problem, objective, target)
    prob, _ = to_pulp(model)
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "model.lp"
        prob.writeLP(str(f))
        return f.read_bytes()
