"""The command line as a user runs it: `python -m optimizer ...` in a subprocess.

Exit codes: 0 a plan, 1 no plan, 2 bad input or arguments; never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from checker import solve_checked
from optimizer.bundle import load_bundle

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TINY = str(FIXTURES / "tiny")
INFEASIBLE = str(FIXTURES / "infeasible")
BROKEN = str(FIXTURES / "broken")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)  # the whole of stdout must be one JSON object


@cache
def cli(*args: str) -> Run:
    """Run the CLI once per distinct argument list (tests share the runs they both need)."""
    p = subprocess.run(
        [sys.executable, "-m", "optimizer", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in p.stderr, p.stderr
    assert "Traceback" not in p.stdout, p.stdout
    return Run(p.returncode, p.stdout, p.stderr)


# ---- a plan ---------------------------------------------------------------------------------
def test_solve_prints_a_plan() -> None:
    r = cli("solve", TINY)
    assert r.code == 0, r.err
    assert "Status: optimal" in r.out
    assert "acme" in r.out and "Budget" in r.out


def test_solve_json_has_the_documented_keys() -> None:
    r = cli("solve", TINY, "--json")
    assert r.code == 0, r.err
    data = r.json()
    for key in (
        "status",
        "objective",
        "gap",
        "solver",
        "seconds",
        "allocation",
        "pools",
        "clients",
        "explanation",
    ):
        assert key in data, key
    assert data["status"] == "optimal"
    assert isinstance(data["objective"], float) and isinstance(data["seconds"], float)
    assert data["solver"] == "HiGHS"
    assert data["explanation"] == []
    problem = load_bundle(TINY)
    assert len(data["allocation"]) == len(problem.values)
    for item in data["allocation"]:
        assert {"client_id", "method_id", "units", "value", "use"} <= item.keys()
        assert set(item["use"]) == set(problem.pools)
    assert [p["resource_id"] for p in data["pools"]] == problem.pools
    for item in data["pools"]:
        assert {"resource_id", "capacity", "used", "shadow_price"} <= item.keys()
        assert item["used"] <= item["capacity"] * (1 + 1e-9)
    assert [c["client_id"] for c in data["clients"]] == list(problem.clients.index)
    for item in data["clients"]:
        assert {"client_id", "value", "attainable", "share"} <= item.keys()


def test_solve_json_matches_the_engine() -> None:
    data = cli("solve", TINY, "--json").json()
    result = solve_checked(load_bundle(TINY))
    assert data["objective"] == pytest.approx(result.objective, rel=1e-9)
    units = {(a["client_id"], a["method_id"]): a["units"] for a in data["allocation"]}
    for key, u in result.allocation["units"].items():
        assert units[key] == pytest.approx(u, abs=1e-9)
    for item in data["pools"]:
        assert item["shadow_price"] == pytest.approx(
            result.pools.at[item["resource_id"], "shadow_price"], abs=1e-12
        )


def test_solve_settings_flags() -> None:
    data = cli("solve", TINY, "--json", "--integer", "--gap", "0", "--time-limit", "20").json()
    assert data["status"] == "optimal"
    assert data["settings"]["integer_units"] is True and data["settings"]["mip_gap"] == 0
    assert all(float(a["units"]).is_integer() for a in data["allocation"])
    assert isinstance(data["gap"], float) and data["gap"] <= 1e-9
    cheap = cli("solve", TINY, "--json", "--objective", "min_cost", "--target-share", "0.5").json()
    best = cli("solve", TINY, "--json").json()
    assert cheap["status"] == "optimal"
    assert cheap["target_value"] == pytest.approx(0.5 * best["objective"], rel=1e-9)
    assert cheap["objective"] == pytest.approx(cheap["money_spent"], rel=1e-9)
    assert cheap["money_spent"] <= best["money_spent"]


def test_min_cost_summary_speaks_of_money() -> None:
    """In min_cost mode the objective is money: the text says what is spent and what an extra
    unit of a pool saves, not what it is 'worth' in value points."""
    data = cli("solve", TINY, "--json", "--objective", "min_cost", "--target-share", "0.5").json()
    r = cli("solve", TINY, "--objective", "min_cost", "--target-share", "0.5")
    assert r.code == 0, r.err
    assert "Cheapest plan reaching" in r.out and "(50% of the best)" in r.out
    assert f"spends {data['money_spent']:,.2f}" in r.out
    assert "value points" not in r.out.split("Pools:")[1] and "would save" in r.out


def test_solve_with_cbc_agrees() -> None:
    highs = cli("solve", TINY, "--json").json()
    cbc = cli("solve", TINY, "--json", "--solver", "cbc").json()
    assert cbc["solver"] == "CBC"
    assert cbc["objective"] == pytest.approx(highs["objective"], rel=1e-7)


def test_set_changes_a_capacity() -> None:
    data = cli("solve", TINY, "--json", "--set", "budget=5000").json()
    assert data["status"] == "optimal"
    budget = next(p for p in data["pools"] if p["resource_id"] == "budget")
    assert budget["capacity"] == 5000 and budget["used"] <= 5000 * (1 + 1e-9)
    expected = solve_checked(load_bundle(TINY).with_capacity("budget", 5000))
    assert data["objective"] == pytest.approx(expected.objective, rel=1e-9)


# ---- no plan --------------------------------------------------------------------------------
def test_infeasible_budget_exits_1_and_explains() -> None:
    r = cli("solve", TINY, "--set", "budget=1")
    assert r.code == 1
    assert "infeasible" in r.out
    # acme's committed trial month costs 2,500 EUR
    assert "Budget" in r.out and "Acme Ltd" in r.out and "Free trial" in r.out


def test_infeasible_bundle_explains_itself() -> None:
    r = cli("solve", INFEASIBLE)
    assert r.code == 1
    for name in ("Budget", "Acme Ltd", "Zeta AG", "Free trial"):
        assert name in r.out
    data = cli("solve", INFEASIBLE, "--json")
    assert data.code == 1
    d = data.json()
    assert d["status"] == "infeasible"
    assert d["objective"] is None and d["allocation"] == [] and d["pools"] == []
    text = "\n".join(d["explanation"])
    for name in ("Budget", "Acme Ltd", "Zeta AG", "Free trial"):
        assert name in text


# ---- bad input ------------------------------------------------------------------------------
BROKEN_PROBLEMS = [
    ("resources, row 2", "-500"),
    ("methods, row 2", "1.5"),
    ("methods, row 3", "0"),
    ("clients, row 2", "abc"),
    ("clients, row 3", "1.2"),
    ("clients, row 4", "acme"),
    ("values, row 2", "3"),
    ("values, row 3", "ghost"),
]


@pytest.mark.parametrize("command", ["validate", "solve"])
def test_broken_bundle_lists_every_problem(command: str) -> None:
    r = cli(command, BROKEN)
    assert r.code == 2
    assert r.out == ""  # nothing that could pass for a plan
    for where, value in BROKEN_PROBLEMS:
        assert any(where in line and f"'{value}'" in line for line in r.err.splitlines()), (
            where,
            value,
            r.err,
        )


def test_broken_bundle_with_json_prints_no_json() -> None:
    r = cli("solve", BROKEN, "--json")
    assert r.code == 2 and r.out == ""
    assert "problem" in r.err


def test_validate_good_bundle() -> None:
    r = cli("validate", TINY)
    assert r.code == 0
    assert "OK" in r.out and "3 clients" in r.out


def test_validate_reports_warnings(tmp_path: Path) -> None:
    bundle = tmp_path / "cp1251"
    bundle.mkdir()
    for f in Path(TINY).iterdir():
        raw = f.read_bytes()
        bundle.joinpath(f.name).write_bytes(
            raw.decode("utf-8").encode("cp1251") if f.name == "clients.csv" else raw
        )
    r = cli("validate", str(bundle))
    assert r.code == 0
    assert "Windows-1251" in r.err


def test_missing_bundle() -> None:
    r = cli("solve", str(FIXTURES / "no_such_bundle"))
    assert r.code == 2
    assert "does not exist" in r.err


BAD_ARGUMENTS = [
    (("--target-share", "1.5"), "--target-share"),
    (("--target-share", "half"), "half"),
    (("--time-limit", "0"), "--time-limit"),
    (("--gap", "-0.1"), "--gap"),
    (("--objective", "max_profit"), "max_profit"),
    (("--integer", "--continuous"), "--continuous"),
]


BAD_SETS = ("--set", "travel=5", "--set", "budget=abc", "--set", "budget=-5", "--set", "budget")


@pytest.mark.parametrize("args, words", BAD_ARGUMENTS)
def test_bad_arguments_exit_2(args: tuple[str, ...], words: str) -> None:
    r = cli("solve", TINY, "--json", *args)
    assert r.code == 2, (args, r.out, r.err)
    assert r.out == ""
    assert words in r.err


def test_every_bad_set_is_listed() -> None:
    r = cli("solve", TINY, "--json", *BAD_SETS)
    assert r.code == 2 and r.out == ""
    for item in BAD_SETS[1::2]:
        assert f"--set {item}:" in r.err, item
    assert "'travel' is not a pool (pools: budget, exec_hours)" in r.err


def test_unknown_command() -> None:
    r = cli("optimise", TINY)
    assert r.code == 2
    assert "optimise" in r.err


# ---- every run above, started side by side: each one is mostly interpreter start-up ---------
PREFETCH: list[tuple[str, ...]] = [
    ("solve", TINY),
    ("solve", TINY, "--json"),
    ("solve", TINY, "--json", "--integer", "--gap", "0", "--time-limit", "20"),
    ("solve", TINY, "--json", "--objective", "min_cost", "--target-share", "0.5"),
    ("solve", TINY, "--json", "--solver", "cbc"),
    ("solve", TINY, "--json", "--set", "budget=5000"),
    ("solve", TINY, "--set", "budget=1"),
    ("solve", INFEASIBLE),
    ("solve", INFEASIBLE, "--json"),
    ("validate", BROKEN),
    ("solve", BROKEN),
    ("solve", BROKEN, "--json"),
    ("validate", TINY),
    ("solve", str(FIXTURES / "no_such_bundle")),
    ("optimise", TINY),
    ("solve", TINY, "--json", *BAD_SETS),
]


@pytest.fixture(scope="module", autouse=True)
def _start_runs_together() -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # under xdist the tests are spread over workers: each runs only what it needs
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        list(
            pool.map(
                lambda a: cli(*a),
                PREFETCH + [("solve", TINY, "--json", *args) for args, _ in BAD_ARGUMENTS],
            )
        )
