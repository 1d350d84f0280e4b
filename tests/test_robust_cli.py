"""Plans that hold up on the command line and in the exports: `solve --objective robust |
cvar | expected`, `--json` with `protected_value` / `cvar_value`, and the exports naming the
objective that made the plan with its parameters."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest

from optimizer import export
from optimizer.bundle import load_bundle
from optimizer.cli import main
from optimizer.robust import solve_objective
from optimizer.schema import Objective
from optimizer.solve import solve
from tests.checker import check

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = str(ROOT / "sample_data")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_solve_json_reports_the_protected_value_beside_the_objective(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "solve", SAMPLE, "--objective", "robust", "--protect", "3", "--json")
    assert code == 0
    d = json.loads(out)
    problem = load_bundle(SAMPLE)
    r = solve_objective(problem, Objective("robust", protect=3))
    check(problem, r)
    assert d["objective"] == pytest.approx(r.objective)
    assert d["protected_value"] == pytest.approx(r.protected_value)
    assert d["protected_value"] < d["objective"] < solve(problem).objective
    assert d["cvar_value"] is None
    assert d["plan_objective"]["kind"] == "robust"
    assert d["plan_objective"]["protect"] == 3
    assert d["settings"]["objective"] == "max_value"


def test_solve_json_of_cvar_and_expected(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("--draws", "100", "--seed", "4", "--json")
    code, out, _ = run(capsys, "solve", SAMPLE, "--objective", "cvar", "--alpha", "0.2", *args)
    assert code == 0
    d = json.loads(out)
    assert d["plan_objective"] == {
        "kind": "cvar",
        "alpha": 0.2,
        "draws": 100,
        "seed": 4,
        "widen": {},
        "checklist_widening": True,
    }
    assert d["cvar_value"] < d["expected_value"]
    assert d["protected_value"] is None
    code, out, _ = run(capsys, "solve", SAMPLE, "--objective", "expected", *args)
    e = json.loads(out)
    assert code == 0 and e["cvar_value"] is None
    assert e["expected_value"] >= d["expected_value"] - 1e-6  # the mean's own optimum
    code, out, _ = run(capsys, "solve", SAMPLE, "--json")
    assert json.loads(out)["plan_objective"] == {"kind": "nominal"}


def test_solve_prints_the_objective_and_the_price_of_robustness(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "solve", SAMPLE, "--objective", "robust", "--protect", "2", "--compare"
    )
    assert code == 0
    assert "Protected value (the 2 worst surprises): " in out
    assert "The price of robustness (fresh draws: 200, seed 1)" in out
    assert "nominal value given up: " in out and "cells that move: " in out
    assert "protected model" in out  # the prices are the counterpart's, and it says so
    code, out, _ = run(
        capsys, "solve", SAMPLE, "--objective", "robust", "--protect", "1", "--per-client",
        "--lang", "ru",
    )  # fmt: skip
    assert code == 0 and "у каждого клиента" in out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--protect", "3"), "--protect applies to --objective robust only"),
        (("--objective", "robust", "--alpha", "0.1"), "--alpha applies to --objective cvar only"),
        (("--objective", "cvar", "--alpha", "2"), "alpha must be between 0 and 1, not 2"),
        (("--objective", "robust", "--protect", "-1"), "protect must be at least 0, not -1"),
        (("--objective", "expected", "--draws", "0"), "draws must be between 1 and 5000"),
        (("--objective", "robust", "--protect", "1", "--objective", "min_cost"), None),
    ],
)
def test_bad_objective_flags_are_refused(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], said: str | None
) -> None:
    code, _, err = run(capsys, "solve", SAMPLE, *args)
    assert code == 2
    if said:
        assert said in err


def test_min_cost_bundle_with_a_robust_objective_says_why(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import shutil

    shutil.copytree(SAMPLE, tmp_path / "b")
    settings = tmp_path / "b" / "settings.json"
    s = json.loads(settings.read_text())
    s["objective"] = "min_cost"
    settings.write_text(json.dumps(s))
    code, _, err = run(capsys, "solve", str(tmp_path / "b"), "--objective", "robust")
    assert code == 2 and "needs the max_value mode" in err


def test_exports_say_which_objective_made_the_plan() -> None:
    problem = load_bundle(SAMPLE)
    r = solve_objective(problem, Objective("cvar", alpha=0.1, draws=100, seed=2))
    wb = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(problem, r)))
    cells = [str(c.value) for row in wb.worksheets[0].iter_rows() for c in row if c.value]
    assert "Objective" in cells
    assert (
        "the mean of the worst 10% of 100 draws (CVaR, seed 2); ranges widened by the "
        "relationship checklist" in cells
    )
    assert "Mean value of the worst 10% of the draws" in cells
    wb_ru = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(problem, r, lang="ru")))
    ru = [str(c.value) for row in wb_ru.worksheets[0].iter_rows() for c in row if c.value]
    assert any(c.startswith("среднее по худшим 10\xa0% из 100 выборок") for c in ru), ru
    robust = solve_objective(problem, Objective("robust", protect=2, checklist=False))
    page = export.html_report(problem, robust).decode("utf-8")
    assert "protected against the 2 worst surprises (Gamma)" in page
    nominal = export.html_report(problem, solve(problem)).decode("utf-8")
    assert "the values as assessed" in nominal
