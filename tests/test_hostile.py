"""Hostile and damaged files, made by the tests themselves: zip bombs (at small scale, with the
caps of optimizer.limits lowered), damaged archives, entity bombs, huge cells, odd encodings,
ambiguous numbers, sizes that would swamp the solver. Each case asserts the exact outcome: an
Issue naming the file (or the table, row and column), never another exception; the cases that
would take memory run in a child process with a memory limit, through the command line.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from checker import solve_checked
from optimizer import limits
from optimizer.bundle import (
    ambiguous_number,
    load_bundle,
    parse_number,
    parse_tables,
    read_tables,
    read_uploaded,
    read_xlsx_bytes,
    settings_dict,
    tables_to_xlsx_bytes,
    to_tables,
)
from optimizer.relationship import answers, review_age
from optimizer.schema import BundleError, Issue
from ui.cells import number_or_none

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "fixtures" / "tiny"
SAMPLE = ROOT / "sample_data"
BUNDLE_FILES = sorted(p.name for p in TINY.iterdir())


# ---- helpers --------------------------------------------------------------------------------
def tiny_files(**changed: bytes | str) -> dict[str, bytes]:
    """The tiny bundle's files as bytes, some replaced."""
    files = {n: (TINY / n).read_bytes() for n in BUNDLE_FILES}
    for name, content in changed.items():
        files[name] = content.encode("utf-8") if isinstance(content, str) else content
    return files


def zip_of(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def one(issues: list[Issue] | tuple[Issue, ...], code: str) -> Issue:
    hits = [i for i in issues if i.code == code]
    assert len(hits) == 1, f"expected one {code}, got:\n" + "\n".join(map(str, issues))
    return hits[0]


def errors(issues: list[Issue] | tuple[Issue, ...]) -> list[Issue]:
    return [i for i in issues if i.severity == "error"]


def refused(tables: dict, raw: dict, issues: list[Issue]) -> BundleError:
    with pytest.raises(BundleError) as info:
        parse_tables(tables, raw, issues)
    return info.value


def patch_central(raw: bytes, name: str, *, flags: int | None = None, method: int | None = None):
    """The archive with one entry's central-directory record changed (flag bits, method)."""
    data = bytearray(raw)
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46 : pos + 46 + n]).decode() == name:
            if flags is not None:
                struct.pack_into("<H", data, pos + 8, flags)
            if method is not None:
                struct.pack_into("<H", data, pos + 10, method)
            return bytes(data)
        pos = data.find(b"PK\x01\x02", pos + 4)
    raise AssertionError(name)


# ---- zip bombs -------------------------------------------------------------------------------
def test_an_ignored_junk_entry_is_never_unpacked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_TOTAL_BYTES", 1_000_000)
    junk = b"\0" * 20_000_000  # 20 MB of zeros: 20 kB packed
    tables, raw, issues = read_uploaded([("b.zip", zip_of(tiny_files(**{"junk.bin": junk})))])
    assert not errors(issues)
    assert sorted(tables) == ["clients", "methods", "overrides", "resources", "values"]
    solve_checked(parse_tables(tables, raw, issues))


def test_an_entry_that_unpacks_past_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100_000)
    values = "client_id,method_id,value\n" + "acme,demo,1\n" * 100_000  # 1.2 MB, packs small
    _, _, issues = read_uploaded([("bomb.zip", zip_of(tiny_files(**{"values.csv": values})))])
    issue = one(issues, "entry_too_large")
    assert "'bomb.zip: values.csv' unpacks to more than" in issue.message
    assert issue.severity == "error"


def test_rows_past_the_cap_are_refused_while_streaming(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ROWS", 50)
    values = "client_id,method_id,value\n" + "".join(f"c{i},demo,1\n" for i in range(51))
    tables, _, issues = read_uploaded([("b.zip", zip_of(tiny_files(**{"values.csv": values})))])
    issue = one(issues, "too_many_rows")
    assert (issue.table, issue.params["file"]) == ("values", "b.zip: values.csv")
    assert "more than 50 rows" in issue.message and "200,000" in issue.message
    assert "values" not in tables
    # 50 data rows are within the cap.
    ok = "client_id,method_id,value\n" + "".join(f"c{i},demo,1\n" for i in range(50))
    tables, _, issues = read_uploaded([("b.zip", zip_of(tiny_files(**{"values.csv": ok})))])
    assert not [i for i in issues if i.code == "too_many_rows"] and len(tables["values"]) == 50


def test_all_entries_together_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_TOTAL_BYTES", 600)
    _, _, issues = read_uploaded([("b.zip", zip_of(tiny_files()))])
    assert "'b.zip' unpacks to more than" in one(issues, "archive_too_large").message


def test_an_archive_of_too_many_entries_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ARCHIVE_ENTRIES", 10)
    files = tiny_files(**{f"x/{i}.txt": b"" for i in range(10)})
    _, _, issues = read_uploaded([("many.zip", zip_of(files))])
    assert "'many.zip' holds more than 10 files" in one(issues, "archive_entries").message


def test_an_oversized_upload_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ARCHIVE_BYTES", 1_000)
    _, _, issues = read_uploaded([("big.zip", b"PK" + b"\0" * 2_000)])
    assert "'big.zip' is larger than" in one(issues, "file_too_large").message
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100)
    _, _, issues = read_uploaded([("values.csv", b"client_id,method_id,value\n" * 10)])
    assert one(issues, "file_too_large").params["file"] == "values.csv"


def test_two_entries_for_one_table_are_refused_naming_both() -> None:
    values = (TINY / "values.csv").read_bytes()
    files = tiny_files(**{"old/values.csv": values})
    tables, _, issues = read_uploaded([("b.zip", zip_of(files))])
    issue = one(issues, "file_twice")
    assert issue.table == "values" and issue.severity == "error"
    assert "b.zip: values.csv" in issue.message and "b.zip: old/values.csv" in issue.message
    assert "values" not in tables
    # A loose file and a zip entry for the same table are refused the same way.
    _, _, issues = read_uploaded([("b.zip", zip_of(tiny_files())), ("values.csv", values)])
    assert one(issues, "file_twice").params["files"] == ["b.zip: values.csv", "values.csv"]


# ---- damaged archives ------------------------------------------------------------------------
def test_a_corrupt_deflate_stream_names_the_entry() -> None:
    raw = bytearray(zip_of(tiny_files()))
    start = raw.find(b"values.csv") + len("values.csv")  # the local header's name, then data
    for k in range(start, start + 40):
        raw[k] ^= 0x5A
    _, _, issues = read_uploaded([("bad.zip", bytes(raw))])
    issue = one(issues, "entry_damaged")
    assert issue.message.startswith("'bad.zip: values.csv' is damaged and cannot be unpacked")


def test_an_encrypted_entry_names_the_entry() -> None:
    raw = patch_central(zip_of(tiny_files()), "values.csv", flags=0x1)
    _, _, issues = read_uploaded([("locked.zip", raw)])
    assert "'locked.zip: values.csv' is encrypted" in one(issues, "entry_encrypted").message


def test_an_unknown_compression_names_the_entry() -> None:
    raw = patch_central(zip_of(tiny_files()), "clients.csv", method=98)
    _, _, issues = read_uploaded([("odd.zip", raw)])
    issue = one(issues, "entry_compression")
    assert "'odd.zip: clients.csv' is packed with a compression method" in issue.message


def test_a_file_that_is_not_a_zip() -> None:
    _, _, issues = read_uploaded([("fake.zip", b"this is not a zip file at all")])
    assert one(issues, "zip_invalid").message == "'fake.zip' is not a valid .zip file"


def test_a_truncated_zip() -> None:
    raw = zip_of(tiny_files())
    _, _, issues = read_uploaded([("cut.zip", raw[: len(raw) // 2])])
    assert errors(issues) and all(i.code in ("zip_invalid", "entry_damaged") for i in issues)


# ---- workbooks -------------------------------------------------------------------------------
def sample_xlsx() -> bytes:
    p = load_bundle(TINY)
    return tables_to_xlsx_bytes(to_tables(p), settings_dict(p.settings))


def with_part(xlsx: bytes, part: str, transform) -> bytes:
    """The workbook with one part's XML replaced by transform(old XML)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info.filename, transform(data) if info.filename == part else data)
    return buf.getvalue()


def sheet_part(xlsx: bytes, sheet: str) -> str:
    """The zip part of a sheet, by its name (workbook.xml order = sheetN.xml)."""
    import openpyxl

    names = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True).sheetnames
    return f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"


BOMB_DTD = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def test_an_entity_bomb_in_a_sheet_is_refused_naming_the_sheet() -> None:
    xlsx = sample_xlsx()
    part = sheet_part(xlsx, "values")
    bomb = with_part(xlsx, part, lambda x: BOMB_DTD + x.split(b"?>", 1)[1])
    _, _, issues = read_xlsx_bytes(bomb, "bomb.xlsx")
    issue = one(issues, "xlsx_entities")
    assert issue.params["label"] == f"bomb.xlsx: {part}" and "refused for safety" in issue.message


def test_an_external_entity_in_shared_strings_is_refused() -> None:
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    xlsx = sample_xlsx()
    parts = zipfile.ZipFile(io.BytesIO(xlsx)).namelist()
    part = (
        "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in parts else sheet_part(xlsx, "clients")
    )
    evil = with_part(xlsx, part, lambda x: xxe + x.split(b"?>", 1)[1].replace(b"Acme", b"&e;"))
    _, _, issues = read_xlsx_bytes(evil, "xxe.xlsx")
    assert one(issues, "xlsx_entities").params["label"].startswith("xxe.xlsx")
    assert "root:" not in " ".join(map(str, issues))


def test_malformed_sheet_xml_names_the_sheet() -> None:
    xlsx = sample_xlsx()
    part = sheet_part(xlsx, "methods")
    broken = with_part(xlsx, part, lambda x: x[: len(x) // 2])
    _, _, issues = read_xlsx_bytes(broken, "broken.xlsx")
    issue = one(issues, "xlsx_unreadable")
    assert issue.params["label"] == "broken.xlsx: methods"
    assert issue.message.startswith("'broken.xlsx: methods' could not be opened")


def test_a_workbook_part_that_unpacks_past_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    xlsx = sample_xlsx()
    part = sheet_part(xlsx, "values")
    padded = with_part(
        xlsx, part, lambda x: x.replace(b"<sheetData>", b"<sheetData>" + b" " * 50_000)
    )
    monkeypatch.setattr(limits, "MAX_XML_BYTES", 40_000)
    _, _, issues = read_xlsx_bytes(padded, "big.xlsx")
    assert one(issues, "entry_too_large").params["file"] == f"big.xlsx: {part}"


def test_sheet_rows_and_cells_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    p = load_bundle(TINY)
    tables = to_tables(p)
    monkeypatch.setattr(limits, "MAX_ROWS", 7)
    tables_raw, _, issues = read_xlsx_bytes(
        tables_to_xlsx_bytes(tables, settings_dict(p.settings)), "rows.xlsx"
    )
    issue = one(issues, "too_many_rows")
    assert (issue.table, issue.params["file"]) == ("values", "rows.xlsx: values")
    assert "values" not in tables_raw and "clients" in tables_raw
    monkeypatch.setattr(limits, "MAX_ROWS", 250_000)
    monkeypatch.setattr(limits, "MAX_CELL_CHARS", 1_000)
    clients = tables["clients"].copy()
    clients.loc[1, "name"] = "x" * 1_001
    _, _, issues = read_xlsx_bytes(
        tables_to_xlsx_bytes({**tables, "clients": clients}, {}), "cell.xlsx"
    )
    issue = one(issues, "cell_too_long")
    assert (issue.table, issue.row) == ("clients", 3)


def test_a_text_file_named_xlsx() -> None:
    _, _, issues = read_xlsx_bytes(b"client_id,name\n", "plain.xlsx")
    assert "'plain.xlsx' could not be opened" in one(issues, "xlsx_unreadable").message


# ---- settings.json ---------------------------------------------------------------------------
def test_a_deeply_nested_settings_json_is_an_issue(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    _, _, issues = read_uploaded([("b.zip", zip_of(tiny_files(**{"settings.json": deep})))])
    assert one(issues, "settings_too_deep").params["file"] == "b.zip: settings.json"
    folder = tmp_path / "b"
    shutil.copytree(TINY, folder)
    (folder / "settings.json").write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    with pytest.raises(BundleError) as info:
        load_bundle(folder)
    assert one(info.value.issues, "settings_too_deep").table == "settings"


# ---- text files ------------------------------------------------------------------------------
def folder_with(tmp_path: Path, **files: bytes) -> Path:
    dest = tmp_path / "bundle"
    shutil.copytree(TINY, dest)
    for name, data in files.items():
        (dest / name).write_bytes(data)
    return dest


def test_cr_only_line_endings_load(tmp_path: Path) -> None:
    mac = {n: (TINY / n).read_bytes().replace(b"\n", b"\r") for n in BUNDLE_FILES if ".csv" in n}
    p = load_bundle(folder_with(tmp_path, **mac))
    assert len(p.values) == 8 and p.values.at[("acme", "trial"), "committed_units"] == 1


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_unicode_with_a_bom_loads(tmp_path: Path, codec: str) -> None:
    bom = {"utf-16": b"", "utf-16-be": b"\xfe\xff", "utf-32": b""}[codec]
    text = (TINY / "clients.csv").read_text(encoding="utf-8")
    p = load_bundle(folder_with(tmp_path, **{"clients.csv": bom + text.encode(codec)}))
    assert p.clients.at["kedr", "name"] == "ООО «Кедр»"


def test_excel_unicode_text_with_tabs_loads(tmp_path: Path) -> None:
    text = (TINY / "values.csv").read_text(encoding="utf-8").replace(",", "\t")
    p = load_bundle(folder_with(tmp_path, **{"values.csv": text.encode("utf-16")}))
    assert p.values.at[("zeta", "trial"), "max_units"] == 1


def test_utf16_without_a_bom_is_named(tmp_path: Path) -> None:
    text = (TINY / "clients.csv").read_text(encoding="utf-8")
    source = folder_with(tmp_path, **{"clients.csv": text.encode("utf-16-le")})
    with pytest.raises(BundleError) as info:
        load_bundle(source)
    assert "'clients.csv' looks like UTF-16" in one(info.value.issues, "file_utf16_no_bom").message


def test_an_unterminated_quote_is_one_issue_at_its_line(tmp_path: Path) -> None:
    lines = (TINY / "values.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("acme,referral,30", 'acme,referral,"30')  # line 4 of the file
    source = folder_with(tmp_path, **{"values.csv": ("\n".join(lines) + "\n").encode()})
    with pytest.raises(BundleError) as info:
        load_bundle(source)
    mine = [i for i in info.value.issues if i.table == "values"]
    assert [(i.code, i.row) for i in mine] == [("quote_unclosed", 4)]
    assert "opens a cell on this line of 'values.csv'" in mine[0].message
    # A legitimate quoted cell over two lines is not mistaken for one.
    quoted = (TINY / "clients.csv").read_text().replace("Acme Ltd", '"Acme\nLtd"')
    p = load_bundle(folder_with(tmp_path / "ok", **{"clients.csv": quoted.encode()}))
    assert p.clients.at["acme", "name"] == "Acme\nLtd"


def test_a_bom_at_the_start_of_a_data_line_is_stripped_and_named(tmp_path: Path) -> None:
    text = (TINY / "values.csv").read_text(encoding="utf-8")
    text = text.replace("\nzeta,demo", "\n\ufeffzeta,demo")  # line 7
    p = load_bundle(folder_with(tmp_path, **{"values.csv": text.encode()}))
    assert ("zeta", "demo") in p.values.index
    warning = one(p.warnings, "bom_in_line")
    assert (warning.table, warning.row, warning.severity) == ("values", 7, "warning")


# ---- numbers ---------------------------------------------------------------------------------
def test_a_comma_and_three_digits_is_ambiguous(tmp_path: Path) -> None:
    res = (
        (TINY / "resources.csv")
        .read_text()
        .replace("budget,Budget,EUR,10000", 'budget,Budget,EUR,"1,600"')
    )
    with pytest.raises(BundleError) as info:
        load_bundle(folder_with(tmp_path, **{"resources.csv": res.encode()}))
    issue = one(info.value.issues, "number_ambiguous")
    assert (issue.table, issue.row, issue.column, issue.value) == (
        "resources",
        2,
        "capacity",
        "1,600",
    )
    assert "thousands separator" in issue.message and "1600 or 1.6" in issue.message
    # The one parser, so the page (sidebar, editors) follows.
    for text in ("1,600", "1,480,000", "-2,500", "1,600.5"):
        assert parse_number(text) is None and ambiguous_number(text), text
        assert number_or_none(text) is None
    assert parse_number("1,5") == 1.5 and parse_number("1,6000") == 1.6
    assert parse_number("1 600") == 1600
    # Where commas are decimal (a ';' file), "1,600" is 1.6 and "1.600" is the ambiguous one.
    assert parse_number("1,600", decimal_comma=True) == 1.6
    assert parse_number("1.600", decimal_comma=True) is None
    assert ambiguous_number("1.600", decimal_comma=True)


@pytest.mark.parametrize(
    ("file", "old", "new", "code", "column"),
    [
        ("methods.csv", "demo day,2,", "demo day,1000000000,", "units_too_many", "max_units"),
        ("methods.csv", "demo day,2,", "demo day,1e20,", "number_too_large", "max_units"),
        (
            "values.csv",
            "zeta,trial,70,50,90,,1",
            "zeta,trial,70,50,90,,10000000",
            "units_too_many",
            "max_units",
        ),
        ("values.csv", "acme,referral,30", "acme,referral,1e308", "number_too_large", "value"),
        ("resources.csv", "Budget,EUR,10000", "Budget,EUR,1e20", "number_too_large", "capacity"),
        ("clients.csv", "Retail,1,", "Retail,1e13,", "number_too_large", "weight"),
        ("overrides.csv", "budget,1500", "budget,-1e15", "number_too_large", "per_unit"),
    ],
)
def test_sizes_the_solver_cannot_take_are_refused(
    tmp_path: Path, file: str, old: str, new: str, code: str, column: str
) -> None:
    text = (TINY / file).read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(BundleError) as info:
        load_bundle(folder_with(tmp_path, **{file: text.replace(old, new).encode()}))
    issue = one(info.value.issues, code)
    assert (issue.table, issue.column) == (file[:-4], column) and issue.row is not None
    words = {"units_too_many": "one column of the model", "number_too_large": "15 significant"}
    assert words[code] in issue.message


def test_the_model_size_is_bounded_before_any_array(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_MODEL_UNITS", 10)
    with pytest.raises(BundleError) as info:
        load_bundle(TINY)  # 8 cells of 2+2+1+2+2+2+1+1 = 13 units
    issue = one(info.value.issues, "model_too_large")
    assert issue.params["units"] == 13 and issue.params["limit"] == 10
    assert "more than the 10 the model may have" in issue.message
    monkeypatch.setattr(limits, "MAX_MODEL_UNITS", 13)
    solve_checked(load_bundle(TINY))


# ---- columns and dates -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("file", "old", "new", "suggestion"),
    [
        ("values.csv", "committed_units", "commited_units", "committed_units"),
        ("clients.csv", "min_value_share", "min_value_shares", "min_value_share"),
        ("resources.csv", "capacity", "capacty", "capacity"),
        ("methods.csv", "exec_hours", "exec_hour", "exec_hours"),
        ("overrides.csv", "per_unit", "per_unit,per_units", "per_unit"),
    ],
)
def test_a_misspelt_column_is_named_with_the_closest(
    tmp_path: Path, file: str, old: str, new: str, suggestion: str
) -> None:
    text = (TINY / file).read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[0] = lines[0].replace(old, new)
    if file == "overrides.csv":
        lines = [lines[0]] + [ln + "," for ln in lines[1:]]
    source = folder_with(tmp_path, **{file: ("\n".join(lines) + "\n").encode()})
    try:
        issues = list(load_bundle(source).warnings)
    except BundleError as exc:  # a required column renamed: missing, and named too
        issues = list(exc.issues)
    issue = one(issues, "column_unknown")
    assert (issue.table, issue.column, issue.severity) == (file[:-4], new.split(",")[-1], "warning")
    assert f"did you mean '{suggestion}'?" in issue.message


def test_an_unknown_column_without_a_close_match_is_named() -> None:
    tables, raw, issues = read_tables(TINY)
    tables["values"]["zzz"] = ""
    p = parse_tables(tables, raw, issues)
    issue = one(p.warnings, "column_ignored")
    assert (issue.table, issue.column) == ("values", "zzz") and "committed_units" in issue.message


def test_a_review_date_with_an_offset_is_the_date_written() -> None:
    tables, raw, issues = read_tables(SAMPLE)
    rel = tables["relationship"].copy()
    rel.loc[0, "last_review"] = "2026-09-14T10:00:00+05:00"
    rel.loc[1, "last_review"] = "2026-09-14T23:30:00-11:00"
    p = parse_tables({**tables, "relationship": rel}, raw, issues)
    dates = p.relationship["last_review"]
    assert dates.dt.tz is None
    assert list(dates.iloc[:2]) == [pd.Timestamp("2026-09-14")] * 2
    warning = [w for w in p.warnings if w.code == "date_time_dropped"]
    assert [w.row for w in warning] == [2, 3] and "2026-09-14" in warning[0].message
    assert answers(p)["last_review"].dt.tz is None
    age = review_age(p, "2026-09-20T08:00:00+09:00")
    assert age["days_since_review"].iloc[:2].tolist() == [6.0, 6.0]


# ---- memory-bounded, through the command line ------------------------------------------------
CHILD = textwrap.dedent(
    """
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    from optimizer.cli import main
    sys.exit(main(["validate", sys.argv[1]]))
    """
)


def run_bounded(path: Path, limit_mb: int = 1200) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-c", CHILD.format(limit=limit_mb * 1024 * 1024), str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_child_process_can_validate_within_its_memory_limit() -> None:
    out = run_bounded(TINY)
    assert out.returncode == 0, out.stderr


def test_a_gigabyte_junk_entry_in_a_small_zip(tmp_path: Path) -> None:
    """A 1 GiB entry the bundle does not use, at the real caps: never unpacked."""
    path = tmp_path / "junk.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in tiny_files().items():
            zf.writestr(name, data)
        with zf.open("junk.bin", "w", force_zip64=True) as fh:
            block = b"\0" * (16 * 1024 * 1024)
            for _ in range(64):
                fh.write(block)
    assert path.stat().st_size < 2 * 1024 * 1024
    out = run_bounded(path, limit_mb=900)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr


def test_a_values_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """5 million values rows (60 MB unpacked, under the byte cap) at the real caps: the row
    cap stops the reading, exit code 2, the file named."""
    path = tmp_path / "rows.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in tiny_files().items():
            if name != "values.csv":
                zf.writestr(name, data)
        with zf.open("values.csv", "w", force_zip64=True) as fh:
            fh.write(b"client_id,method_id,value\n")
            block = b"acme,demo,1\n" * 100_000
            for _ in range(50):
                fh.write(block)
    out = run_bounded(path, limit_mb=1200)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    said = out.stdout + out.stderr
    assert f"'rows.zip: values.csv' has more than {limits.MAX_ROWS:,} rows" in said


def test_a_huge_entry_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """A values.csv of one 200 MB line: the byte cap stops the unpacking."""
    path = tmp_path / "cell.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in tiny_files().items():
            if name != "values.csv":
                zf.writestr(name, data)
        with zf.open("values.csv", "w", force_zip64=True) as fh:
            fh.write(b"client_id,method_id,value\nacme,demo,")
            block = b"9" * (16 * 1024 * 1024)
            for _ in range(12):
                fh.write(block)
    out = run_bounded(path, limit_mb=900)
    assert out.returncode == 2, out.stderr
    assert "'cell.zip: values.csv' unpacks to more than 64 MB" in out.stdout + out.stderr


def test_a_huge_shared_string_in_a_workbook_in_bounded_memory(tmp_path: Path) -> None:
    """A workbook whose shared strings hold one 100 MB cell, at the real caps: refused
    before openpyxl loads them."""
    xlsx = sample_xlsx()
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    path = tmp_path / "cell.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "xl/sharedStrings.xml":
                out.writestr(info.filename, src.read(info))
                continue
            head, tail = src.read(info).split(b"<si>", 1)
            with out.open(info.filename, "w", force_zip64=True) as fh:
                fh.write(head + b"<si><t>")
                for _ in range(100):
                    fh.write(b"x" * (1024 * 1024))
                fh.write(b"</t></si><si>" + tail)
    out_ = run_bounded(path, limit_mb=900)
    assert out_.returncode == 2, out_.stderr
    said = out_.stdout + out_.stderr
    assert "'cell.xlsx: xl/sharedStrings.xml' unpacks to more than 64 MB" in said


def test_a_deep_settings_json_through_the_command_line(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    shutil.copytree(TINY, folder)
    (folder / "settings.json").write_text("[" * 200_000 + "]" * 200_000)
    out = run_bounded(folder)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    assert "'settings.json' is nested too deeply" in out.stdout + out.stderr


def test_a_damaged_zip_through_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "locked.zip"
    path.write_bytes(patch_central(zip_of(tiny_files()), "values.csv", flags=0x1))
    out = run_bounded(path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "'locked.zip: values.csv' is encrypted" in out.stdout + out.stderr


def test_openpyxl_refuses_entities_by_itself_too() -> None:
    """defusedxml (pinned in requirements.txt) makes openpyxl refuse a DTD even where the
    reader's own check of the parts would not see it."""
    from defusedxml import EntitiesForbidden
    from openpyxl.xml.functions import fromstring

    with pytest.raises(EntitiesForbidden):
        fromstring(BOMB_DTD + b"<a>&lol3;</a>")


def test_the_upload_limit_of_the_page_is_the_engine_s() -> None:
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * limits.MIB == limits.MAX_ARCHIVE_BYTES
