"""The What-if tab's panel on plans that hold up (ui/robust_view.py) in Streamlit's AppTest, and
its charts as pure functions of the engine's answers."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.robust import gamma_curve, price_of_robustness
from optimizer.schema import Objective, Problem
from ui import robust_charts, state
from ui.text import Translator, fmt_num

EN = Translator("en")


def test_curve_figure_is_the_curve(sample_problem: Problem) -> None:
    curve = gamma_curve(sample_problem)
    fig = robust_charts.gamma_curve_figure(curve, EN)
    nominal, protected = fig.data
    assert list(nominal.x) == list(curve.gamma)
    assert np.allclose(nominal.y, curve.nominal_value)
    assert np.allclose(protected.y, curve.protected_value)
    assert list(protected.customdata) == list(curve.cells_changed)


def test_compare_figures_and_moves(sample_problem: Problem) -> None:
    pr = price_of_robustness(sample_problem, Objective("robust", protect=3), fresh_draws=50)
    fresh = robust_charts.fresh_values_figure(pr, EN)
    assert np.allclose(fresh.data[0].x, pr.nominal_plan.fresh_values)
    assert np.allclose(fresh.data[1].x, pr.robust_plan.fresh_values)
    moves = robust_charts.moves_frame(pr, {}, {})
    assert len(moves) == len(pr.moves) > 0
    assert np.all(np.diff(np.abs(moves["change"].to_numpy())) <= 1e-12)  # largest first


def whatif(app):
    app.session_state[state.OPEN_TAB_KEY] = "whatif"
    app.run()
    assert not app.exception
    return app


def test_panel_compares_and_draws_the_curve_on_request(app) -> None:
    app = whatif(app)
    before = len(list(app.get("plotly_chart")))
    app.radio(key="robust_kind").set_value("robust")
    app.number_input(key="robust_protect").set_value(3)
    app.button(key="robust_run_compare").click().run()
    assert not app.exception
    shown = {m.label: m.value for m in app.metric}
    from optimizer.bundle import load_bundle
    from tests.test_robust import SAMPLE

    problem = load_bundle(SAMPLE)
    widened = Objective("robust", protect=3)
    pr = price_of_robustness(problem, widened)
    assert shown[EN("ro_given_up")] == fmt_num(pr.value_given_up, "en", 1)
    assert shown[EN("ro_gained_robust")] == fmt_num(pr.robust_plan.objective_value, "en", 1)
    assert len(list(app.get("plotly_chart"))) == before + 2
    app.button(key="robust_run_curve").click().run()
    assert not app.exception
    assert len(list(app.get("plotly_chart"))) == before + 3


@pytest.mark.parametrize("kind", ["cvar", "expected"])
def test_panel_runs_the_draw_objectives(app, kind: str) -> None:
    app = whatif(app)
    app.radio(key="robust_kind").set_value(kind).run()
    app.number_input(key="robust_draws").set_value(60)
    app.button(key="robust_run_compare").click().run()
    assert not app.exception
    assert EN(f"ro_gained_{kind}") in {m.label for m in app.metric}
