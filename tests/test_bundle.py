"""Reading and validating bundles: one test per validation rule, round trips, uploads.

Each validation test checks that the problem is located (table, row, column, value), since a
sales director fixes the file from that message alone.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from checker import solve_checked
from optimizer.bundle import (
    load_bundle,
    parse_tables,
    read_tables,
    read_uploaded,
    settings_dict,
    tables_to_xlsx_bytes,
    tables_to_zip_bytes,
    to_tables,
    write_bundle,
)
from optimizer.schema import BundleError, Issue, Problem, Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TINY = FIXTURES / "tiny"
SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


# ---- helpers --------------------------------------------------------------------------------
def tiny_copy(tmp_path: Path, **files: str | bytes | None) -> Path:
    """A copy of the tiny bundle with some files replaced (text, bytes) or removed (None)."""
    dest = tmp_path / "bundle"
    shutil.copytree(TINY, dest)
    for name, content in files.items():
        path = dest / (name if "." in name else f"{name}.csv")
        if content is None:
            path.unlink()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return dest


def tiny_text(table: str) -> str:
    return (TINY / f"{table}.csv").read_text(encoding="utf-8")


def replace_cell(table: str, row_start: str, column: str, new: str) -> str:
    """The tiny table's text with one cell changed (row found by its first cells)."""
    lines = tiny_text(table).splitlines()
    header = lines[0].split(",")
    col = header.index(column)
    hits = [i for i, line in enumerate(lines) if line.startswith(row_start + ",")]
    assert len(hits) == 1, row_start
    cells = lines[hits[0]].split(",")
    cells[col] = new
    lines[hits[0]] = ",".join(cells)
    return "\n".join(lines) + "\n"


def errors_of(source: Path) -> list[Issue]:
    """The errors a bundle raises (the test fails if it loads)."""
    with pytest.raises(BundleError) as info:
        load_bundle(source)
    errors = [i for i in info.value.issues if i.severity == "error"]
    assert errors, "a BundleError must carry at least one error"
    return errors


def only(
    issues: list[Issue],
    table: str,
    *,
    row: int | None = None,
    column: str | None = None,
    value: str | None = None,
    text: str = "",
) -> Issue:
    """The single issue at this place (and with this value and wording)."""
    hits = [
        i
        for i in issues
        if i.table == table
        and (row is None or i.row == row)
        and (column is None or i.column == column)
        and (value is None or i.value == value)
        and text.lower() in i.message.lower()
    ]
    assert len(hits) == 1, (
        f"expected one issue in {table} row {row} column {column} "
        f"value {value!r} '{text}', got:\n" + "\n".join(map(str, issues))
    )
    issue = hits[0]
    shown = str(issue)
    assert table in shown
    if row is not None:
        assert f"row {row}" in shown
    if column is not None:
        assert f"'{column}'" in shown
    if value:
        assert f"'{value}'" in shown
    return issue


def same_problem(a: Problem, b: Problem) -> None:
    """Every input that affects a plan is the same."""
    for name in ("resources", "methods", "clients", "values", "overrides"):
        fa, fb = getattr(a, name), getattr(b, name)
        pd.testing.assert_frame_equal(fa, fb, check_dtype=False, check_index_type=False, obj=name)
    assert a.settings == b.settings
    assert a.fingerprint() == b.fingerprint()


# ---- a good bundle --------------------------------------------------------------------------
def test_tiny_bundle_loads() -> None:
    p = load_bundle(TINY)
    assert p.pools == ["budget", "exec_hours"]
    assert list(p.methods.index) == ["demo", "trial", "referral"]
    assert p.clients.at["kedr", "name"] == "ООО «Кедр»"
    assert p.clients.at["kedr", "min_value_share"] == 0.2
    assert p.clients.at["zeta", "max_budget"] == 3000
    assert pd.isna(p.clients.at["acme", "max_budget"])
    assert p.values.at[("acme", "trial"), "committed_units"] == 1
    assert p.values.at[("zeta", "trial"), "max_units"] == 1  # per-cell override
    assert p.values.at[("acme", "trial"), "max_units"] == 2  # method default
    assert ("kedr", "referral") not in p.values.index  # no row = not offered
    assert p.overrides.iloc[0].to_dict() == {
        "client_id": "zeta",
        "method_id": "referral",
        "resource_id": "budget",
        "per_unit": 1500.0,
    }
    assert p.settings.mip_gap == 0.0 and p.settings.time_limit_s == 10
    assert p.warnings == ()


def test_blank_value_means_not_offered(tmp_path: Path) -> None:
    p = load_bundle(tiny_copy(tmp_path, values=replace_cell("values", "zeta,demo", "value", "")))
    assert ("zeta", "demo") not in p.values.index
    assert len(p.values) == 7


# ---- one test per validation rule -----------------------------------------------------------
def test_missing_bundle_path(tmp_path: Path) -> None:
    issues = errors_of(tmp_path / "nowhere")
    assert "does not exist" in only(issues, "bundle").message


def test_missing_files_are_all_reported(tmp_path: Path) -> None:
    issues = errors_of(tiny_copy(tmp_path, values=None, clients=None))
    assert "values.csv" in only(issues, "values", text="missing").message
    assert "clients.csv" in only(issues, "clients", text="missing").message


def test_missing_optional_file_is_fine(tmp_path: Path) -> None:
    p = load_bundle(tiny_copy(tmp_path, overrides=None))
    assert len(p.overrides) == 0


def test_missing_sheet_in_workbook(tmp_path: Path) -> None:
    tables = to_tables(load_bundle(TINY))
    del tables["clients"]
    path = tmp_path / "bundle.xlsx"
    path.write_bytes(tables_to_xlsx_bytes(tables, {}))
    issues = errors_of(path)
    issue = only(issues, "clients", text="sheet")
    assert "'clients'" in issue.message and "bundle.xlsx" in issue.message


def test_missing_column(tmp_path: Path) -> None:
    text = (
        tiny_text("methods")
        .replace(",decay", "")
        .replace(",0.5,", ",")
        .replace(",0.8,", ",")
        .replace("1,1,,", "1,,")
    )
    issues = errors_of(tiny_copy(tmp_path, methods=text))
    issue = only(issues, "methods", column="decay", text="missing")
    assert "method_id" in issue.message  # lists the columns it did find


def test_empty_file(tmp_path: Path) -> None:
    issues = errors_of(tiny_copy(tmp_path, clients=b""))
    only(issues, "clients", text="empty")


def test_binary_file(tmp_path: Path) -> None:
    junk = b"PK\x03\x04\x00\x00\x08\x00" + bytes(range(256)) * 4
    issues = errors_of(tiny_copy(tmp_path, values=junk))
    only(issues, "values", text="binary")


def test_damaged_workbook(tmp_path: Path) -> None:
    path = tmp_path / "bundle.xlsx"
    path.write_bytes(b"this is not a workbook")
    issue = only(errors_of(path), "bundle", text="could not be opened")
    assert "bundle.xlsx" in issue.message


def test_not_a_bundle(tmp_path: Path) -> None:
    path = tmp_path / "plan.pdf"
    path.write_bytes(b"%PDF-1.4")
    only(errors_of(path), "bundle", text="neither")


def test_cp1251_file_loads_with_a_warning(tmp_path: Path) -> None:
    raw = tiny_text("clients").encode("cp1251")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the file really is not UTF-8
    p = load_bundle(tiny_copy(tmp_path, clients=raw))
    assert p.clients.at["kedr", "name"] == "ООО «Кедр»"
    warning = only(list(p.warnings), "clients", text="Windows-1251")
    assert warning.severity == "warning"


def test_semicolon_file_with_decimal_commas(tmp_path: Path) -> None:
    methods = (
        "method_id;name;unit;max_units;decay;capacity;budget;exec_hours\n"
        "demo;Free demonstration, on site;demo day;2;0,5;;1000,50;4\n"
        "trial;Free trial;trial month;2;0,8;3;2500;2,5\n"
        "referral;Referral selling;reference visit;1;1;;500;6\n"
    )
    values = tiny_text("values").replace(",", ";").replace("acme;demo;40;", "acme;demo;40,5;")
    p = load_bundle(tiny_copy(tmp_path, methods=methods, values=values))
    assert p.methods.at["demo", "decay"] == 0.5
    assert p.methods.at["demo", "budget"] == 1000.5
    assert p.methods.at["trial", "exec_hours"] == 2.5
    assert p.methods.at["demo", "name"] == "Free demonstration, on site"
    assert p.values.at[("acme", "demo"), "value"] == 40.5


def test_duplicate_ids(tmp_path: Path) -> None:
    clients = tiny_text("clients") + "acme,Acme Again,Energy,1,,\n"
    methods = tiny_text("methods") + "demo,Demo again,day,1,1,,10,1\n"
    resources = tiny_text("resources") + "budget,Second budget,EUR,5\n"
    values = tiny_text("values") + "acme,demo,41,,,,\n"
    issues = errors_of(
        tiny_copy(tmp_path, clients=clients, methods=methods, resources=resources, values=values)
    )
    assert (
        "row 2"
        in only(
            issues, "clients", row=5, column="client_id", value="acme", text="duplicate"
        ).message
    )
    only(issues, "methods", row=5, column="method_id", value="demo", text="duplicate")
    only(issues, "resources", row=4, column="resource_id", value="budget", text="duplicate")
    assert "row 2" in only(issues, "values", row=10, value="demo", text="already").message


def test_bad_id_characters(tmp_path: Path) -> None:
    clients = tiny_text("clients") + "new client,New,Retail,1,,\n"
    issues = errors_of(tiny_copy(tmp_path, clients=clients))
    only(issues, "clients", row=5, column="client_id", value="new client")


def test_unknown_ids_in_values(tmp_path: Path) -> None:
    values = tiny_text("values") + "ghost,demo,10,,,,\nacme,webinar,10,,,,\n"
    issues = errors_of(tiny_copy(tmp_path, values=values))
    only(issues, "values", row=10, column="client_id", value="ghost", text="not in the clients")
    only(issues, "values", row=11, column="method_id", value="webinar", text="not in the methods")


def test_unknown_ids_in_overrides(tmp_path: Path) -> None:
    overrides = (
        tiny_text("overrides") + "ghost,demo,budget,10\nacme,webinar,budget,10\n"
        "acme,demo,travel_days,2\n"
    )
    issues = errors_of(tiny_copy(tmp_path, overrides=overrides))
    only(issues, "overrides", row=3, column="client_id", value="ghost", text="clients table")
    only(issues, "overrides", row=4, column="method_id", value="webinar", text="methods table")
    only(
        issues,
        "overrides",
        row=5,
        column="resource_id",
        value="travel_days",
        text="resources table",
    )


def test_client_cap_column_for_an_unknown_pool(tmp_path: Path) -> None:
    clients = tiny_text("clients").replace("max_budget", "max_travel")
    issues = errors_of(tiny_copy(tmp_path, clients=clients))
    only(issues, "clients", column="max_travel", text="names no pool")


def test_text_in_number_columns(tmp_path: Path) -> None:
    issues = errors_of(
        tiny_copy(
            tmp_path,
            resources=replace_cell("resources", "budget", "capacity", "lots"),
            values=replace_cell("values", "kedr,trial", "value", "high"),
            methods=replace_cell("methods", "referral", "budget", "n/a"),
        )
    )
    only(issues, "resources", row=2, column="capacity", value="lots", text="not a number")
    issue = only(issues, "values", row=6, column="value", value="high", text="not a number")
    assert issue.key == "client kedr, method trial"
    only(issues, "methods", row=4, column="budget", value="n/a", text="not a number")


def test_rows_are_numbered_as_in_the_file_despite_blank_lines(tmp_path: Path) -> None:
    """Blank lines are skipped, but messages keep the row numbers the user sees."""
    lines = replace_cell("values", "kedr,trial", "value", "high").splitlines()
    bad = next(i for i, line in enumerate(lines) if line.startswith("kedr,trial,"))
    lines[1:1] = ["", ",,,,,,"]  # two blank lines after the header push the row down by 2
    issues = errors_of(tiny_copy(tmp_path, values="\n".join(lines) + "\n"))
    only(issues, "values", row=bad + 3, column="value", value="high", text="not a number")


def test_nan_in_number_columns(tmp_path: Path) -> None:
    issues = errors_of(
        tiny_copy(
            tmp_path,
            values=replace_cell("values", "acme,demo", "value", "NaN"),
            clients=replace_cell("clients", "zeta", "weight", "nan"),
        )
    )
    only(issues, "values", row=2, column="value", value="NaN")
    only(issues, "clients", row=4, column="weight", value="nan")


def test_required_number_left_blank(tmp_path: Path) -> None:
    issues = errors_of(
        tiny_copy(tmp_path, resources=replace_cell("resources", "exec_hours", "capacity", ""))
    )
    only(issues, "resources", row=3, column="capacity", value="", text="blank")


def test_negative_numbers(tmp_path: Path) -> None:
    issues = errors_of(
        tiny_copy(
            tmp_path,
            resources=replace_cell("resources", "budget", "capacity", "-500"),
            values=replace_cell("values", "kedr,demo", "value", "-5"),
            methods=replace_cell("methods", "trial", "exec_hours", "-2"),
            overrides="client_id,method_id,resource_id,per_unit\nzeta,referral,budget,-1\n",
        )
    )
    only(issues, "resources", row=2, column="capacity", value="-500", text="at least 0")
    only(issues, "values", row=5, column="value", value="-5", text="at least 0")
    only(issues, "methods", row=3, column="exec_hours", value="-2", text="at least 0")
    only(issues, "overrides", row=2, column="per_unit", value="-1", text="at least 0")


@pytest.mark.parametrize(
    "decay, wording", [("0", "greater than 0"), ("1.5", "at most 1"), ("-0.2", "greater than 0")]
)
def test_decay_outside_zero_one(tmp_path: Path, decay: str, wording: str) -> None:
    issues = errors_of(tiny_copy(tmp_path, methods=replace_cell("methods", "demo", "decay", decay)))
    only(issues, "methods", row=2, column="decay", value=decay, text=wording)


def test_decay_of_one_is_allowed(tmp_path: Path) -> None:
    p = load_bundle(tiny_copy(tmp_path, methods=replace_cell("methods", "demo", "decay", "1")))
    assert p.methods.at["demo", "decay"] == 1.0


def test_max_units_below_one(tmp_path: Path) -> None:
    issues = errors_of(
        tiny_copy(
            tmp_path,
            methods=replace_cell("methods", "trial", "max_units", "0"),
            values=replace_cell("values", "zeta,demo", "max_units", "0"),
        )
    )
    only(issues, "methods", row=3, column="max_units", value="0", text="at least 1")
    only(issues, "values", row=7, column="max_units", value="0", text="at least 1")


def test_max_units_must_be_whole(tmp_path: Path) -> None:
    issues = errors_of(
        tiny_copy(tmp_path, methods=replace_cell("methods", "trial", "max_units", "1.5"))
    )
    only(issues, "methods", row=3, column="max_units", value="1.5", text="whole")


@pytest.mark.parametrize("share, wording", [("1.2", "at most 1"), ("-0.1", "at least 0")])
def test_min_value_share_outside_zero_one(tmp_path: Path, share: str, wording: str) -> None:
    issues = errors_of(
        tiny_copy(tmp_path, clients=replace_cell("clients", "acme", "min_value_share", share))
    )
    only(issues, "clients", row=2, column="min_value_share", value=share, text=wording)


def test_committed_units_above_the_cell_max(tmp_path: Path) -> None:
    # zeta/trial allows 1 unit (its own max_units); acme/demo allows the method's 2
    values = replace_cell("values", "zeta,trial", "committed_units", "2")
    path = tiny_copy(tmp_path, values=values)
    issue = only(
        errors_of(path),
        "values",
        row=8,
        column="committed_units",
        value="2",
        text="more units are committed",
    )
    assert "max_units 1" in issue.message
    values = replace_cell("values", "acme,demo", "committed_units", "3")
    issue = only(
        errors_of(tiny_copy(tmp_path / "b", values=values)),
        "values",
        row=2,
        column="committed_units",
        value="3",
    )
    assert "max_units 2" in issue.message


def test_committed_units_without_a_value(tmp_path: Path) -> None:
    values = tiny_text("values").replace("acme,trial,90,70,110,1,", "acme,trial,,,,1,")
    only(errors_of(tiny_copy(tmp_path, values=values)), "values", row=3, column="value")


def test_bad_settings(tmp_path: Path) -> None:
    issues = errors_of(
        tiny_copy(tmp_path, **{"settings.json": '{"mip_gap": -1, "objective": "max_profit"}'})
    )
    only(issues, "settings", column="mip_gap", value="-1")
    only(issues, "settings", column="objective", value="max_profit")


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(BundleError) as info:
        load_bundle(FIXTURES / "broken")
    issues = list(info.value.issues)
    expected = [
        ("resources", 2, "capacity", "-500"),
        ("methods", 2, "decay", "1.5"),
        ("methods", 3, "max_units", "0"),
        ("clients", 2, "weight", "abc"),
        ("clients", 3, "min_value_share", "1.2"),
        ("clients", 4, "client_id", "acme"),
        ("values", 2, "committed_units", "3"),
        ("values", 3, "client_id", "ghost"),
    ]
    for table, row, column, value in expected:
        only(issues, table, row=row, column=column, value=value)
    # the message lists each of them too
    text = str(info.value)
    for table, row, _column, value in expected:
        assert f"{table}, row {row}" in text and f"'{value}'" in text


# ---- round trips and uploads ----------------------------------------------------------------
@pytest.mark.parametrize("source", [TINY, SAMPLE], ids=["tiny", "sample"])
def test_xlsx_round_trip(tmp_path: Path, source: Path) -> None:
    original = load_bundle(source)
    path = write_bundle(original, tmp_path / "bundle.xlsx")
    again = load_bundle(path)
    same_problem(original, again)
    if original.relationship is not None:
        pd.testing.assert_frame_equal(original.relationship, again.relationship, check_dtype=False)
    a, b = solve_checked(original), solve_checked(again)
    assert a.objective == pytest.approx(b.objective, rel=1e-9)


@pytest.mark.parametrize("source", [TINY, SAMPLE], ids=["tiny", "sample"])
def test_csv_folder_round_trip(tmp_path: Path, source: Path) -> None:
    original = load_bundle(source)
    again = load_bundle(write_bundle(original, tmp_path / "copy"))
    same_problem(original, again)


def test_zip_upload(tmp_path: Path) -> None:
    original = load_bundle(TINY)
    raw = tables_to_zip_bytes(to_tables(original), settings_dict(original.settings))
    tables, settings, issues = read_uploaded([("my bundle.zip", raw)])
    assert issues == []
    same_problem(original, parse_tables(tables, settings, issues))
    # the same file given as a path
    path = tmp_path / "bundle.zip"
    path.write_bytes(raw)
    same_problem(original, load_bundle(path))


def test_zip_with_a_folder_inside(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in TINY.iterdir():
            zf.write(f, f"export/{f.name}")
    tables, settings, issues = read_uploaded([("export.zip", buf.getvalue())])
    same_problem(load_bundle(TINY), parse_tables(tables, settings, issues))


def test_upload_of_separate_csv_files() -> None:
    files = [(f.name, f.read_bytes()) for f in TINY.iterdir()]
    tables, settings, issues = read_uploaded(files)
    same_problem(load_bundle(TINY), parse_tables(tables, settings, issues))
    tables, settings, issues = read_uploaded([f for f in files if f[0] != "methods.csv"])
    with pytest.raises(BundleError) as info:
        parse_tables(tables, settings, issues)
    only(list(info.value.issues), "methods", text="methods.csv")


def test_bad_zip_upload() -> None:
    tables, settings, issues = read_uploaded([("bundle.zip", b"not a zip")])
    with pytest.raises(BundleError) as info:
        parse_tables(tables, settings, issues)
    only(list(info.value.issues), "bundle", text="not a valid .zip")


def test_read_tables_keeps_text() -> None:
    tables, settings, issues = read_tables(TINY)
    assert issues == []
    assert settings["mip_gap"] == 0.0
    assert tables["values"].at[0, "value"] == "40"  # numbers are parsed later, once


# ---- settings check themselves ---------------------------------------------------------------
@pytest.mark.parametrize(
    "field,value",
    [
        ("target_value_share", 1.5),
        ("target_value_share", -0.1),
        ("time_limit_s", 0.0),
        ("mip_gap", -1.0),
        ("objective", "max_profit"),
        ("solver", "gurobi"),
        ("currency", " "),
        ("integer_units", "yes"),
        ("time_limit_s", float("nan")),
    ],
)
def test_settings_refuse_a_value_out_of_range_and_name_the_field(field: str, value: object) -> None:
    from optimizer.schema import SettingsError

    with pytest.raises(SettingsError) as err:
        Settings().with_(**{field: value})
    assert err.value.field == field
    assert str(err.value).startswith(field)
    assert field in err.value.msg.text("ru")


def test_settings_file_values_are_checked_by_the_settings(tmp_path: Path) -> None:
    from optimizer.bundle import read_settings

    s, issues = read_settings({"target_value_share": "1.5", "mip_gap": "0.05", "solver": "CBC"})
    assert (s.target_value_share, s.mip_gap, s.solver) == (
        Settings().target_value_share,
        0.05,
        "cbc",
    )
    assert [(i.column, i.code, i.value) for i in issues] == [
        ("target_value_share", "setting_invalid", "1.5")
    ]
