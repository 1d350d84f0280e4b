"""Pure parts of what a new user tripped over: an edited value takes its range along, complete
uploads replace the bundle, price quoting amounts, the Russian catalogue's wording."""

from __future__ import annotations

import pandas as pd

from conftest import SAMPLE
from optimizer.bundle import read_tables
from optimizer.schema import Settings
from ui import edits
from ui.cache import validate
from ui.cells import as_text


def sample_tables() -> dict[str, pd.DataFrame]:
    tables, _, _ = read_tables(SAMPLE)
    return {t: as_text(f) for t, f in tables.items()}


def grid_edit(tables: dict[str, pd.DataFrame], client: str, method: str, text: str):
    grid = edits.value_grid(tables, "value")
    pos = list(grid.index).index(client)
    return edits.edit_grid(tables, "value", {"edited_rows": {pos: {f"m:{method}": text}}})


def row(tables: dict[str, pd.DataFrame], client: str, method: str) -> dict[str, str]:
    v = tables["values"]
    hit = v[(v["client_id"] == client) & (v["method_id"] == method)]
    return hit.iloc[0].to_dict()


def test_raising_a_value_above_its_high_estimate_moves_the_range_and_validates() -> None:
    before = sample_tables()
    assert row(before, "hartwell", "demo")[edits.VALUE_HIGH] == "48"
    after = grid_edit(before, "hartwell", "demo", "78")  # 39 -> 78, above the high 48
    vals, moves = edits.carry_ranges(before["values"], after["values"])
    got = row({"values": vals}, "hartwell", "demo")
    # The range 24..48 around 39 is scaled with the value: 48..96 around 78.
    assert (got["value"], got["value_low"], got["value_high"]) == ("78", "48", "96")
    assert [(m.client_id, m.method_id, m.low, m.high) for m in moves] == [
        ("hartwell", "demo", 48.0, 96.0)
    ]
    # The inputs still validate: the plan is not blocked.
    problem, issues = validate({**after, "values": vals}, Settings(), ())
    assert problem is not None, [str(i) for i in issues if i.severity == "error"]
    # Without the carry the same edit stops the plan (the old behaviour).
    problem, issues = validate(after, Settings(), ())
    assert problem is None and any(i.code == "high_below" for i in issues)


def test_a_value_lowered_below_a_range_that_did_not_hold_it_moves_only_the_crossed_bound() -> None:
    before = pd.DataFrame(
        {
            "client_id": ["a", "b"],
            "method_id": ["m", "m"],
            "value": ["10", "0"],
            "value_low": ["12", ""],
            "value_high": ["20", "5"],
        },
        dtype=object,
    )
    after = before.copy()
    after.loc[0, "value"] = "8"  # the old range did not hold 10: only the low moves
    after.loc[1, "value"] = "9"  # old value 0: no ratio, the high moves onto the value
    vals, moves = edits.carry_ranges(before, after)
    assert vals["value_low"].tolist() == ["8", ""]
    assert vals["value_high"].tolist() == ["20", "9"]
    assert len(moves) == 2


def test_an_edit_of_the_estimates_themselves_is_left_as_typed() -> None:
    before = sample_tables()["values"]
    after = before.copy()
    after.loc[0, "value"] = "100"
    after.loc[0, "value_high"] = "50"  # the user set both: validation has the last word
    vals, moves = edits.carry_ranges(before, after)
    assert moves == [] and vals.loc[0, "value_high"] == "50"


def own_bundle() -> dict[str, pd.DataFrame]:
    """A bundle of the user's own: the sample's four required tables with other client ids."""
    tables = sample_tables()
    out = {n: tables[n].copy() for n in ("resources", "methods", "clients", "values")}
    for n in ("clients", "values"):
        out[n]["client_id"] = "own_" + out[n]["client_id"]
    return out


def test_a_complete_upload_replaces_the_whole_bundle() -> None:
    current = sample_tables()
    mine = own_bundle()
    files = [f"{n}.csv" for n in mine]
    assert edits.is_complete_upload(files, mine)
    tables, _, kept = edits.merge_upload(current, mine, [], complete=True)
    assert kept == [] and set(tables) == set(mine)  # the sample's checklist is gone
    problem, issues = validate(tables, Settings(), ())
    assert problem is not None, [str(i) for i in issues if i.severity == "error"][:3]
    # Merged instead (the old behaviour), the sample's checklist names unknown clients.
    merged, _, kept = edits.merge_upload(current, mine, [], complete=False)
    assert "relationship" in kept
    problem, issues = validate(merged, Settings(), ())
    assert problem is None
    assert sum(i.table == "relationship" for i in issues if i.severity == "error") == 24


def test_a_workbook_or_archive_is_complete_and_a_single_table_merges() -> None:
    assert edits.is_complete_upload(["mine.xlsx"], {"values": pd.DataFrame()})
    assert edits.is_complete_upload(["mine.zip"], {})
    one = {"values": sample_tables()["values"]}
    assert not edits.is_complete_upload(["values.csv"], one)
    tables, _, kept = edits.merge_upload(sample_tables(), one, [], complete=False)
    assert set(kept) == {"resources", "methods", "clients", "overrides", "relationship"}
    origins = {**dict.fromkeys(kept, "sample"), "values": "values.csv"}
    assert set(edits.drop_tables(tables, origins, "sample")) == {"values"}
