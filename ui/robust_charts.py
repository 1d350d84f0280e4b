"""Charts and tables of the plans that hold up (ui/robust_view.py): pure functions from
optimizer.robust results to plotly Figures or display frames."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from optimizer.robust import GammaCurve, PriceOfRobustness

from .analysis_charts import figure_layout
from .text import Translator

NOMINAL_COLOR, ROBUST_COLOR = "#4C78A8", "#F58518"


def _layout(fig: go.Figure, t: Translator, height: int, **kw: object) -> go.Figure:
    # the legend a little lower than the What-if charts': these have longer axis titles
    return figure_layout(fig, t, height, legend_y=-0.18, **kw)


def gamma_curve_figure(curve: GammaCurve, t: Translator) -> go.Figure:
    """Value at nominal values and protected value of the robust plan at each Gamma, with the
    number of cells funded differently from the nominal plan on hover."""
    f = curve.frame()
    fig = go.Figure()
    hover = (
        t("ro_gamma_axis")
        + ": %{x}<br>%{y:,.0f}<br>"
        + t("ro_cells_changed")
        + ": %{customdata}<extra></extra>"
    )
    for col, name, color in (
        ("nominal_value", t("ro_value_nominal"), NOMINAL_COLOR),
        ("protected_value", t("ro_value_protected"), ROBUST_COLOR),
    ):
        fig.add_trace(
            go.Scatter(
                x=f["gamma"],
                y=f[col],
                mode="lines+markers",
                name=name,
                marker=dict(size=5, color=color),
                line=dict(color=color),
                customdata=f["cells_changed"],
                hovertemplate=hover,
            )
        )
    fig.update_xaxes(title=t("ro_gamma_axis"))
    fig.update_yaxes(title=t("ro_value_axis"))
    return _layout(fig, t, height=380, title=t("ro_curve_title"))


def fresh_values_figure(pr: PriceOfRobustness, t: Translator) -> go.Figure:
    """Both plans' total value on the fresh draws (another seed than the plan's own)."""
    fig = go.Figure()
    for worth, name, color in (
        (pr.nominal_plan, t("ro_plan_nominal"), NOMINAL_COLOR),
        (pr.robust_plan, t("ro_plan_robust"), ROBUST_COLOR),
    ):
        fig.add_trace(
            go.Histogram(
                x=worth.fresh_values, name=name, opacity=0.6, nbinsx=30, marker_color=color
            )
        )
    fig.update_xaxes(title=t("ro_value_axis"))
    fig.update_yaxes(title=t("ro_draws_axis"))
    return _layout(
        fig,
        t,
        height=340,
        barmode="overlay",
        title=t("ro_fresh_title", draws=pr.fresh_draws, seed=pr.fresh_seed),
    )


def regret_figure(pr: PriceOfRobustness, t: Translator) -> go.Figure:
    """The regret of both plans on the fresh draws, as box plots."""
    fig = go.Figure()
    for worth, name, color in (
        (pr.nominal_plan, t("ro_plan_nominal"), NOMINAL_COLOR),
        (pr.robust_plan, t("ro_plan_robust"), ROBUST_COLOR),
    ):
        fig.add_trace(
            go.Box(x=np.asarray(worth.regret), name=name, marker_color=color, boxmean=True)
        )
    fig.update_xaxes(title=t("ro_regret_axis"))
    return _layout(fig, t, height=260, showlegend=False, title=t("ro_regret_title"))


def moves_frame(
    pr: PriceOfRobustness, client_names: Mapping[str, str], method_names: Mapping[str, str]
) -> pd.DataFrame:
    """The cells the protected plan funds differently, largest change first."""
    m = pr.moves
    order = np.argsort(-np.abs(m["change"].to_numpy()), kind="stable")
    m = m.iloc[order]
    idx = m.index
    return pd.DataFrame(
        {
            "client": [client_names.get(c, c) for c in idx.get_level_values(0)],
            "method": [method_names.get(x, x) for x in idx.get_level_values(1)],
            "nominal_units": m["nominal_units"].to_numpy(),
            "robust_units": m["robust_units"].to_numpy(),
            "change": m["change"].to_numpy(),
        }
    )
