"""The What-if tab's panel on plans that hold up when the values are wrong (optimizer/robust.py):
choose an objective, compare its plan with the nominal one (the price of robustness), and draw
the Gamma curve. Computed on request and kept per inputs in the session; not a tab itself."""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from optimizer.analysis import widened_ranges
from optimizer.errors import CodedError
from optimizer.relationship import widening_factors
from optimizer.robust import GammaCurve, PriceOfRobustness, gamma_curve, price_of_robustness
from optimizer.schema import MAX_OBJECTIVE_DRAWS, NAME, Objective, Problem, Result

from . import robust_charts as charts
from .state import Context
from .text import Translator, md_text
from .widgets import styled

RESULTS_KEY = "robust_results"  # "compare" | "curve" -> (key, answer or error message)
KINDS = ("robust", "cvar", "expected")
# The curve re-solves the counterpart once a point: fewer points on large models (a point is
# about a nominal solve) keep a click within seconds there too.
CURVE_POINTS_SMALL, CURVE_POINTS_LARGE, LARGE_CELLS = 101, 21, 5_000
CURVE_POINTS_WHOLE = 41  # whole units on the sample: 41 points in about 3 s


def _names(problem: Problem) -> tuple[dict[str, str], dict[str, str]]:
    return (
        problem.clients[NAME].astype(str).to_dict(),
        problem.methods[NAME].astype(str).to_dict(),
    )


def _objective_inputs(t: Translator, problem: Problem, ranged: int) -> Objective:
    """The widgets choosing the objective and its parameters."""
    c1, c2, c3, c4 = st.columns([1.4, 1, 1, 1])
    kind = c1.radio(
        t("ro_kind"),
        KINDS,
        format_func=lambda k: t(f"ro_kind_{k}"),
        key="robust_kind",
        help=t("ro_kind_help"),
    )
    params: dict[str, Any] = {}
    if kind == "robust":
        params["protect"] = float(
            c2.number_input(
                t("ro_protect"),
                min_value=0,
                max_value=max(ranged, 0),
                value=min(3, ranged),
                step=1,
                key="robust_protect",
                help=t("ro_protect_help"),
            )
        )
        params["per_client"] = c3.checkbox(
            t("ro_per_client"), value=False, key="robust_per_client", help=t("ro_per_client_help")
        )
    else:
        if kind == "cvar":
            params["alpha"] = float(
                c2.slider(
                    t("ro_alpha"),
                    min_value=0.01,
                    max_value=1.0,
                    value=0.1,
                    step=0.01,
                    key="robust_alpha",
                    help=t("ro_alpha_help"),
                )
            )
        params["draws"] = int(
            c3.number_input(
                t("ro_draws"),
                min_value=1,
                max_value=MAX_OBJECTIVE_DRAWS,
                value=200,
                step=50,
                key="robust_draws",
                help=t("ro_draws_help"),
            )
        )
        params["seed"] = int(
            c4.number_input(t("wi_rb_seed"), min_value=0, value=0, key="robust_seed")
        )
    checklist = True
    if problem.relationship is not None:
        factors = widening_factors(problem)
        checklist = st.checkbox(
            t("wi_rb_widen", n=len(factors)),
            value=bool(factors),
            key="robust_widen",
            help=t("wi_rb_widen_help"),
        )
    return Objective(kind=str(kind), checklist=checklist, **params)


def _run(kind: str, key: tuple, t: Translator, fn: Any) -> None:
    """Compute on request; a refused request is kept as its message, the page keeps working."""
    with st.spinner(t("ro_computing")):
        try:
            answer: Any = fn()
        except CodedError as exc:
            answer = exc.msg
    st.session_state.setdefault(RESULTS_KEY, {})[kind] = (key, answer)


def _answer(kind: str, key: tuple, t: Translator) -> Any:
    got = st.session_state.get(RESULTS_KEY, {}).get(kind)
    if got is None:
        return None
    run_key, answer = got
    if run_key != key:
        return None  # the inputs or the objective changed: ask again
    if not isinstance(answer, (PriceOfRobustness, GammaCurve)):
        st.warning(t.md.render(answer) if not isinstance(answer, str) else md_text(answer))
        return None
    return answer


def _show_compare(pr: PriceOfRobustness, t: Translator, problem: Problem) -> None:
    ob = pr.objective
    nom, rob = pr.nominal_plan, pr.robust_plan
    fn, fr = nom.fresh_summary(ob.alpha), rob.fresh_summary(ob.alpha)
    m = st.columns(4)
    m[0].metric(
        t("ro_given_up"),
        t.num(pr.value_given_up, 1),
        delta=t.num(-pr.value_given_up, 1),
        help=t("ro_given_up_help"),
    )
    m[1].metric(
        t(f"ro_gained_{ob.kind}"),
        t.num(rob.objective_value, 1),
        delta=t.num(pr.value_gained, 1),
        help=t("ro_gained_help"),
    )
    m[2].metric(
        t("ro_worst_decile"),
        t.num(fr["worst_decile_mean"], 1),
        delta=t.num(fr["worst_decile_mean"] - fn["worst_decile_mean"], 1),
        help=t("ro_worst_decile_help"),
    )
    m[3].metric(
        t("ro_regret_mean"),
        t.num(fr["regret_mean"], 1),
        delta=t.num(fr["regret_mean"] - fn["regret_mean"], 1),
        delta_color="inverse",
        help=t("ro_regret_mean_help"),
    )
    st.caption(
        t(
            "ro_compare_summary",
            nominal=t.num(nom.nominal_value, 1),
            robust=t.num(rob.nominal_value, 1),
            nominal_obj=t.num(nom.objective_value, 1),
            robust_obj=t.num(rob.objective_value, 1),
            draws=pr.fresh_draws,
            seed=pr.fresh_seed,
        )
    )
    st.caption(t("robust_prices_note"))
    c1, c2 = st.columns(2)
    c1.plotly_chart(charts.fresh_values_figure(pr, t), width="stretch", key="robust_fresh")
    c2.plotly_chart(charts.regret_figure(pr, t), width="stretch", key="robust_regret")
    clients, methods = _names(problem)
    moves = charts.moves_frame(pr, clients, methods)
    if len(moves):
        st.markdown(t("ro_moves_heading", n=len(moves)))
        shown = moves.rename(
            columns={
                "client": t("col_client"),
                "method": t("col_method"),
                "nominal_units": t("ro_units_nominal"),
                "robust_units": t("ro_units_robust"),
                "change": t("ro_units_change"),
            }
        )
        st.dataframe(
            styled(shown, t, dict.fromkeys(shown.columns[2:], 2)),
            hide_index=True,
            width="stretch",
        )
    else:
        st.success(t("ro_no_moves"))


def render_robust_panel(ctx: Context, problem: Problem, result: Result | None = None) -> None:
    """The panel: objective, price of robustness and the Gamma curve, each on request."""
    t = ctx.t
    st.subheader(t("ro_heading"))
    st.caption(t("ro_intro"))
    if problem.settings.objective != "max_value":
        st.info(t("ro_needs_max_value"))
        return
    ranged = int(widened_ranges(problem)["ranged"].sum())
    if not ranged:
        st.info(t("wi_rb_no_ranges"))
        return
    objective = _objective_inputs(t, problem, ranged)
    fp = problem.fingerprint()
    key = (fp, repr(sorted(objective.params().items())))
    b1, b2 = st.columns(2)
    if b1.button(t("ro_run_compare"), key="robust_run_compare", type="primary"):
        nominal = result if result is not None and result.fingerprint == fp else None
        _run(
            "compare",
            key,
            t,
            lambda: price_of_robustness(
                problem, objective, fresh_draws=max(objective.draws, 200), nominal=nominal
            ),
        )
    curve_ob = Objective("robust", per_client=objective.per_client, checklist=objective.checklist)
    curve_key = (fp, repr(sorted(curve_ob.params().items())))
    points = CURVE_POINTS_LARGE if len(problem.values) > LARGE_CELLS else CURVE_POINTS_SMALL
    if problem.settings.integer_units:  # a point may need branch and cut
        points = min(points, CURVE_POINTS_WHOLE)
    if b2.button(t("ro_run_curve"), key="robust_run_curve"):
        _run("curve", curve_key, t, lambda: gamma_curve(problem, curve_ob, points=points))
    pr = _answer("compare", key, t)
    if pr is not None:
        _show_compare(pr, t, problem)
    curve = _answer("curve", curve_key, t)
    if curve is not None:
        st.plotly_chart(charts.gamma_curve_figure(curve, t), width="stretch", key="robust_curve")
        st.caption(
            t(
                "ro_curve_summary",
                points=len(curve.gamma),
                cells=curve.ranged_cells,
                seconds=t.num(curve.seconds, 2),
                scope=t("ro_scope_client") if curve.per_client else t("ro_scope_all"),
                top=int(curve.gamma[-1]) if len(curve.gamma) else 0,
                lost=t.num(
                    float(curve.nominal_value[0] - curve.nominal_value[-1])
                    if len(curve.gamma) and math.isfinite(curve.nominal_value[-1])
                    else 0.0,
                    1,
                ),
            )
        )
