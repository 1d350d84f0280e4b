"""No output may be written over a file of the bundle being read (or the scenario file being
loaded): the command exits 2 naming the file, and writes nothing at all."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from optimizer.bundle import load_bundle, write_bundle
from optimizer.export import ExportPathError, write_export
from optimizer.export.files import bundle_files, write_client_plans
from optimizer.solve import solve

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    p = subprocess.run(
        [sys.executable, "-m", "optimizer", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in p.stderr, p.stderr
    return p


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    b = tmp_path / "B"
    shutil.copytree(SAMPLE, b)
    return b


def refused(p: subprocess.CompletedProcess[str], name: str) -> None:
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert name in p.stderr and "bundle being read" in p.stderr, p.stderr
    assert "nothing was written" in p.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("solve", "{b}", "--out", "{b}/values.csv"),
        ("solve", "{b}", "--out", "{b}/settings.json"),
        ("solve", "{b}", "--out", "{t}/fine.xlsx", "--out", "{b}/clients.csv"),  # none of them
        ("solve", "{b}", "--out", "{b}/./sub/../methods.csv"),
        ("export", "{b}", "--format", "csv", "--out", "{b}/clients.csv"),
        ("export", "{b}", "--format", "csv", "--out", "{b}/VALUES.CSV"),  # case-insensitive FS
        ("export", "{b}", "--format", "lp", "--out", "{b}/overrides.lp"),  # allowed: not a table
        ("export", "{b}", "--format", "client-plans", "--out", "{b}"),
    ],
)
def test_a_csv_folder_is_never_written_over(bundle: Path, tmp_path: Path, args) -> None:
    (bundle / "sub").mkdir()
    before = snapshot(tmp_path)
    argv = [a.format(b=bundle, t=tmp_path) for a in args]
    p = run(*argv)
    if argv[-1].endswith("overrides.lp"):  # a name no bundle reads: written as asked
        assert p.returncode == 0, p.stderr
        assert (bundle / "overrides.lp").exists()
        return
    refused(p, Path(argv[-1]).name if "client-plans" not in argv else str(bundle))
    assert snapshot(tmp_path) == before


def test_a_table_the_folder_lacks_is_not_added_either(bundle: Path, tmp_path: Path) -> None:
    """settings.json (or an optional table) written into the folder would be read with the
    bundle next time: it is the bundle's file too, present or not."""
    (bundle / "settings.json").unlink()
    before = snapshot(tmp_path)
    refused(run("solve", str(bundle), "--out", str(bundle / "settings.json")), "settings.json")
    assert snapshot(tmp_path) == before


def test_through_symlinks(bundle: Path, tmp_path: Path) -> None:
    (tmp_path / "link.csv").symlink_to(bundle / "values.csv")
    (tmp_path / "alias").symlink_to(bundle, target_is_directory=True)
    before = snapshot(tmp_path)
    refused(run("solve", str(bundle), "--out", str(tmp_path / "link.csv")), "link.csv")
    refused(run("solve", str(tmp_path / "alias"), "--out", str(bundle / "values.csv")), "values")
    p = run("export", str(bundle), "--format", "client-plans", "--out", str(tmp_path / "alias"))
    refused(p, "alias")
    assert snapshot(tmp_path) == before
    assert (bundle / "values.csv").read_bytes() == (SAMPLE / "values.csv").read_bytes()


def test_a_workbook_bundle_is_never_written_over(tmp_path: Path) -> None:
    book = tmp_path / "inputs.xlsx"
    write_bundle(load_bundle(SAMPLE), book)
    (tmp_path / "same.xlsx").symlink_to(book)
    before = snapshot(tmp_path)
    refused(run("solve", str(book), "--out", str(book)), "inputs.xlsx")
    refused(run("export", str(book), "--format", "xlsx", "--out", str(book)), "inputs.xlsx")
    refused(run("solve", str(tmp_path / "same.xlsx"), "--out", str(book)), "inputs.xlsx")
    p = run("export", str(book), "--format", "client-plans", "--out", str(tmp_path))
    refused(p, str(tmp_path))
    assert snapshot(tmp_path) == before
    # next to it is fine
    ok = run("solve", str(book), "--out", str(tmp_path / "plan.xlsx"))
    assert ok.returncode == 0 and (tmp_path / "plan.xlsx").exists()


def test_scenario_load_never_writes_over_the_scenario_file(tmp_path: Path) -> None:
    db = tmp_path / "scenarios.xlsx"  # a scenario file whose name an .xlsx bundle could take
    assert run("scenario", "save", str(SAMPLE), "--name", "a", "--db", str(db)).returncode == 0
    before = snapshot(tmp_path)
    p = run("scenario", "load", "a", "--out", str(db), "--db", str(db))
    refused(p, "scenarios.xlsx")
    assert snapshot(tmp_path) == before
    ok = run("scenario", "load", "a", "--out", str(tmp_path / "back"), "--db", str(db))
    assert ok.returncode == 0 and (tmp_path / "back" / "values.csv").exists()


def test_the_engine_write_path_refuses_too(bundle: Path, tmp_path: Path) -> None:
    problem = load_bundle(bundle)
    result = solve(problem)
    protect = bundle_files(bundle)
    before = snapshot(tmp_path)
    with pytest.raises(ExportPathError) as hit:
        write_export(problem, result, "csv", bundle / "values.csv", protect=protect)
    assert hit.value.code == "export_overwrites_input"
    assert "файл читаемого набора данных" in hit.value.text("ru")
    with pytest.raises(ExportPathError) as hit:
        write_client_plans(problem, result, bundle, protect=protect)
    assert hit.value.code == "export_into_input_folder"
    # a client plan whose file name is one of the bundle's (the bundle next to the plans)
    plans = tmp_path / "plans"
    plans.mkdir()
    written = write_client_plans(problem, result, plans)
    victim = written[0]
    victim.write_bytes(b"an input")
    with pytest.raises(ExportPathError):
        write_client_plans(problem, result, plans, protect=[victim])
    assert victim.read_bytes() == b"an input"
    assert sorted(os.listdir(plans)) == sorted(p.name for p in written)
    assert snapshot(tmp_path)["B/values.csv"] == before["B/values.csv"]
