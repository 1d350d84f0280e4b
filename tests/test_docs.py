"""docs/api.md runs as written: its `python` blocks are executed in order in one namespace (from
the project folder), each block's printed output must equal the `text` block that follows it,
and what the example built is checked against the command line."""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
API = ROOT / "docs" / "api.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.S | re.M)


def blocks(markdown: str) -> list[tuple[str, str]]:
    """The fenced blocks of a markdown text: (language, body)."""
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(markdown)]


def run_examples(markdown: str) -> tuple[dict[str, Any], list[tuple[str, str, str | None]]]:
    """Execute every python block in one namespace; returns the namespace and, per block, its
    code, what it printed and the text block that follows it (None when none does)."""
    ns: dict[str, Any] = {"__name__": "api_example"}
    found = blocks(markdown)
    runs = []
    for i, (lang, body) in enumerate(found):
        if lang != "python":
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(body, f"{API.name} block {i + 1}", "exec"), ns)
        expected = found[i + 1][1] if i + 1 < len(found) and found[i + 1][0] == "text" else None
        runs.append((body, out.getvalue(), expected))
    return ns, runs


@pytest.fixture(scope="module")
def example() -> tuple[dict[str, Any], list[tuple[str, str, str | None]]]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        return run_examples(API.read_text(encoding="utf-8"))


def test_the_page_has_examples_with_their_output() -> None:
    found = blocks(API.read_text(encoding="utf-8"))
    python = [i for i, (lang, _) in enumerate(found) if lang == "python"]
    assert len(python) >= 4
    assert all(i + 1 < len(found) and found[i + 1][0] == "text" for i in python)


def test_every_block_prints_what_the_page_says(
    example: tuple[dict[str, Any], list[tuple[str, str, str | None]]],
) -> None:
    _, runs = example
    for code, printed, expected in runs:
        if expected is not None:
            assert printed == expected, f"{code}\nprinted:\n{printed}\nthe page says:\n{expected}"


def test_the_example_matches_the_command_line(
    example: tuple[dict[str, Any], list[tuple[str, str, str | None]]],
) -> None:
    ns, _ = example
    result, out = ns["result"], ns["out"]
    assert result.has_plan and not ns["no_plan"].has_plan
    cli = subprocess.run(
        [sys.executable, "-m", "optimizer", "solve", "sample_data", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert cli.returncode == 0
    want = json.loads(cli.stdout)
    got = json.loads(json.dumps(ns["data"]))
    want.pop("seconds"), got.pop("seconds")
    assert got == want
    # the files the example wrote are the real exports
    assert openpyxl.load_workbook(out / "plan.xlsx").sheetnames[0] in ("Summary", "Сводка")
    header = (out / "allocation.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("client_id,client_name,segment,method_id,method_name,units")
    assert (out / "report.html").read_bytes().lstrip().lower().startswith(b"<!doctype html")
    assert sorted(p.name for p in (out / "clients").iterdir()) == [
        "plan_hartwell.html",
        "plan_hartwell.xlsx",
    ]


def test_a_wrong_output_is_caught() -> None:
    page = "```python\nprint(1 + 1)\n```\n\n```text\n3\n```\n"
    _, runs = run_examples(page)
    assert runs == [("print(1 + 1)\n", "2\n", "3\n")]
    with pytest.raises(ZeroDivisionError):
        run_examples("```python\n1 / 0\n```\n")
