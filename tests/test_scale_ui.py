"""The page's parts that keep it bounded with many clients, without a browser: the client
chooser's choice, the charts drawing the clients chosen, the not-funded table's own column for
the blocking limit, and the Export tab preparing a large plan's files first."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from benchmarks.instances import make_problem
from conftest import ROOT
from optimizer import solve
from optimizer.schema import BLOCKED_BY, NAME, SEGMENT, VALUE, Problem, Result
from ui import charts
from ui.lists import ALL, ALL_MAX, MOST_N, choose_clients, count_choices
from ui.plan_tab import unfunded_table
from ui.text import Translator

EN, RU = Translator("en"), Translator("ru")
TINY = ROOT / "tests" / "fixtures" / "tiny"


@pytest.fixture(scope="module")
def big() -> tuple[Problem, Result]:
    problem = make_problem(400, seed=3)  # 2,800 heatmap cells
    return problem, solve(problem)


def test_the_chooser_takes_the_top_clients_by_value(big: tuple[Problem, Result]) -> None:
    clients = big[1].clients
    choice = choose_clients(clients, 25)
    assert len(choice.ids) == 25 and choice.matched == choice.total == len(clients)
    values = clients[VALUE].reindex(list(choice.ids)).to_numpy()
    assert (np.diff(values) <= 0).all()
    # No client left out is worth more than the last one chosen.
    rest = clients[VALUE].drop(list(choice.ids))
    assert rest.max() <= values[-1]
    assert len(choose_clients(clients, ALL).ids) == len(clients)
    assert choose_clients(clients, ALL).everyone


def test_the_chooser_filters_by_segment_and_searches_names(big: tuple[Problem, Result]) -> None:
    clients = big[1].clients
    in_b = choose_clients(clients, ALL, ["B"])
    assert in_b.matched == int((clients[SEGMENT] == "B").sum()) > 0
    assert set(clients.loc[list(in_b.ids), SEGMENT]) == {"B"}
    # Any case, part of the name; or part of the id.
    found = choose_clients(clients, ALL, (), "cLiEnT 12")
    expected = {c for c, n in clients[NAME].items() if "client 12" in n.lower()}
    assert set(found.ids) == expected and found.matched == len(expected)
    assert set(choose_clients(clients, ALL, (), "c00042").ids) == {"c00042"}
    assert choose_clients(clients, 25, ["B"], "no such client").ids == ()


def test_charts_draw_the_clients_chosen(big: tuple[Problem, Result]) -> None:
    result = big[1]
    ids = list(choose_clients(result.clients, 25).ids)
    names = list(result.clients[NAME].reindex(ids))
    value = charts.value_by_client(result, EN, ids)
    pools = charts.pool_use_by_client(result, EN, ids)
    heat = charts.units_heatmap(result, EN, ids)
    assert list(value.data[0].y) == names and list(pools.data[0].y) == names
    assert list(heat.data[0].y) == names
    # Heights follow the rows drawn, not the clients in the plan.
    assert value.layout.height < charts.value_by_client(result, EN).layout.height / 5
    # The heatmap's cells are the chosen clients' units.
    z = np.array(heat.data[0].z, dtype=float)
    assert np.allclose(z, charts.units_matrix(result, ids).to_numpy(dtype=float), equal_nan=True)
    # Numbers in the cells while they can be read; past that, on hover only.
    assert heat.data[0].texttemplate == "%{text}"
    assert charts.units_heatmap(result, EN).data[0].texttemplate is None


def test_the_blocking_limit_has_its_own_column(big: tuple[Problem, Result]) -> None:
    result = big[1]
    table = unfunded_table(result, EN)
    cols = list(table.columns)
    assert cols.index(EN("col_blocked_by")) < cols.index(EN("col_reason"))
    blocked = result.unfunded[BLOCKED_BY].to_numpy()
    assert (table[EN("col_blocked_by")].to_numpy() == blocked).all()
    assert (table[EN("col_blocked_by")] != "").any()
    # Each reason names its limits at the end, which a narrow column cut off.
    named = [b in r for b, r in zip(blocked, table[EN("col_reason")]) if b]
    assert named and all(named)
    ru = unfunded_table(result, RU)[RU("col_blocked_by")]
    assert (ru != table[EN("col_blocked_by")]).any()  # in the page's language


def _export_script(tiny: str) -> None:
    import streamlit as st

    from optimizer import load_bundle, solve
    from ui import export_tab
    from ui.text import Translator

    problem = load_bundle(tiny)
    ctx = type(
        "Ctx", (), {"problem": problem, "result": solve(problem), "lang": "en", "t": Translator()}
    )()
    # Every plan is "large" here: its long files are prepared (the module is shared by the
    # process's other tests, so the threshold is put back).
    above, export_tab.PREPARE_ABOVE = export_tab.PREPARE_ABOVE, 0
    try:
        export_tab.render_export(ctx)
    finally:
        export_tab.PREPARE_ABOVE = above
    st.session_state["built"] = dict(st.session_state.get(export_tab.BUILT_KEY, {}))


def test_a_large_plans_files_are_prepared_then_offered() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_export_script, args=(str(TINY),), default_timeout=120).run()
    assert not at.exception
    prepare = {b.key for b in at.button if b.key and b.key.startswith("prepare_")}
    assert prepare == {"prepare_dl_xlsx", "prepare_dl_html", "prepare_dl_clients_zip"}
    downloads = {b.proto.id for b in at.get("download_button")}
    assert len(downloads) == 5  # csv, json, lp and this client's two files, as before
    at.button(key="prepare_dl_xlsx").click().run()
    assert not at.exception
    book = openpyxl.load_workbook(io.BytesIO(at.session_state["built"]["dl_xlsx"][1]))
    assert book.sheetnames[0] == EN("export_sheet_summary")
    assert "prepare_dl_xlsx" not in {b.key for b in at.button}
    labels = [b.proto.label for b in at.get("download_button")]
    assert EN("export_download", what=EN("export_xlsx")) in labels
    at.button(key="prepare_dl_clients_zip").click().run()
    data = at.session_state["built"]["dl_clients_zip"][1]
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    clients = pd.read_csv(TINY / "clients.csv")["client_id"]
    assert sorted(names) == sorted(f"plan_{c}.{x}" for c in clients for x in ("html", "xlsx"))
    # A new scenario name changes the files: they are prepared again.
    at.text_input(key="export_scenario").set_value("Q4").run()
    assert "prepare_dl_xlsx" in {b.key for b in at.button}


def test_the_reports_charts_draw_a_large_plans_top_clients(big: tuple[Problem, Result]) -> None:
    from types import SimpleNamespace

    from ui.export_tab import REPORT_CLIENTS, dashboard_figures

    result = big[1]
    figures = dashboard_figures(result, SimpleNamespace(t=EN, lang="en"))
    assert figures is not None and len(figures) == 3
    top = set(choose_clients(result.clients, REPORT_CLIENTS).ids)
    names = set(result.clients.loc[list(top), NAME])
    note = EN("report_top_clients", n=REPORT_CLIENTS, total=len(result.clients))
    for fig in figures:
        assert set(fig["data"][0]["y"]) == names
        assert note in fig["layout"]["title"]["text"]


def test_the_relationship_tabs_long_lists_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    from benchmarks.bench_dashboard import write_scaled_bundle
    from optimizer import load_bundle
    from optimizer import relationship as rel
    from ui import state
    from ui.relationship_tab import WIDEN_NAMES

    bundle = write_scaled_bundle(400, tmp_path / "bundle")
    problem = load_bundle(bundle)
    unconfirmed = len(rel.unconfirmed_commitments(problem))
    widened = len(rel.widening_factors(problem))
    assert unconfirmed > 5 and widened > WIDEN_NAMES
    monkeypatch.setenv(state.START_BUNDLE_ENV, str(bundle))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state[state.OPEN_TAB_KEY] = "relationship"
    at.run()
    assert not at.exception
    title = EN("rel_plan_unconfirmed", n=unconfirmed)
    box = next(w.value for w in at.warning if w.value.startswith(title))
    assert box.count("\n- ") == 5  # the first five, the rest behind the expander
    assert EN("list_all", n=EN.num(unconfirmed, 0)) in [e.label for e in at.expander]
    # The widened clients: the first names, then how many more.
    line = next(m.value for m in at.markdown if m.value.startswith(f"Widened ({widened})"))
    assert EN("list_more", n=EN.num(widened - WIDEN_NAMES, 0)) in line
    assert line.count("Client ") == WIDEN_NAMES


def test_every_client_is_offered_up_to_what_a_browser_draws() -> None:
    assert count_choices(24) == [ALL]
    assert count_choices(80) == [25, ALL]
    assert count_choices(ALL_MAX) == [25, 100, ALL]
    assert count_choices(ALL_MAX + 1) == [25, 100, MOST_N]
    assert count_choices(10_000)[-1] == MOST_N
