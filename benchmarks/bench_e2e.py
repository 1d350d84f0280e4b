"""End-to-end benchmark: what a user waits for, from a CSV bundle to the plan as JSON.

    python benchmarks/bench_e2e.py [--sizes 25,2500,10000,50000] [--repeat 3]
                                   [--plain-up-to 10000] [--linopy-up-to 10000]

Every row is a whole process (Python start, imports, reading, model, solve, JSON written to a
file), timed from the parent: the median of `--repeat` runs and the peak resident memory of the
child (os.wait4). At each size (clients x 7 methods, up to 3 units a cell, every constraint
family: benchmarks/instances.py, written as a CSV bundle) it runs:
  ours    `python -m optimizer solve BUNDLE --json`;
  plain   the same model written the plain PuLP way: pandas reads the CSVs, dicts of
          variables, one lpSum per constraint over generators, PuLP's CBC, json out;
  linopy  the same model in linopy (labelled arrays, groupby sums) solved by HiGHS, which is
          what an OR user would write instead;
  floor   Python start, imports, pandas reading the CSVs, the LP as numpy arrays handed to
          highspy (the engine's HiGHS options), json out: no validation, no reasons.
Every baseline prints its objective; a baseline whose objective differs from ours by more than
1e-6 (relative) is reported as a MISMATCH. Then, in one child process per size, the stages of
ours in process (reading and validation, solve with result frames, JSON built, JSON written).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUNS = ("ours", "plain", "linopy", "floor")
TOLERANCE = 1e-6  # relative difference of objectives still called the same
PLAIN_TIME_LIMIT = 600  # seconds, CBC in the plain baseline
RESULT_ENV = "BENCH_E2E_RESULT"  # where a baseline writes its JSON (ours: stdout)


# ---- the baselines (each runs in its own process: `--baseline KIND BUNDLE`) -------------------
def _read(bundle: Path) -> dict[str, Any]:
    """The bundle's CSVs as pandas reads them, with blanks filled as the engine fills them."""
    import pandas as pd

    res = pd.read_csv(bundle / "resources.csv", index_col="resource_id")
    met = pd.read_csv(bundle / "methods.csv", index_col="method_id")
    cli = pd.read_csv(bundle / "clients.csv", index_col="client_id")
    val = pd.read_csv(bundle / "values.csv").dropna(subset=["value"])
    ovr_path = bundle / "overrides.csv"
    ovr = pd.read_csv(ovr_path) if ovr_path.exists() else pd.DataFrame()
    val["committed_units"] = val["committed_units"].fillna(0)
    val["max_units"] = val["max_units"].fillna(val["method_id"].map(met["max_units"]))
    cli["min_value_share"] = cli["min_value_share"].fillna(0.0)
    return {"res": res, "met": met, "cli": cli, "val": val, "ovr": ovr}


def _arrays(t: dict[str, Any]) -> dict[str, Any]:
    """The LP as numpy arrays (the model of DESIGN section 2), for the floor and linopy."""
    import numpy as np
    import pandas as pd

    res, met, cli, val, ovr = t["res"], t["met"], t["cli"], t["val"], t["ovr"]
    pools = list(res.index)
    ci = cli.index.get_indexer(val["client_id"])
    mi = met.index.get_indexer(val["method_id"])
    use = met[pools].to_numpy(dtype=float)[mi]
    if len(ovr):
        cells = pd.MultiIndex.from_arrays([val["client_id"], val["method_id"]])
        pos = cells.get_indexer(pd.MultiIndex.from_arrays([ovr["client_id"], ovr["method_id"]]))
        ok = pos >= 0
        use[pos[ok], res.index.get_indexer(ovr["resource_id"][ok])] = ovr["per_unit"][ok]
    units = val["max_units"].to_numpy(dtype=int)
    cell = np.repeat(np.arange(len(val)), units)
    k = np.arange(len(cell)) - np.repeat(np.cumsum(units) - units, units) + 1
    decay = met["decay"].to_numpy(dtype=float)[mi]
    unit_value = val["value"].to_numpy(dtype=float)[cell] * decay[cell] ** (k - 1)
    weighted = cli["weight"].to_numpy(dtype=float)[ci][cell] * unit_value
    lo = (k <= val["committed_units"].to_numpy()[cell]).astype(float)
    rows, cols, vals, row_lo, row_hi = [], [], [], [], []
    n, n_rows = len(cell), 0
    col = np.arange(n)

    def add(r: Any, c: Any, v: Any, low: Any, high: Any) -> None:
        nonlocal n_rows
        rows.append(r + n_rows)
        cols.append(c)
        vals.append(v)
        row_lo.append(low)
        row_hi.append(high)
        n_rows += len(low)

    inf = np.inf
    cu = use[cell]
    for p, pool in enumerate(pools):
        add(np.zeros(n, int), col, cu[:, p], [-inf], [float(res.at[pool, "capacity"])])
    cc = ci[cell]
    for p, pool in enumerate(pools):
        if f"max_{pool}" not in cli:
            continue
        caps = cli[f"max_{pool}"].to_numpy(dtype=float)
        capped = np.flatnonzero(~np.isnan(caps))
        where = np.full(len(cli), -1)
        where[capped] = np.arange(len(capped))
        sel = where[cc] >= 0
        add(where[cc][sel], col[sel], cu[sel, p], np.full(len(capped), -inf), caps[capped])
    mcap = met["capacity"].to_numpy(dtype=float)
    capped = np.flatnonzero(~np.isnan(mcap))
    where = np.full(len(met), -1)
    where[capped] = np.arange(len(capped))
    sel = where[mi[cell]] >= 0
    add(
        where[mi[cell]][sel], col[sel], np.ones(sel.sum()), np.full(len(capped), -inf), mcap[capped]
    )
    share = cli["min_value_share"].to_numpy(dtype=float)
    floored = np.flatnonzero(share > 0)
    attain = np.bincount(cc, weights=unit_value, minlength=len(cli))
    where = np.full(len(cli), -1)
    where[floored] = np.arange(len(floored))
    sel = where[cc] >= 0
    add(
        where[cc][sel],
        col[sel],
        unit_value[sel],
        share[floored] * attain[floored],
        [inf] * len(floored),
    )
    r, c, v = (np.concatenate(x) for x in (rows, cols, vals))
    keep = v != 0
    return {
        "rows": r[keep],
        "cols": c[keep],
        "vals": v[keep],
        "row_lo": np.concatenate([np.asarray(x, float) for x in row_lo]),
        "row_hi": np.concatenate([np.asarray(x, float) for x in row_hi]),
        "c": weighted,
        "lo": lo,
        "cell": cell,
        "ci": ci,
        "mi": mi,
        "n_rows": n_rows,
        "unit_value": unit_value,
        "use": cu,
        "pools": pools,
    }


def _write(objective: float | None, val: Any, units: Any) -> None:
    """The plan as JSON: objective and the units of every offered cell (to the file named by
    RESULT_ENV: a solver's banner on stdout would not spoil it)."""
    alloc = [
        {"client_id": c, "method_id": m, "units": u}
        for c, m, u in zip(val["client_id"].tolist(), val["method_id"].tolist(), units.tolist())
    ]
    with open(os.environ[RESULT_ENV], "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"objective": objective, "allocation": alloc}) + "\n")


def baseline_floor(bundle: Path) -> None:
    import highspy
    import numpy as np

    t = _read(bundle)
    a = _arrays(t)
    n = len(a["c"])
    order = np.lexsort((a["rows"], a["cols"]))  # column-wise, as HiGHS takes it
    start = np.searchsorted(a["cols"][order], np.arange(n + 1))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, a["n_rows"]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = a["c"], a["lo"], np.ones(n)
    inf = highspy.kHighsInf
    lp.row_lower_ = np.where(np.isfinite(a["row_lo"]), a["row_lo"], -inf)
    lp.row_upper_ = np.where(np.isfinite(a["row_hi"]), a["row_hi"], inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = a["rows"][order]
    lp.a_matrix_.value_ = a["vals"][order]
    lp.sense_ = highspy.ObjSense.kMaximize
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    # The engine's options (optimizer/solve.py: HIGHS_OPTIONS, IPM_FROM_COLUMNS, checked equal
    # by the parent), so that the floor is the same solve without anything around it.
    h.setOptionValue("presolve", "off")
    if n >= 10_000:
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "on")
    h.passModel(lp)
    h.run()
    x = np.asarray(h.getSolution().col_value)
    units = np.bincount(a["cell"], weights=x, minlength=len(t["val"]))
    _write(float(h.getInfo().objective_function_value), t["val"], units)


def baseline_linopy(bundle: Path) -> None:
    import linopy
    import numpy as np
    import xarray as xr

    t = _read(bundle)
    a = _arrays(t)
    res, met, cli = t["res"], t["met"], t["cli"]
    n = len(a["c"])
    dim = {"dims": "col", "coords": {"col": np.arange(n)}}
    m = linopy.Model()
    y = m.add_variables(lower=xr.DataArray(a["lo"], **dim), upper=1.0, name="y")
    m.add_objective((xr.DataArray(a["c"], **dim) * y).sum(), sense="max")
    client = xr.DataArray(cli.index.to_numpy()[a["ci"][a["cell"]]], name="client", **dim)
    method = xr.DataArray(met.index.to_numpy()[a["mi"][a["cell"]]], name="method", **dim)
    for p, pool in enumerate(a["pools"]):
        use = xr.DataArray(a["use"][:, p], **dim)
        m.add_constraints((use * y).sum() <= float(res.at[pool, "capacity"]), name=f"pool_{pool}")
        if f"max_{pool}" in cli:
            caps = cli[f"max_{pool}"].dropna()
            if len(caps):
                per_client = (use * y).groupby(client).sum().sel(client=caps.index.to_numpy())
                cap = xr.DataArray(caps.to_numpy(), coords={"client": caps.index.to_numpy()})
                m.add_constraints(per_client <= cap, name=f"cap_{pool}")
    mcap = met["capacity"].dropna()
    if len(mcap):
        per_method = y.groupby(method).sum().sel(method=mcap.index.to_numpy())
        cap = xr.DataArray(mcap.to_numpy(), coords={"method": mcap.index.to_numpy()})
        m.add_constraints(per_method <= cap, name="capacity")
    share = cli["min_value_share"]
    floored = share[share > 0]
    if len(floored):
        value = xr.DataArray(a["unit_value"], **dim)
        attain = value.groupby(client).sum().sel(client=floored.index.to_numpy())
        got = (value * y).groupby(client).sum().sel(client=floored.index.to_numpy())
        need = xr.DataArray(floored.to_numpy(), coords={"client": floored.index.to_numpy()})
        m.add_constraints(got >= need * attain, name="floor")
    m.solve("highs", output_flag=False)
    x = y.solution.to_numpy()
    units = np.bincount(a["cell"], weights=x, minlength=len(t["val"]))
    _write(float(m.objective.value), t["val"], units)


def baseline_plain(bundle: Path) -> None:
    import warnings

    import pulp

    from benchmarks.plain_pulp import build

    t = _read(bundle)
    val = t["val"]
    prob, y = build(t["res"], t["met"], t["cli"], val, t["ovr"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=PLAIN_TIME_LIMIT))
    ok = prob.status == pulp.LpStatusOptimal
    units = [
        sum(y[c, m, k].varValue or 0.0 for k in range(1, int(mx) + 1))
        for c, m, mx in zip(val["client_id"], val["method_id"], val["max_units"])
    ]
    import numpy as np

    _write(pulp.value(prob.objective) if ok else None, val, np.array(units))


# ---- our stages in process -----------------------------------------------------------------
def stages(bundle: Path) -> dict[str, float]:
    """Our whole run split into stages, in one process (seconds), with the cycle collector
    set as `solve` sets it."""
    t0 = time.perf_counter()
    from optimizer.bundle import load_bundle
    from optimizer.cli.solve import _few_collections
    from optimizer.export.json import json_text, result_to_json
    from optimizer.solve import solve

    with _few_collections():
        return _stages(bundle, t0, load_bundle, solve, result_to_json, json_text)


def _stages(
    bundle: Path, t0: float, load_bundle: Any, solve: Any, to_json: Any, text: Any
) -> dict[str, float]:
    from optimizer import limits

    t1 = time.perf_counter()
    limits.MAX_ROWS = max(limits.MAX_ROWS, _raised(bundle))  # as for the whole process
    problem = load_bundle(bundle)
    t2 = time.perf_counter()
    result = solve(problem)
    t3 = time.perf_counter()
    data = to_json(problem, result)
    t4 = time.perf_counter()
    with open(os.devnull, "w", encoding="utf-8") as fh:
        fh.write(text(data))
    t5 = time.perf_counter()
    return {
        "imports": t1 - t0,
        "read_validate": t2 - t1,
        "solve": t3 - t2,
        "json_build": t4 - t3,
        "json_write": t5 - t4,
    }


# ---- the parent ----------------------------------------------------------------------------
# The engine refuses a table of more than limits.MAX_ROWS rows (400,000: 50,000 clients x 7
# methods have 315,000 values rows). A larger bundle is run with the cap raised to its size,
# and its row is marked.
RAISED = (
    "import sys; import optimizer.limits as limits; limits.MAX_ROWS = int(sys.argv.pop(1)); "
    "from optimizer.cli import main; sys.exit(main(sys.argv[1:]))"
)


def _rows(bundle: Path) -> int:
    with (bundle / "values.csv").open("rb") as fh:
        return sum(1 for _ in fh) - 1


def _raised(bundle: Path) -> int:
    """A row cap above the bundle's lines (the header and the last newline counted)."""
    return _rows(bundle) + 10


def _over_cap(bundle: Path) -> bool:
    from optimizer import limits

    return _rows(bundle) > limits.MAX_ROWS


def _command(kind: str, bundle: Path) -> list[str]:
    if kind == "ours":
        args = ["solve", str(bundle), "--json"]
        if _over_cap(bundle):
            return [sys.executable, "-c", RAISED, str(_raised(bundle)), *args]
        return [sys.executable, "-m", "optimizer", *args]
    return [sys.executable, str(Path(__file__).resolve()), "--baseline", kind, str(bundle)]


def run_once(kind: str, bundle: Path, out: Path) -> tuple[float, float, int, float]:
    """One whole process: (seconds, peak MB of the child, exit code, CPU seconds)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), RESULT_ENV: str(out)}
    stdout = out if kind == "ours" else out.with_suffix(".stdout")
    with stdout.open("wb") as fh, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(_command(kind, bundle), stdout=fh, stderr=err, cwd=ROOT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            err.seek(0)
            tail = err.read().decode(errors="replace").strip().splitlines()[-1:]
            print(f"  {kind} failed ({proc.returncode}): {' '.join(tail)}", file=sys.stderr)
    return seconds, usage.ru_maxrss / 1024.0, proc.returncode, usage.ru_utime + usage.ru_stime


def measure(kind: str, bundle: Path, repeat: int, work: Path) -> dict[str, Any]:
    out = work / f"{kind}.json"
    runs = [run_once(kind, bundle, out) for _ in range(repeat)]
    objective = None
    if all(code in (0, 1) for _, _, code, _ in runs):
        try:
            objective = json.loads(out.read_text(encoding="utf-8")).get("objective")
        except (OSError, ValueError) as exc:
            print(f"  {kind}: no JSON ({exc})", file=sys.stderr)
    return {
        "seconds": statistics.median(r[0] for r in runs),
        "peak_mb": max(r[1] for r in runs),
        "cpu": statistics.median(r[3] for r in runs),
        "objective": objective,
        "runs": len(runs),
    }


def make_bundle(n: int, dest: Path) -> Path:
    from benchmarks.instances import make_problem
    from optimizer.bundle import write_bundle

    write_bundle(make_problem(n), dest)
    return dest


def _check_floor_options() -> None:
    """The floor copies the engine's HiGHS options: say so loudly when they have changed."""
    from optimizer.solve import HIGHS_OPTIONS, IPM_FROM_COLUMNS

    if HIGHS_OPTIONS.get("presolve") != "off" or IPM_FROM_COLUMNS != 10_000:
        print("WARNING: the engine's HiGHS options changed; update baseline_floor", flush=True)


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def _same(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= TOLERANCE * max(1.0, abs(b))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="25,2500,10000,50000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--plain-up-to",
        type=int,
        default=10_000,
        help="run the plain PuLP baseline up to this many clients (it takes minutes beyond)",
    )
    ap.add_argument(
        "--linopy-up-to",
        type=int,
        default=10_000,
        help="run the linopy baseline up to this many clients (10,000 took minutes here)",
    )
    ap.add_argument("--baseline", nargs=2, metavar=("KIND", "BUNDLE"), help=argparse.SUPPRESS)
    ap.add_argument("--stages", metavar="BUNDLE", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.baseline:
        kind, bundle = args.baseline
        {"plain": baseline_plain, "linopy": baseline_linopy, "floor": baseline_floor}[kind](
            Path(bundle)
        )
        return
    if args.stages:
        print(json.dumps(stages(Path(args.stages))))
        return
    sys.path.insert(0, str(ROOT))
    _check_floor_options()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"Whole processes, CSV bundle to JSON (median of {args.repeat}; peak = the child's "
        "maximum resident memory)\n"
    )
    head = (
        "| clients | ours s | ours CPU s | ours MB | plain PuLP+CBC s | plain CPU s "
        "| ours / plain | ours / plain, CPU | linopy+HiGHS s | ours / linopy | linopy MB "
        "| floor s | floor CPU s | ours / floor "
        "| ours / floor, CPU | floor MB | objectives |"
    )
    print(head)
    print("|" + "---|" * (head.count("|") - 1), flush=True)
    staged: dict[int, dict[str, float]] = {}
    marked = False
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n in sizes:
            bundle = make_bundle(n, work / f"bundle_{n}")
            r: dict[str, dict[str, Any]] = {"ours": measure("ours", bundle, args.repeat, work)}
            if n <= args.plain_up_to:
                r["plain"] = measure("plain", bundle, args.repeat, work)
            if n <= args.linopy_up_to:
                r["linopy"] = measure("linopy", bundle, args.repeat, work)
            r["floor"] = measure("floor", bundle, args.repeat, work)
            ours = r["ours"]
            checks = []
            for kind in RUNS[1:]:
                if kind in r and not _same(r[kind]["objective"], ours["objective"]):
                    checks.append(
                        f"MISMATCH {kind} {r[kind]['objective']} vs ours {ours['objective']}"
                    )
            sec = {k: v["seconds"] for k, v in r.items()}
            mb = {k: v["peak_mb"] for k, v in r.items()}

            def cell(kind: str, what: dict[str, float], fmt: str) -> str:
                return format(what[kind], fmt) if kind in what else "-"

            cpu = {k: v["cpu"] for k, v in r.items()}
            mark = " *" if _over_cap(bundle) else ""
            marked = marked or bool(mark)
            print(
                f"| {n:,}{mark} | {sec['ours']:.2f} | {cpu['ours']:.2f} | {mb['ours']:.0f} | "
                f"{cell('plain', sec, '.2f')} | {cell('plain', cpu, '.2f')} | "
                f"{_ratio(sec['ours'], sec.get('plain'))} | "
                f"{_ratio(cpu['ours'], cpu.get('plain'))} | "
                f"{cell('linopy', sec, '.2f')} | {_ratio(sec['ours'], sec.get('linopy'))} | "
                f"{cell('linopy', mb, '.0f')} | {sec['floor']:.2f} | {cpu['floor']:.2f} | "
                f"{_ratio(sec['ours'], sec['floor'])} | {_ratio(cpu['ours'], cpu['floor'])} | "
                f"{mb['floor']:.0f} | {'; '.join(checks) or 'all equal'} |",
                flush=True,
            )
            proc = subprocess.run(
                [sys.executable, __file__, "--stages", str(bundle)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            if proc.returncode == 0:
                staged[n] = json.loads(proc.stdout.strip().splitlines()[-1])
    from optimizer import limits

    if marked:
        print(
            f"\n* more than {limits.MAX_ROWS:,} values rows, the engine's row cap "
            "(optimizer/limits.py): ours ran with the cap raised to the bundle's size."
        )
    print("\nOurs in process, one run per size (seconds): where the whole process goes\n")
    head = (
        "| clients | imports | read + validate | solve (model, HiGHS, frames, reasons) "
        "| JSON built | JSON written |"
    )
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for n, st in staged.items():
        print(
            f"| {n:,} | {st['imports']:.2f} | {st['read_validate']:.2f} | {st['solve']:.2f} | "
            f"{st['json_build']:.2f} | {st['json_write']:.2f} |"
        )


if __name__ == "__main__":
    main()
