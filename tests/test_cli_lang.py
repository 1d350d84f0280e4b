"""`--lang en|ru` on the command line: the printed words and numbers follow the language, the
JSON output and the exit codes do not, and English stays the default."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from optimizer.cli.common import Words, lang_option
from optimizer.messages import CATALOG

ROOT = Path(__file__).resolve().parent.parent
TINY = str(ROOT / "tests" / "fixtures" / "tiny")
INFEASIBLE = str(ROOT / "tests" / "fixtures" / "infeasible")
BROKEN = str(ROOT / "tests" / "fixtures" / "broken")
SAMPLE = str(ROOT / "sample_data")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
SECONDS = re.compile(r"\((HiGHS|CBC)[^)]*\)")


@cache
def run(*args: str) -> tuple[int, str, str]:
    p = subprocess.run(
        [sys.executable, "-m", "optimizer", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert "Traceback" not in p.stderr, p.stderr
    return p.returncode, p.stdout, p.stderr


def _no_timing(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if k != "seconds"}


def test_english_is_the_default_and_the_same_as_lang_en() -> None:
    for args in (
        ("validate", SAMPLE),
        ("checklist", SAMPLE, "--as-of", "2025-06-01"),
        ("solve", BROKEN),
    ):
        assert run(*args) == run(*args, "--lang", "en"), args
    for bundle, want in ((TINY, 0), (INFEASIBLE, 1)):
        code, out, err = run("solve", bundle)
        code_en, out_en, err_en = run("solve", bundle, "--lang", "en")
        assert code == code_en == want and err == err_en
        assert SECONDS.sub("", out) == SECONDS.sub("", out_en)


def test_solve_in_russian() -> None:
    code, out, err = run("solve", TINY, "--lang", "ru")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Статус: оптимально (HiGHS, ") and lines[0].endswith(" с)")
    assert "Взвешенная ценность (баллы): 446,98" in out
    assert "\nРесурсы:\n" in out and "\nПрофинансированные ячейки:\n" in out
    # the English figures, with the Russian signs: 10,000.0 -> 10 000,0
    assert "  Budget: 10\u00a0000,0 из 10\u00a0000,0 EUR" in out
    _, out_en, _ = run("solve", TINY)
    en_cells = [ln for ln in out_en.splitlines() if ln.startswith("  acme ")]
    ru_cells = [ln for ln in lines if ln.startswith("  acme ")]
    assert len(en_cells) == len(ru_cells) == 3
    for en, ru in zip(en_cells, ru_cells):  # same columns, same numbers
        assert en.split()[:3] == [w.replace(",", ".") for w in ru.split()[:3]]


def test_json_and_exit_codes_do_not_depend_on_the_language() -> None:
    for bundle, want in ((TINY, 0), (INFEASIBLE, 1)):
        en = run("solve", bundle, "--json")
        ru = run("solve", bundle, "--json", "--lang", "ru")
        assert en[0] == ru[0] == want
        assert _no_timing(json.loads(en[1])) == _no_timing(json.loads(ru[1]))
    en = run("sweep", TINY, "--pool", "budget", "--steps", "3", "--json")
    ru = run("sweep", TINY, "--pool", "budget", "--steps", "3", "--json", "--lang", "ru")
    assert en[0] == ru[0] == 0
    assert _no_timing(json.loads(en[1])) == _no_timing(json.loads(ru[1]))
    assert run("solve", BROKEN, "--lang", "ru")[0] == 2


def test_infeasible_and_bad_input_in_russian() -> None:
    code, out, _ = run("solve", INFEASIBLE, "--lang", "ru")
    assert code == 1
    assert out.startswith("Статус: недопустимо (")
    assert "Ни один план не выполняет все эти требования сразу:" in out
    code, _, err = run("solve", BROKEN, "--lang", "ru")
    assert code == 2 and err.startswith("Проблем в наборе данных: ")
    assert "строка" in err and "столбец" in err
    code, _, err = run("solve", TINY, "--set", "budget=abc", "--set", "nopool=3", "--lang", "ru")
    assert code == 2
    assert err == (
        "ошибка: --set budget=abc: лимит — число не меньше 0\n"
        "--set nopool=3: «nopool» — не ресурс (ресурсы: budget, exec_hours)\n"
    )
    code, _, err = run("solve", TINY, "--lang", "de")
    assert code == 2 and "--lang" in err and "'de'" in err


@pytest.mark.parametrize(
    "args",
    [
        ("sweep", TINY, "--pool", "budget", "--steps", "3"),
        ("robustness", TINY, "--draws", "5"),
        ("checklist", SAMPLE, "--as-of", "2025-06-01"),
        ("validate", SAMPLE),
    ],
)
def test_analysis_and_checklist_in_russian(args: tuple[str, ...]) -> None:
    code_en, out_en, err_en = run(*args)
    code, out, err = run(*args, "--lang", "ru")
    assert code == code_en == 0
    assert CYRILLIC.search(out), out
    assert len(out.splitlines()) == len(out_en.splitlines())
    assert len(err.splitlines()) == len(err_en.splitlines())
    # no English words of the command line's own are left (ids, names and flags excepted)
    for word in (
        "capacity",
        "shadow price",
        "draws",
        "funded in",
        "Reviews older",
        "unknown",
        "clients",
        "Frontier",
        "points",
        "Stopped",
    ):
        assert word not in out, (word, out)
    if args[0] in ("sweep", "robustness"):
        assert f"{args[0]}: 10 %" in err  # progress lines, in the Russian percent style


def test_help_in_russian() -> None:
    code, out, _ = run("solve", "--help", "--lang", "ru")
    assert code == 0
    assert "только целые единицы" in out and "--lang {en,ru}" in out
    code, out, _ = run("--help", "--lang", "ru")
    assert "решить задачу и вывести или записать план" in out
    assert "whole units only" in run("solve", "--help")[1]


def test_words_round_as_the_english_format_spec() -> None:
    en, ru = Words("en"), Words("ru")
    for x, spec in (
        (2.675, ",.2f"),
        (1234.565, ",.2f"),
        (-0.001, ".2f"),
        (0.125, ".0%"),
        (9.5694, ",.4g"),
        (1e6, "g"),
        (-12.25, "+,.1f"),
    ):
        assert en.num(x, spec) == format(x, spec)
    assert ru.num(1234567.891, ",.2f") == "1\u00a0234\u00a0567,89"
    assert ru.num(0.125, ".1%") == "12,5\u00a0%"
    assert ru.num(-12.25, "+,.1f") == "-12,2"
    assert en.fmt(None) == ru.fmt(float("nan")) == "-"
    assert ru.word("answer", "unknown") == "неизв." and ru.word("answer", "maybe") == "maybe"


def test_lang_is_read_before_the_parse() -> None:
    assert lang_option(["solve", "x", "--lang", "ru"]) == "ru"
    assert lang_option(["solve", "x", "--lang=ru"]) == "ru"
    assert lang_option(["solve", "x", "--lang", "de"]) == "en"
    assert lang_option(["solve", "x", "--lang"]) == "en"
    assert lang_option(["solve", "x"]) == "en"


def _cli_codes() -> set[str]:
    """Every catalogue code the command line's source names: string literals "cli_..." and the
    f-string prefixes of `w.word(kind, ...)` ("cli_<kind>_")."""
    codes = set()
    for path in (ROOT / "optimizer" / "cli").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(r"cli_[a-z_]*[a-z]", node.value)
            ):
                codes.add(node.value)
    return codes


def test_every_code_the_command_line_names_is_in_the_catalogue() -> None:
    used = _cli_codes()
    assert len(used) > 100
    assert not sorted(used - set(CATALOG))
    # the ones built from a prefix: column headings and the words for engine values
    for code in (
        "cli_col_plan",
        "cli_col_criteria",
        "cli_col_roles",
        "cli_col_procedure",
        "cli_col_written",
        "cli_status_optimal",
        "cli_status_infeasible",
        "cli_answer_yes",
        "cli_answer_no",
        "cli_answer_unknown",
        "cli_answer_not_assessed",
        "cli_change_more",
        "cli_change_added",
    ):
        assert code in CATALOG, code
