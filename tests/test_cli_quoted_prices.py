"""The command line quotes pool prices as the page does: per one amount of each pool chosen
from its capacity (optimizer.quoting), saying the amount, in English and in Russian; `scenario
compare` labels each pool's price with the pool's name and that amount."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from optimizer.cli.common import Words
from optimizer.messages import unit_text
from optimizer.quoting import quote_amount

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = str(ROOT / "sample_data")


def run(*args: str) -> str:
    p = subprocess.run(
        [sys.executable, "-m", "optimizer", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
    return p.stdout


def pools(*args: str) -> list[dict]:
    """The solved pools (JSON) with their names and units from the bundle."""
    res = pd.read_csv(Path(SAMPLE) / "resources.csv", dtype=str).set_index("resource_id")
    got = json.loads(run("solve", SAMPLE, "--json", *args))["pools"]
    return [{**p, **res.loc[p["resource_id"], ["name", "unit"]].to_dict()} for p in got]


def num(x: float, spec: str, lang: str) -> str:
    """A number as the command line prints it in `lang`."""
    return Words(lang).num(x, spec)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_solve_quotes_each_pool_per_its_amount(lang: str) -> None:
    out = run("solve", SAMPLE, "--lang", lang)
    for p in pools():
        per = quote_amount(p["capacity"])
        worth = p["shadow_price"] * per
        digits = ",.2f" if abs(worth) < 10 else ",.1f"
        if lang == "en":
            want = f"one more {num(per, ',.0f', lang)} {p['unit']} would add "
            want += f"{num(worth, digits, lang)} value points"
        else:
            # hours read «ч» in Russian, as on the page
            want = f"ещё {num(per, ',.0f', lang)} {unit_text(p['unit'], lang)} добавили бы "
            want += f"{num(worth, digits, lang)} баллов ценности"
        line = next(x for x in out.splitlines() if x.strip().startswith(p["name"] + ":"))
        assert line.endswith(want), (line, want)
    # The budget of the sample reads per 1,000 EUR, not per euro.
    budget = next(x for x in out.splitlines() if x.strip().startswith("Budget:"))
    assert (" 1,000 EUR " if lang == "en" else " 1\xa0000 EUR ") in budget


def test_min_cost_quotes_the_saving_per_the_amount() -> None:
    args = ("--objective", "min_cost", "--target-share", "0.8")
    out = run("solve", SAMPLE, *args)
    hours = next(p for p in pools(*args) if p["resource_id"] == "exec_hours")
    per = quote_amount(hours["capacity"])
    saving = max(-hours["shadow_price"] * per, 0.0)
    assert saving > 0  # the sample's executive hours bind in this plan
    digits = ",.2f" if saving < 10 else ",.1f"
    want = f"one more {per:,.0f} h would save {saving:{digits}} EUR"
    assert any(x.endswith(want) for x in out.splitlines()), out


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_compare_labels_pool_prices_by_name_and_amount(tmp_path: Path, lang: str) -> None:
    db = str(tmp_path / "s.db")
    run("scenario", "save", SAMPLE, "--name", "A", "--db", db)
    run("scenario", "save", SAMPLE, "--set", "budget=384000", "--name", "B", "--db", db)
    out = run("scenario", "compare", "A", "B", "--db", db, "--lang", lang)
    data = json.loads(run("scenario", "compare", "A", "B", "--db", db, "--json"))
    assert "price_budget" not in out and "price_exec_hours" not in out
    a = {p["resource_id"]: p for p in pools()}
    b = {p["resource_id"]: p for p in pools("--set", "budget=384000")}
    label = {
        "en": "Budget: value of {} EUR more (points)",
        "ru": "Budget: ценность ещё {} EUR (баллы ценности)",
    }[lang].format(num(1000, ",.0f", lang))
    line = next(x for x in out.splitlines() if x.startswith(label))
    # Both sides per the same 1,000 EUR, whatever the budget: the price nearly doubles.
    cells = line[len(label) :].split()
    want = [a["budget"]["shadow_price"] * 1000, b["budget"]["shadow_price"] * 1000]
    assert cells[:2] == [num(x, ",.2f", lang) for x in want], (line, want)
    assert want[1] > 1.5 * want[0]
    assert "Executive hours: " in out and "Manager hours: " in out
    assert data["kpis"]  # the JSON keeps the metric ids for programs
