"""Russian tables: what a rerun of the page costs in Russian against English, and what sending
one large table costs with pandas' cell-by-cell Styler renderer against the column texts
`ui.widgets.styled` gives Streamlit, all measured in the same run.

    .venv/bin/python benchmarks/bench_tables.py [--sizes 2000] [--repeat 3]

Server side only (Streamlit's AppTest, one process): the script rerun with nothing changed,
once the plan is cached, on a generated bundle (`write_scaled_bundle`) of each size; then the
Plan tab's allocation table of that bundle marshalled as Streamlit does for a Styler.
Machine load changes every number here, so the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _median(f: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def page_reruns(bundle: Path, repeat: int) -> tuple[dict[str, float], Any]:
    """Seconds of a rerun per language, and the allocation table the Russian page sent."""
    from streamlit.testing.v1 import AppTest

    from ui import state, widgets

    os.environ[state.START_BUNDLE_ENV] = str(bundle)
    out: dict[str, float] = {}
    frame = None
    fast = widgets._with_texts
    for case, lang in (("en", "en"), ("ru cells", "ru"), ("ru", "ru")):
        # The baseline: the Styler left to pandas' renderer, as before the column texts.
        widgets._with_texts = (lambda sty, *_: sty) if case == "ru cells" else fast
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
        at.session_state[state.LANG_KEY] = lang
        at.run()  # the first run solves; the reruns below find the plan cached
        assert not at.exception, at.exception
        out[case] = _median(at.run, repeat)
        frame = next(el.value for el in at.dataframe if len(el.value.columns) > 8)
    widgets._with_texts = fast
    return out, frame


def marshal(frame: Any, repeat: int) -> dict[str, float]:
    """Seconds to marshal the table as Streamlit does: pandas' renderer, then column texts."""
    from streamlit.elements.lib.pandas_styler_utils import marshall_styler
    from streamlit.proto.ArrowData_pb2 import ArrowData

    from ui.text import Translator
    from ui.widgets import styled

    t = Translator("ru")
    decimals = {c: 1 for c in frame.columns if frame[c].dtype.kind in "fi"}

    def cell_by_cell() -> None:  # what show_table sent before: Styler.format only
        fmt = {
            c: (lambda v, d=d: "" if v != v else t.num(float(v), d)) for c, d in decimals.items()
        }
        marshall_styler(ArrowData(), frame.style.format(fmt), "bench")

    def columns() -> None:
        marshall_styler(ArrowData(), styled(frame, t, decimals), "bench")

    import pandas as pd

    # As show_table does: a table over pandas' Styler cell limit is still sent.
    with pd.option_context("styler.render.max_elements", max(frame.size, 262_144)):
        return {
            "cell by cell": _median(cell_by_cell, repeat),
            "column texts": _median(columns, repeat),
        }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000", help="clients, comma-separated")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from benchmarks.bench_dashboard import write_scaled_bundle

    print(
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; median of {args.repeat}"
    )
    print(
        f"{'clients':>7s} {'cells':>7s} {'rerun en s':>10s} {'ru before s':>11s} {'ratio':>6s} "
        f"{'ru now s':>8s} {'ratio':>6s} {'table before s':>14s} {'now s':>6s} {'speed-up':>8s}"
    )
    for n in (int(x) for x in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            bundle = write_scaled_bundle(n, Path(tmp) / "bundle")
            runs, frame = page_reruns(bundle, args.repeat)
            m = marshal(frame, args.repeat)
        print(
            f"{n:7,d} {frame.size:7,d} {runs['en']:10.2f} {runs['ru cells']:11.2f} "
            f"{runs['ru cells'] / runs['en']:6.2f} {runs['ru']:8.2f} "
            f"{runs['ru'] / runs['en']:6.2f} "
            f"{m['cell by cell']:14.2f} {m['column texts']:6.2f} "
            f"{m['cell by cell'] / m['column texts']:8.1f}x"
        )
    print(
        "ratio: the Russian rerun to the English one; before: every table's texts made cell by "
        "cell by pandas' renderer; now: column texts (ui.widgets.styled); table: the largest "
        "table of the Plan tab marshalled alone"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
