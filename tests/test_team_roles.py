"""Every page action and command-line edit, for each role: allowed or refused as the roles say
(director: everything; account planner: their clients' rows only, none of the whole-plan tabs;
viewer: reads what a director reads, changes nothing). On both database engines."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from optimizer.bundle import load_bundle
from optimizer.cli import main
from optimizer.schema import CLIENTS
from optimizer.solve import solve
from optimizer.storage import StoreError
from optimizer.team import (
    PAGE_ACTIONS,
    Member,
    Team,
    edit_as,
    may,
    member_inputs,
    member_result,
)
from optimizer.workspace import EditConflict, Workspace, cell_edits, problem_tables

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
DIRECTOR, PLANNER, VIEWER = "dir@x.com", "anna@x.com", "vera@x.com"
MINE, OTHER = "hartwell", "vellmark"  # the planner's client, and another one

# (action, allowed for director, planner, viewer)
PAGE_MATRIX = [
    ("whatif", True, False, True),
    ("scenarios", True, False, True),
    ("export", True, False, True),
    ("save_scenario", True, False, False),
    ("manage_members", True, False, False),
    ("edit_shared", True, False, False),
    ("edit_rows", True, True, False),
]
# (table, key, column, allowed for director, planner, viewer): one edit of each kind of row.
EDIT_MATRIX = [
    ("values", f"{MINE}/demo", "value", True, True, False),
    ("values", f"{OTHER}/demo", "value", True, False, False),
    ("clients", MINE, "weight", True, True, False),
    ("clients", OTHER, "weight", True, False, False),
    ("relationship", MINE, "open_problems", True, True, False),
    ("resources", "budget", "capacity", True, False, False),
    ("methods", "demo", "name", True, False, False),
    ("settings", "currency", "value", True, False, False),
]
ROLES = ("director", "planner", "viewer")


@pytest.fixture
def team(db_target: str) -> dict[str, Member]:
    ws = Workspace(db_target)
    ws.import_problem(load_bundle(SAMPLE), who=DIRECTOR, label="sample_data")
    t = Team(db_target)
    t.add(DIRECTOR, "director")
    t.add(PLANNER, "planner", [MINE])
    t.add(VIEWER, "viewer")
    return {"director": t.get(DIRECTOR), "planner": t.get(PLANNER), "viewer": t.get(VIEWER)}


def test_page_actions_follow_the_roles() -> None:
    assert {a for a, *_ in PAGE_MATRIX} == set(PAGE_ACTIONS)
    for action, *allowed in PAGE_MATRIX:
        for role, ok in zip(ROLES, allowed):
            member = Member(f"{role}@x.com", role, (MINE,) if role == "planner" else ())
            assert may(member, action) is ok, (action, role)


def edit_value(ws: Workspace, table: str, key: str, column: str) -> tuple[str, str]:
    seen = ws.cell(table, key, column).value
    new = (
        '"USD"'
        if table == "settings"
        else f"{seen} changed"
        if column in ("open_problems", "name")
        else "7"
    )
    return seen, new


@pytest.mark.parametrize("role", ROLES)
def test_every_kind_of_edit_is_allowed_or_refused_by_role(
    team: dict[str, Member], db_target: str, role: str
) -> None:
    """The page's edits go through `edit_as`: a refused one changes nothing."""
    ws = Workspace(db_target)
    member = team[role]
    for table, key, column, *allowed in EDIT_MATRIX:
        ok = allowed[ROLES.index(role)]
        seen, new = edit_value(ws, table, key, column)
        if ok:
            change = edit_as(ws, member, table, key, column, seen, new)
            assert change is not None and change.who == member.email
            assert ws.cell(table, key, column).value == new
        else:
            with pytest.raises(StoreError) as err:
                edit_as(ws, member, table, key, column, seen, new)
            assert err.value.code == "team_denied", (table, key, role)
            assert ws.cell(table, key, column).value == seen


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("role", ROLES)
def test_workspace_set_with_a_members_name_applies_their_role(
    team: dict[str, Member], db_target: str, role: str
) -> None:
    ws = Workspace(db_target)
    for table, key, column, *allowed in EDIT_MATRIX:
        ok = allowed[ROLES.index(role)]
        seen, new = edit_value(ws, table, key, column)
        code, _, err = cli(
            "workspace", "set", table, key, column, new, "--seen", seen,
            "--db", db_target, "--who", team[role].email,
        )  # fmt: skip
        assert (code == 0) is ok, (table, key, role, err)
        assert ws.cell(table, key, column).value == (new if ok else seen)
        if not ok:
            assert "Traceback" not in err and team[role].email in err, err
    # A name that is no member's edits as before (the command line signs nobody in).
    seen, new = edit_value(ws, "resources", "budget", "capacity")
    code, _, err = cli(
        "workspace", "set", "resources", "budget", "capacity", "123", "--seen", seen,
        "--db", db_target, "--who", "someone",
    )  # fmt: skip
    assert code == 0, err


@pytest.mark.parametrize("role", ROLES)
def test_what_each_role_is_sent(team: dict[str, Member], db_target: str, role: str) -> None:
    """The tables and the plan a session receives: a planner nothing of another client."""
    ws = Workspace(db_target)
    tables, settings = ws.tables()
    member = team[role]
    shown, _ = member_inputs(tables, settings, member)
    clients = set(shown[CLIENTS]["client_id"])
    problem = ws.problem()
    whole = solve(problem)
    plan = member_result(whole, member, tables)
    if role == "planner":
        assert clients == {MINE}
        others = load_bundle(SAMPLE).clients.drop(index=MINE)
        words = [*others.index, *others["name"]]
        for name, frame in shown.items():
            text = frame.to_csv(index=False)
            assert not [w for w in words if w in text], name
        assert set(plan.clients.index) == {MINE}
        assert set(plan.allocation.index.get_level_values("client_id")) <= {MINE}
        assert plan.objective == pytest.approx(whole.clients.loc[MINE, "weighted_value"])
        # The pools' prices are the whole plan's.
        assert plan.pools["shadow_price"].tolist() == whole.pools["shadow_price"].tolist()
        # A cut of the plan has a fingerprint of its own (caches keyed by it cannot mix cuts).
        other = Member("b@x.com", "planner", (OTHER,))
        assert plan.fingerprint != whole.fingerprint
        assert plan.fingerprint != member_result(whole, other, tables).fingerprint
    else:
        assert clients == set(tables[CLIENTS]["client_id"])
        assert plan is whole


def test_cell_edits_finds_changed_cells_and_reshaped_tables() -> None:
    before = problem_tables(load_bundle(SAMPLE))
    after = {t: f.copy() for t, f in before.items()}
    after["clients"].loc[after["clients"]["client_id"] == MINE, "weight"] = "9"
    after["values"] = after["values"].iloc[::-1].reset_index(drop=True)  # reordered: no edit
    after["methods"] = after["methods"].iloc[1:]  # a row gone: not a cell edit
    edits, reshaped = cell_edits(before, after)
    assert [(e.table, e.key, e.column, e.value) for e in edits] == [
        ("clients", MINE, "weight", "9")
    ]
    assert reshaped == ["methods"]


def test_a_stale_edit_is_refused_with_the_current_value(
    team: dict[str, Member], db_target: str
) -> None:
    ws = Workspace(db_target)
    seen = ws.cell("values", f"{MINE}/demo", "value").value
    edit_as(ws, team["director"], "values", f"{MINE}/demo", "value", seen, "41")
    with pytest.raises(EditConflict) as err:
        edit_as(ws, team["planner"], "values", f"{MINE}/demo", "value", seen, "50")
    assert (err.value.current, err.value.set_by, err.value.value) == ("41", DIRECTOR, "50")


def test_the_workbook_has_the_changes_sheet_and_a_planner_s_has_only_their_clients(
    team: dict[str, Member], db_target: str
) -> None:
    import openpyxl

    from optimizer.export.xlsx import xlsx_bytes
    from optimizer.team import member_changes, member_problem

    ws = Workspace(db_target)
    for key in (f"{MINE}/demo", f"{OTHER}/demo"):
        seen = ws.cell("values", key, "value").value
        edit_as(ws, team["director"], "values", key, "value", seen, "45")
    tables, _ = ws.tables()
    problem = ws.problem()
    whole = solve(problem)
    planner = team["planner"]
    data = xlsx_bytes(
        member_problem(problem, planner),
        member_result(whole, planner, tables),
        lang="ru",
        changes=member_changes(ws.changes(), planner, tables),
        since="2026-12-01",
    )
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheet = book["Изменения"]
    rows = [r for r in sheet.iter_rows(values_only=True) if any(r)]
    assert rows[0][0] == "Изменения общих исходных данных с 2026-12-01"
    edits = [r for r in rows[2:] if r[2] == "values"]
    assert [(r[1], r[3], r[4], r[6]) for r in edits] == [(DIRECTOR, f"{MINE}/demo", "value", "45")]
    others = load_bundle(SAMPLE).clients.drop(index=MINE)
    words = [*others.index, *others["name"]]
    for name in book.sheetnames:
        text = " ".join(
            str(v) for r in book[name].iter_rows(values_only=True) for v in r if v is not None
        )
        assert not [w for w in words if w in text], name
