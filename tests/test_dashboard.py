"""The dashboard in Streamlit's AppTest: what a user sees after each kind of change.

Expected numbers come from the engine solving the same inputs, formatted as the page formats
them. AppTest cannot type into a data editor, so an edit is made the way an edit lands: by
putting the edited text tables into `st.session_state["tables"]` before a run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer import read_tables, solve
from optimizer.schema import Problem, Result
from ui import cache, edits, state
from ui.layout import OPTIONAL_TABS
from ui.plan_tab import plan_kpis
from ui.text import NBSP, Translator, fmt_num, fmt_pct

EN, RU = Translator("en"), Translator("ru")
ROOT = Path(__file__).resolve().parent.parent


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def charts(at) -> list:
    return list(at.get("plotly_chart"))


def texts(at) -> str:
    """Every text the page shows in alerts, markdown and captions, joined."""
    parts = [
        e.value
        for kind in ("error", "warning", "info", "success", "markdown", "caption")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def test_opens_on_the_sample_plan_without_exception(app, sample_result: Result) -> None:
    assert not app.exception
    shown = metrics(app)
    k = plan_kpis(sample_result)
    assert shown[EN("kpi_value")] == fmt_num(k.value, "en", 0)
    assert shown[EN("kpi_share")] == fmt_pct(k.share, "en", 1)
    assert shown[EN("kpi_status")] == EN("status_optimal")
    for _, pool in sample_result.pools.iterrows():
        label = EN("kpi_pool", pool=pool["name"], unit=pool["unit"])
        assert label in shown
    assert len(charts(app)) >= 3
    assert [t.label for t in app.tabs][:3] == [EN("tab_plan"), EN("tab_inputs"), EN("tab_client")]


def test_changing_a_pool_changes_the_kpis(app, sample_problem: Problem) -> None:
    before = metrics(app)
    half = sample_problem.resources.at["budget", "capacity"] / 2
    app.number_input(key=state.cap_key("budget")).set_value(half).run()
    assert not app.exception
    after = metrics(app)
    expected = plan_kpis(solve(sample_problem.with_capacity("budget", half)))
    assert after[EN("kpi_value")] == fmt_num(expected.value, "en", 0)
    assert after[EN("kpi_value")] != before[EN("kpi_value")]
    assert after[EN("kpi_pool", pool="Budget", unit="EUR")] == EN(
        "x_of_y", x=fmt_num(expected.pools["budget"][0], "en", 0), y=fmt_num(half, "en", 0)
    )
    # The change is also in the resources table: one place holds the capacity.
    res = app.session_state[state.TABLES_KEY]["resources"]
    assert float(res.loc[res["resource_id"] == "budget", "capacity"].item()) == half


def test_going_back_is_served_from_the_cache(app, sample_problem: Problem) -> None:
    full = sample_problem.resources.at["budget", "capacity"]
    app.number_input(key=state.cap_key("budget")).set_value(full * 0.7).run()
    n_solved = len(cache._SOLVES.data)
    value_70 = metrics(app)[EN("kpi_value")]
    app.number_input(key=state.cap_key("budget")).set_value(full).run()
    app.number_input(key=state.cap_key("budget")).set_value(full * 0.7).run()
    assert len(cache._SOLVES.data) == n_solved, "no new solve for inputs seen before"
    assert metrics(app)[EN("kpi_value")] == value_70


def test_whole_units_mode_shows_the_gap(app, sample_problem: Problem) -> None:
    assert EN("kpi_gap") not in metrics(app)
    app.radio(key=state.INTEGER_KEY).set_value(True).run()
    assert not app.exception
    expected = solve(sample_problem.with_settings(integer_units=True))
    shown = metrics(app)
    assert shown[EN("kpi_gap")] == fmt_pct(expected.gap, "en", 2)
    assert shown[EN("kpi_value")] == fmt_num(plan_kpis(expected).value, "en", 0)
    assert EN(
        "gap_detail",
        lp=fmt_num(expected.lp_objective, "en", 0),
        cost=fmt_num(expected.lp_objective - expected.objective, "en", 1),
    ) in texts(app)


def test_russian_changes_the_labels_and_numbers(app, sample_result: Result) -> None:
    app.selectbox(key=state.LANG_KEY).set_value("ru").run()
    assert not app.exception
    shown = metrics(app)
    k = plan_kpis(sample_result)
    assert shown[RU("kpi_value")] == fmt_num(k.value, "ru", 0)
    assert NBSP in shown[RU("kpi_value")]
    assert shown[RU("kpi_share")].endswith(f"{NBSP}%") and "," in shown[RU("kpi_share")]
    assert EN("kpi_value") not in shown
    assert [t.label for t in app.tabs][:3] == [RU("tab_plan"), RU("tab_inputs"), RU("tab_client")]
    sidebar = [w.label for w in app.sidebar.radio] + [h.value for h in app.sidebar.header]
    assert RU("mode") in sidebar and RU("sidebar_pools") in sidebar
    assert RU("pools_title") in [s.value for s in app.subheader]
    # Reasons in the not-funded table are built in Russian.
    unfunded = [d.value for d in app.dataframe if RU("col_reason") in d.value.columns]
    assert unfunded and not unfunded[0][RU("col_reason")].str.contains("would need").any()


def test_an_infeasible_budget_shows_why_and_no_plan(app, sample_problem: Problem) -> None:
    app.number_input(key=state.cap_key("budget")).set_value(1.0).run()
    assert not app.exception
    expected = solve(sample_problem.with_capacity("budget", 1.0))
    assert expected.status == "infeasible"
    assert EN("infeasible_title") in [e.value for e in app.error]
    shown = texts(app)
    for conflict in expected.conflicts:
        assert conflict.text in shown
    assert EN("what_to_change") in shown
    assert not metrics(app), "no KPIs without a plan"
    assert not charts(app), "no charts without a plan"


def test_an_invalid_value_is_listed_kept_and_the_plan_goes_stale(app) -> None:
    tables = dict(app.session_state[state.TABLES_KEY])
    vals = tables["values"].copy()
    vals.loc[0, "value"] = "abc"
    tables["values"] = vals
    before = metrics(app)
    app.session_state[state.TABLES_KEY] = tables
    app.session_state[state.OPEN_TAB_KEY] = "inputs"
    app.run()
    assert not app.exception
    errors = [e.value for e in app.error]
    assert EN("validation_errors", n=1) in errors
    issues = next(d.value for d in app.dataframe if EN("col_problem") in d.value.columns)
    row = issues.iloc[0]
    assert (
        row[EN("col_table")],
        row[EN("col_row")],
        row[EN("col_column")],
        row[EN("col_bad_value")],
    ) == ("values", "2", "value", "abc")
    assert row[EN("col_problem")] == "is not a number"
    # The edit is kept as typed, not reverted.
    assert app.session_state[state.TABLES_KEY]["values"].loc[0, "value"] == "abc"
    # The Plan tab keeps the last valid plan on screen, marked stale.
    app.session_state[state.OPEN_TAB_KEY] = "plan"
    app.run()
    assert EN("stale_banner", n=1) in [w.value for w in app.warning]
    assert metrics(app)[EN("kpi_value")] == before[EN("kpi_value")]
    # Fixing the cell brings a current plan back.
    vals.loc[0, "value"] = "39"
    app.session_state[state.TABLES_KEY] = {**tables, "values": vals}
    app.run()
    assert EN("stale_banner", n=1) not in [w.value for w in app.warning]


def test_a_table_edit_moves_the_sidebar_number(app) -> None:
    tables = dict(app.session_state[state.TABLES_KEY])
    res = tables["resources"].copy()
    res.loc[res["resource_id"] == "exec_hours", "capacity"] = "450"
    app.session_state[state.TABLES_KEY] = {**tables, "resources": res}
    app.run()
    assert app.number_input(key=state.cap_key("exec_hours")).value == 450
    assert metrics(app)[EN("kpi_pool", pool="Executive hours", unit="h")].endswith("of 450")


def test_cheapest_plan_mode_reports_the_money_spent(app, sample_problem: Problem) -> None:
    app.radio(key=state.OBJECTIVE_KEY).set_value("min_cost").run()
    app.slider(key=state.TARGET_KEY).set_value(80).run()
    assert not app.exception
    expected = solve(sample_problem.with_settings(objective="min_cost", target_value_share=0.8))
    assert expected.has_plan
    info = [i.value for i in app.info]
    assert any(fmt_num(expected.money_spent, "en", 0) in i for i in info)
    assert expected.money_spent < sample_problem.resources.at["budget", "capacity"]


def test_reset_asks_first_then_restores_the_sample(app) -> None:
    tables = dict(app.session_state[state.TABLES_KEY])
    cli = tables["clients"].copy()
    cli.loc[0, "weight"] = "3"
    app.session_state[state.TABLES_KEY] = {**tables, "clients": cli}
    app.session_state[state.OPEN_TAB_KEY] = "inputs"
    app.run()
    app.button(key="reset").click().run()
    assert EN("reset_confirm") in [w.value for w in app.warning]
    assert app.session_state[state.TABLES_KEY]["clients"].loc[0, "weight"] == "3"
    app.button(key="reset_no").click().run()
    assert app.session_state[state.TABLES_KEY]["clients"].loc[0, "weight"] == "3"
    app.button(key="reset").click().run()
    app.button(key="reset_yes").click().run()
    assert not app.exception
    sample, _, _ = read_tables(ROOT / "sample_data")
    assert (
        app.session_state[state.TABLES_KEY]["clients"].loc[0, "weight"]
        == sample["clients"].loc[0, "weight"]
    )


def test_client_view_shows_the_chosen_clients_plan(app, sample_result: Result) -> None:
    app.session_state[state.OPEN_TAB_KEY] = "client"
    app.run()
    cid = sample_result.unfunded.index[0][0]
    app.selectbox(key="client_pick_widget").set_value(cid).run()
    assert not app.exception
    row = sample_result.clients.loc[cid]
    assert metrics(app)[EN("kpi_value")] == fmt_num(row["value"], "en", 1)
    assert len(charts(app)) == 1
    shown = texts(app)
    for (_c, _m), u in sample_result.unfunded.loc[[cid]].iterrows():
        assert u["reason"] in shown


@pytest.mark.parametrize(
    "tab", ["plan", "inputs", "client", *[tab_id for tab_id, _, _ in OPTIONAL_TABS]]
)
def test_every_tab_opens_without_exception(app, tab: str) -> None:
    app.session_state[state.OPEN_TAB_KEY] = tab
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert not [e for e in app.error if "could not be shown" in str(e.value)]


def test_inputs_tab_has_editors_for_every_table(app, sample_problem: Problem) -> None:
    app.session_state[state.OPEN_TAB_KEY] = "inputs"
    app.run()
    assert not app.exception
    headers = [s.value for s in app.subheader]
    for key in ("values_title", "table_resources", "table_methods", "table_clients"):
        assert EN(key) in headers
    grids = [d.value for d in app.dataframe if edits.NAME_COL in d.value.columns]
    assert grids and len(grids[0]) == len(app.session_state[state.TABLES_KEY]["clients"])
    p = sample_problem
    assert EN(
        "inputs_valid",
        clients=len(p.clients),
        methods=len(p.methods),
        cells=len(p.values),
        pools=len(p.pools),
    ) in [s.value for s in app.success]


def test_a_solver_failure_shows_the_message_and_no_plan(app, monkeypatch) -> None:
    from dataclasses import replace

    def failing(problem: Problem) -> Result:
        ok = solve(problem)
        return replace(
            ok,
            status="error",
            status_text="error",
            objective=None,
            message="the solver ran out of memory",
            explanation=(),
            allocation=ok.allocation.iloc[:0],
        )

    monkeypatch.setattr(cache, "solve", failing)
    monkeypatch.setattr(cache, "_SOLVES", cache._LRU(8))  # nothing solved before
    app.radio(key=state.INTEGER_KEY).set_value(True).run()
    assert not app.exception
    assert EN("error_title") in [e.value for e in app.error]
    assert "the solver ran out of memory" in [c.value for c in app.code]
    assert not metrics(app) and not charts(app)


@pytest.mark.parametrize("bad", ["lots", "-5"])
def test_a_bad_capacity_in_the_table_is_reported_not_fatal(app, bad: str) -> None:
    tables = dict(app.session_state[state.TABLES_KEY])
    res = tables["resources"].copy()
    res.loc[res["resource_id"] == "budget", "capacity"] = bad
    app.session_state[state.TABLES_KEY] = {**tables, "resources": res}
    app.session_state[state.OPEN_TAB_KEY] = "inputs"
    app.run()
    assert not app.exception
    assert app.number_input(key=state.cap_key("budget")).value is None
    assert EN("sidebar_pool_invalid") in [c.value for c in app.sidebar.caption]
    issues = next(d.value for d in app.dataframe if EN("col_problem") in d.value.columns)
    assert (issues[EN("col_column")] == "capacity").any()
    assert (issues[EN("col_bad_value")] == bad).any()
    # Typing a number in the sidebar fixes the table.
    app.number_input(key=state.cap_key("budget")).set_value(300000).run()
    assert not [e for e in app.error if e.value == EN("validation_errors", n=1)]
