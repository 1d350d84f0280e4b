"""The shared inputs as they were at a date, rebuilt from the change log: every change at or
after the date undone (cell edits, and a re-import's changed, added and removed rows). On both
database engines."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from optimizer.bundle import load_bundle
from optimizer.storage import StoreError
from optimizer.workspace import Workspace

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def after(at: str) -> datetime:
    """A moment just after the change logged at `at`."""
    return datetime.fromisoformat(at) + timedelta(microseconds=1)


def same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert list(a) == list(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_dtype=False, obj=name)


def test_tables_at_undo_later_edits_and_imports(db_target: str, tmp_path: Path) -> None:
    ws = Workspace(db_target)
    ws.import_problem(load_bundle(SAMPLE), who="dir@x.com", label="sample_data")
    start_tables, start_settings = ws.tables()
    first = after(ws.changes()[-1].at)

    seen = ws.cell("values", "hartwell/demo", "value").value
    ws.set_cell("values", "hartwell/demo", "value", seen, "7", who="anna@x.com")
    middle_tables, middle_settings = ws.tables()
    middle = after(ws.changes()[-1].at)
    ws.set_cell("settings", "currency", "value", '"EUR"', '"USD"', who="dir@x.com")
    ws.set_cell("values", "hartwell/demo", "value", "7", "8", who="anna@x.com")

    # a re-import without the one override row and without a client's checklist row
    changed = tmp_path / "changed"
    shutil.copytree(SAMPLE, changed)
    (changed / "overrides.csv").write_text("client_id,method_id,resource_id,per_unit\n")
    rel = pd.read_csv(changed / "relationship.csv", dtype=str, keep_default_na=False)
    gone = str(rel["client_id"].iloc[-1])
    rel.iloc[:-1].to_csv(changed / "relationship.csv", index=False)
    ws.import_problem(load_bundle(changed), who="dir@x.com", label="changed")
    now_tables, now_settings = ws.tables()
    assert gone not in set(now_tables["relationship"]["client_id"])
    assert now_settings["currency"] == "EUR"  # the re-import set it back, logged

    then_tables, then_settings = ws.tables_at(first)
    same(then_tables, start_tables)
    assert then_settings == start_settings
    then_tables, then_settings = ws.tables_at(middle)
    same(then_tables, middle_tables)
    assert then_settings == middle_settings
    assert (
        then_tables["values"]
        .set_index(["client_id", "method_id"])
        .loc[("hartwell", "demo"), "value"]
        == "7"
    )
    # now: nothing to undo
    same(ws.tables_at(after(ws.changes()[-1].at))[0], now_tables)
    # before the first import there was no plan
    with pytest.raises(StoreError) as err:
        ws.tables_at("2000-01-01")
    assert err.value.code == "ws_empty_at"
