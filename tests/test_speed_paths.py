"""The fast paths of a whole `solve --json` run: what it imports, how the JSON is written."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np

from optimizer.export.json import json_text

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "fixtures" / "tiny"


def test_solve_json_imports_only_its_own_command() -> None:
    # The other commands' modules bring SQLAlchemy and the analyses: not for a plain solve.
    code = (
        "import sys, io, contextlib\n"
        "from optimizer.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    rc = main(['solve', {str(TINY)!r}, '--json'])\n"
        "import json; plan = json.loads(out.getvalue())\n"
        "print(rc, plan['status'], sorted(m for m in ('sqlalchemy', 'optimizer.storage', 'pulp', "
        "'optimizer.analysis.frontier', 'optimizer.store') if m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert proc.stdout.split(maxsplit=2) == ["0", "optimal", "[]\n"]


def test_other_commands_still_load_theirs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "optimizer", "scenario", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and "scenario" in proc.stdout
    listing = subprocess.run(
        [sys.executable, "-m", "optimizer", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    for name in ("validate", "solve", "export", "sweep", "robustness", "scenario", "team"):
        assert name in listing.stdout


def test_json_text_is_the_same_object_one_key_a_line() -> None:
    obj = {
        "status": "optimal",
        "objective": 1.5,
        "allocation": [{"client_id": "Ёлка", "units": None, "use": {"budget": 2.0}}] * 3,
        "explanation": ['a "quoted"\nline'],
    }
    text = json_text(obj)
    assert json.loads(text) == obj
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}" and len(lines) == len(obj) + 2
    assert "Ёлка" in text  # not escaped: the JSON is UTF-8
    assert text.endswith("}\n")


def test_json_numbers_are_finite_or_null() -> None:
    from optimizer.export.json import _nums

    assert _nums([1.0, math.nan, math.inf, -2.5, -math.inf]) == [1.0, None, None, -2.5, None]
    # Whatever reaches the encoder: numpy scalars and arrays, NaN written as null.
    text = json_text({"x": np.float64(math.nan), "y": np.arange(2), "z": np.int64(3)})
    assert json.loads(text) == {"x": None, "y": [0, 1], "z": 3}


def test_solve_json_on_a_pipe_is_the_same_object_as_in_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "optimizer", "solve", str(TINY), "--json"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    from optimizer import load_bundle, solve
    from optimizer.export.json import result_to_json

    problem = load_bundle(TINY)
    want = json.loads(json.dumps(result_to_json(problem, solve(problem))))
    got = json.loads(proc.stdout.decode("utf-8"))
    assert {k: v for k, v in got.items() if k != "seconds"} == {
        k: v for k, v in want.items() if k != "seconds"
    }


def test_solve_leaves_the_cycle_collector_as_it_found_it() -> None:
    import contextlib
    import gc
    import io

    from optimizer.cli import main

    before = gc.get_threshold()
    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert main(["solve", str(TINY), "--json"]) == 0
    assert json.loads(out.getvalue())["status"] == "optimal"
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_command_that_leaves_early_still_says_everything_and_its_exit_code(
    tmp_path: Path,
) -> None:
    # `python -m optimizer` skips the interpreter's teardown: what it wrote must all be out.
    big = subprocess.run(
        [sys.executable, "-m", "optimizer", "solve", str(ROOT / "sample_data"), "--json"],
        cwd=ROOT,
        capture_output=True,
    )
    assert big.returncode == 0 and json.loads(big.stdout)["status"] == "optimal"
    assert big.stdout.endswith(b"}\n")
    bad = subprocess.run(
        [sys.executable, "-m", "optimizer", "solve", str(tmp_path / "missing")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "does not exist" in bad.stderr
    # A reader that stops early (`| head -c 1`) on a plan larger than the pipe holds: no
    # traceback, the plan's exit code.
    sys.path.insert(0, str(ROOT))
    from benchmarks.instances import make_problem
    from optimizer.bundle import write_bundle

    bundle = write_bundle(make_problem(400), tmp_path / "b400")
    proc = subprocess.Popen(
        [sys.executable, "-m", "optimizer", "solve", str(bundle), "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(1) == b"{"
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0
    assert b"Traceback" not in err and b"Exception ignored" not in err
