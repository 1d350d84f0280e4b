"""Widgets shared by the tabs, so that no tab imports another.

- tables whose numbers read in the page's language (`styled`, `show_table`);
- the "last valid plan or say why" preamble of the Plan and Client tabs (`shown_plan`);
- the key-account checklist's blocks: the client's checklist beside its plan
  (`render_client_checklist`) and the Plan tab's warnings (`render_plan_warnings`), with the
  sentences and answers the Relationship tab shows too;
- the comparison of two plans (`render_diff`), for the What-if and Scenarios tabs.

The checklist's rules live in `optimizer.relationship`; this module only draws them.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from optimizer import analysis as an
from optimizer import relationship as rel
from optimizer.export.common import neutralise
from optimizer.messages.describe import summarize_issues
from optimizer.messages.formats import fmt_spec
from optimizer.schema import (
    CLIENT_ID,
    COMMITTED_UNITS,
    NAME,
    NEEDED_EXACT,
    NEEDED_KIND,
    OPEN_PROBLEMS,
    WRITTEN_CONFIRMATION,
    Issue,
    Problem,
    Result,
)
from optimizer.tolerances import TINY, VALUE_NOISE

from . import analysis_charts
from .lists import collapsed_lines
from .state import Context
from .text import Translator, md_text


# ---- tables ----------------------------------------------------------------------------------
def styled(
    frame: pd.DataFrame, t: Translator, decimals: dict[str, int], pcts: dict[str, int] | None = None
) -> Any:
    """Numbers and shares formatted in the page's language, kept numbers so a click sorts them
    (one Styler.format call, as a second one would reset the first's columns). The texts
    Streamlit sends are made a column at a time (`_with_texts`)."""

    def number(d: int) -> Callable[[Any], str]:
        return lambda v: "" if pd.isna(v) else t.num(float(v), d)

    def share(d: int) -> Callable[[Any], str]:
        return lambda v: "" if pd.isna(v) else t.pct(float(v), d)

    fmt: dict[str, Callable[[Any], str]] = {}
    texts: dict[str, Callable[[Any], list[str]]] = {}
    for c, d in decimals.items():
        if c in frame.columns:
            fmt[c] = number(d)
            texts[c] = partial(number_texts, t=t, decimals=d)
    for c, d in (pcts or {}).items():
        if c in frame.columns:
            fmt[c] = share(d)
            texts[c] = partial(number_texts, t=t, decimals=d, share=True)
    return _with_texts(frame.style.format(fmt), frame, texts)


def number_texts(values: Any, t: Translator, decimals: int, share: bool = False) -> list[str]:
    """Numbers as `t.num(v, decimals)` writes them (shares as `t.pct`; "" for a missing
    one), for a whole column at once: one Python format per value and the language's signs by
    one translation, without t.num's checks of each value (8,000 numbers in a few ms)."""
    x = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    spec, lang = f".{decimals}%" if share else f",.{decimals}f", t.lang
    one, scale = (t.pct, 100) if share else (t.num, 1)

    def text(v: float) -> str:
        if not math.isfinite(v):
            return "" if v != v else one(v, decimals)
        if v < 0 and round(v * scale, decimals) == 0:
            v = 0.0  # no "-0", as t.num (Python's rounding, as format's)
        return fmt_spec(v, spec, lang)

    return [text(v) for v in x.tolist()]


def _with_texts(sty: Any, frame: pd.DataFrame, texts: dict[str, Callable[[Any], list[str]]]) -> Any:
    """The Styler with the texts Streamlit sends given from whole columns. Streamlit takes a
    Styler's display values from pandas' HTML renderer, which makes them cell by cell (2,000
    clients: 0.75 s for the allocation table's 90,000 cells, on every rerun); here the
    renderer's answer is the columns' texts, and the Styler's formats stay as they are, so
    anything else that renders it reads the same numbers."""
    if not frame.columns.is_unique:  # a column's position would be ambiguous: pandas renders
        return sty
    cols = [(int(frame.columns.get_loc(c)), f) for c, f in texts.items()]
    body = [
        [{"id": f"row{r}_col{c}", "display_value": s} for r, s in enumerate(f(frame.iloc[:, c]))]
        for c, f in cols
    ]

    def translate(*_args: Any, **_kwargs: Any) -> dict[str, Any]:
        return {"body": body, "table_styles": [], "cellstyle": []}

    sty._translate = translate
    return sty


def show_table(
    frame: pd.DataFrame,
    t: Translator,
    decimals: dict[str, int],
    key: str,
    column_config: dict[str, Any] | None = None,
    height: int | None = None,
) -> None:
    """A sortable table with numbers in the page's language (`height`: px, scrolling inside;
    default: Streamlit's ten rows). English formats in the browser (a printf format per
    column, cheap); Russian sends the numbers' texts beside them (a space between thousands
    and a decimal comma are beyond printf, and the browser's "localized" format follows the
    browser's language, not the page's), made a column at a time (`styled`)."""
    config = dict(column_config or {})
    if t.lang == "en":
        for c, d in decimals.items():
            if c in frame.columns and c not in config:
                config[c] = st.column_config.NumberColumn(format=f"%,.{d}f")
        data: Any = frame
    else:
        data = styled(frame, t, decimals)
    # A Styler over pandas' cell limit is refused; these texts are not pandas' HTML.
    limit = max(int(pd.get_option("styler.render.max_elements")), frame.size)
    with pd.option_context("styler.render.max_elements", limit):
        st.dataframe(
            data, hide_index=True, key=key, column_config=config or None, height=height or "auto"
        )


def needed_caption(result: Result) -> str | None:
    """The key of the caption saying what the needed values are (None without any)."""
    u = result.unfunded
    if u.empty or NEEDED_KIND not in u.columns:
        return None
    kinds = set(u[NEEDED_KIND].unique())  # the few distinct kinds, not a set of every row
    if kinds <= {NEEDED_EXACT}:
        return "needed_caption_exact"
    if result.settings.integer_units or result.settings.objective == "min_cost":
        return "needed_caption_estimate"
    return "needed_caption_bound"


# ---- the plan to show ----------------------------------------------------------------------
def shown_plan(ctx: Context) -> tuple[Problem, Result] | None:
    """The last valid problem and result, with the stale banner when the inputs have errors
    since; None (after saying so) when no input has validated yet."""
    if ctx.last_valid is None:
        st.error(ctx.t("no_valid_inputs"))
        return None
    if ctx.stale:
        st.warning(ctx.t("stale_banner", n=len(ctx.errors)))
    return ctx.last_valid.problem, ctx.last_valid.result


# ---- the key-account checklist -------------------------------------------------------------
def answer_text(answer: str, t: Translator) -> str:
    key = f"rel_answer_{str(answer).replace(' ', '_')}"
    return t(key) if t.has(key) else str(answer)


def date_text(v: Any) -> str:
    return "" if v is None or pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d")


def unconfirmed_lines(problem: Problem, t: Translator, client_id: str | None = None) -> list[str]:
    """One sentence per committed cell whose agreement is not confirmed in writing."""
    u = rel.unconfirmed_commitments(problem)
    if client_id is not None:
        u = u[u.index.get_level_values(CLIENT_ID) == client_id]
    return [
        t(
            "rel_unconfirmed_line",
            client=r[rel.CLIENT_NAME],
            method=r[rel.METHOD_NAME],
            n=t.num(float(r[COMMITTED_UNITS])),
            answer=answer_text(r[WRITTEN_CONFIRMATION], t),
        )
        for _, r in u.iterrows()
    ]


def render_client_checklist(ctx: Context, problem: Problem, client_id: str) -> None:
    """The client's checklist next to its plan: open problems and unconfirmed commitments
    first (they call for action), then the answers, readiness and last review."""
    t = ctx.t
    if client_id not in problem.clients.index:
        return
    cc = rel.client_checklist(problem, client_id)
    st.subheader(t("rel_client_title"))
    if not cc.table:
        st.caption(t("rel_client_not_assessed"))
        return
    if cc.open_problems:
        st.warning(t.md("rel_client_open", text=cc.open_problems), icon=":material/report:")
    for line in unconfirmed_lines(problem, t.md, client_id):
        st.warning(line, icon=":material/edit_document:")
    if not cc.assessed:
        st.caption(t("rel_client_no_row"))
    answers = " · ".join(
        f"{t('rel_item_' + item)}: **{md_text(answer_text(a, t))}**"
        for item, a in cc.answers.items()
    )
    st.markdown(answers)
    st.caption(
        t(
            "rel_client_summary",
            score=t.pct(cc.readiness, 0) if cc.readiness is not None else "–",
            date=date_text(cc.last_review) or t("rel_never"),
        )
    )
    if cc.widen_factor > 1:
        st.caption(t("rel_client_widened", f=t.num(cc.widen_factor, 1)))


# The Plan tab's checklist sentences by the frames they are read from (held here, so their
# ids stay theirs) and the language: a change of budget keeps these frames, so a rerun
# reuses the sentences (50,000 clients: some 3 s of reading dates and wording lines).
_WARNINGS: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], list[str], list[str]]] = (
    OrderedDict()
)
_WARNINGS_LOCK = threading.Lock()


def plan_warning_lines(problem: Problem, t: Translator) -> tuple[list[str], list[str]]:
    """The Plan tab's checklist sentences: committed units without a written confirmation,
    and open problems (client in bold: problem), in `t`'s language; never modify them."""
    frames = (problem.relationship, problem.clients, problem.methods, problem.values)
    key = (*map(id, frames), t.lang, type(t).__name__)
    with _WARNINGS_LOCK:
        hit = _WARNINGS.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], frames)):
            _WARNINGS.move_to_end(key)
            return hit[1], hit[2]
    lines = unconfirmed_lines(problem, t)
    a = rel.answers(problem)
    open_ = a[a[OPEN_PROBLEMS] != ""]
    problems = [
        f"**{md_text(n)}**: {md_text(p)}" for n, p in zip(open_[NAME], open_[OPEN_PROBLEMS])
    ]
    with _WARNINGS_LOCK:
        _WARNINGS[key] = (frames, lines, problems)
        while len(_WARNINGS) > 4:
            _WARNINGS.popitem(last=False)
    return lines, problems


def render_plan_warnings(ctx: Context, problem: Problem, result: Result) -> None:
    """The Plan tab's warnings from the checklist: committed units without a written
    confirmation, and open problems with clients the plan spends on."""
    t = ctx.t
    if problem.relationship is None:
        return
    # Long lists are collapsed: the first few sentences, the rest behind their count.
    lines, problems = plan_warning_lines(problem, t.md)
    collapsed_lines(
        lines,
        t("rel_plan_unconfirmed", n=len(lines)),
        t,
        "warning",
        key="plan_unconfirmed_all",
        icon=":material/edit_document:",
    )
    collapsed_lines(
        problems,
        t("rel_plan_open", n=len(problems)),
        t,
        "info",
        key="plan_open_all",
        icon=":material/report:",
    )


# ---- lists of input problems ----------------------------------------------------------------
IssueFrame = Callable[[list[Issue], Translator], pd.DataFrame]


def issues_csv(issues: list[Issue], t: Translator, frame: IssueFrame) -> bytes:
    """Every issue as a CSV table in the page's language (cells that could start a formula
    quoted, as in every export)."""
    table = frame(issues, t).map(lambda v: neutralise(str(v)))
    return table.to_csv(index=False).encode("utf-8-sig")  # the BOM: Excel reads it as UTF-8


def render_issues(issues: list[Issue], t: Translator, key: str, frame: IssueFrame) -> None:
    """An issue table with at most ISSUES_PER_KIND issues of each kind (a code in a table): the
    rest of each kind counted below it, and the whole list as a download."""
    shown, hidden = summarize_issues(issues)
    st.dataframe(frame(shown, t), hide_index=True, key=key)
    if not hidden:
        return
    st.caption("  \n".join(t.md.render(h.msg) for h in hidden))
    st.download_button(
        t("issues_download_all", n=len(issues)),
        key=f"{key}_all",
        data=lambda: issues_csv(issues, t, frame),
        file_name="problems.csv",
        mime="text/csv",
        on_click="ignore",
    )


# ---- two plans side by side ----------------------------------------------------------------
def render_diff(
    d: an.ScenarioDiff,
    t: Translator,
    client_names: dict[str, str],
    method_names: dict[str, str],
    pool_names: dict[str, str],
    key: str = "diff",
) -> None:
    """KPIs side by side, the change per client, changed cells and inputs (the What-if tab's
    plan against its baseline, the Scenarios tab's comparison)."""
    if d.status_b not in ("optimal", "feasible"):
        st.warning(t.md("cmp_no_plan", name=d.names[1], status=d.status_b))
    if d.status_a not in ("optimal", "feasible"):
        st.warning(t.md("cmp_no_plan", name=d.names[0], status=d.status_a))
    k = d.kpis
    if "objective" in k.index:
        m1, m2, m3 = st.columns(3)
        for col, metric, label in (
            (m1, "objective", "cmp_kpi_objective"),
            (m2, "total_value", "cmp_kpi_total_value"),
            (m3, "money_spent", "cmp_kpi_money_spent"),
        ):
            if metric in k.index:
                r = k.loc[metric]
                small = pd.isna(r["delta"]) or abs(r["delta"]) < VALUE_NOISE
                col.metric(
                    t(label),
                    t.num(r["b"], 0),
                    delta=None if small else t.num(r["delta"], 1),
                    delta_description=t.md("cmp_vs", name=d.names[0]),
                )
    st.dataframe(
        kpi_text(analysis_charts.kpi_table(d, t, pool_names), t, d.names),
        hide_index=True,
        width="stretch",
    )
    if len(d.clients) and d.clients["delta_value"].abs().max() > VALUE_NOISE:
        st.plotly_chart(
            analysis_charts.client_change_figure(d, t), width="stretch", key=f"{key}_chart"
        )
    cells = analysis_charts.cell_change_frame(d, client_names, method_names)
    st.markdown(f"**{t('cmp_cells_title', n=len(cells))}**")
    if len(cells):
        cells["change"] = [t(f"cmp_change_{c}") for c in cells["change"]]
        cells = cells.rename(
            columns={
                "client": t("col_client"),
                "method": t("col_method"),
                "units_a": t("cmp_units_of", name=d.names[0]),
                "units_b": t("cmp_units_of", name=d.names[1]),
                "delta_units": t("cmp_delta_units"),
                "value_a": t("cmp_value_of", name=d.names[0]),
                "value_b": t("cmp_value_of", name=d.names[1]),
                "delta_value": t("cmp_delta_value"),
                "change": t("cmp_change"),
            }
        )
        st.dataframe(
            styled(cells, t, dict.fromkeys(cells.columns[2:8], 2)), hide_index=True, width="stretch"
        )
    inputs = d.inputs
    st.markdown(f"**{t('cmp_inputs_title', n=len(inputs))}**")
    if len(inputs):
        shown_in = inputs.copy()
        shown_in["change"] = [t(f"cmp_input_{c}") for c in shown_in["change"]]
        st.dataframe(
            shown_in.rename(
                columns={
                    "table": t("cmp_table"),
                    "key": t("cmp_key"),
                    "column": t("cmp_column"),
                    "a": d.names[0],
                    "b": d.names[1],
                    "change": t("cmp_change"),
                }
            ),
            hide_index=True,
            width="stretch",
        )


def kpi_text(kpis: pd.DataFrame, t: Translator, names: tuple[str, str]) -> pd.DataFrame:
    """The KPI table as text: shares as percentages, counts whole, amounts to one decimal."""

    def show(v: Any, kind: str, signed: bool = False) -> str:
        if pd.isna(v):
            return "–"
        if kind == "share":
            # A change of a share is a difference of percentages: percentage points.
            text = t("pp", x=t.num(v * 100, 1)) if signed else t.pct(v, 1)
        else:
            text = t.num(v, 0 if kind == "count" else 2 if kind == "price" else 1)
        return f"+{text}" if signed and v > TINY else text

    out = pd.DataFrame({t("cmp_metric"): kpis["metric"]})
    out[names[0]] = [show(v, k) for v, k in zip(kpis["a"], kpis["kind"])]
    out[names[1]] = [show(v, k) for v, k in zip(kpis["b"], kpis["kind"])]
    out[t("cmp_change")] = [show(v, k, True) for v, k in zip(kpis["delta"], kpis["kind"])]
    out[t("cmp_change_pct")] = ["–" if pd.isna(v) else t.pct(v, 1) for v in kpis["delta_share"]]
    return out
