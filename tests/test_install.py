"""`pip install .` gives a `risk-planner` command that is `python -m optimizer`.

The project is built and installed without the network (no build isolation, no index) from a
copy of its files into a temporary folder, and the installed command is run from outside the
checkout, so that it imports the installed package and not the source."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = str(ROOT / "sample_data")
INFEASIBLE = str(ROOT / "tests" / "fixtures" / "infeasible")
BROKEN = str(ROOT / "tests" / "fixtures" / "broken")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the project was installed into (with `--target`)."""
    base = tmp_path_factory.mktemp("install")
    src, target = base / "src", base / "target"
    src.mkdir()
    for name in ("pyproject.toml", "requirements.txt", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "optimizer", src / "optimizer", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stdout + p.stderr
    return target


def _env(target: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(target)}


def installed_cli(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = target / "bin" / "risk-planner"
    # Run from a folder without the source, so only the installed package can be imported.
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=target.parent,
        env=_env(target),
        capture_output=True,
        text=True,
        timeout=180,
    )


def module_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_installed_package_is_the_one_imported(installed: Path) -> None:
    p = subprocess.run(
        [sys.executable, "-c", "import optimizer; print(optimizer.__file__)"],
        cwd=installed.parent,
        env=_env(installed),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert Path(p.stdout.strip()) == installed / "optimizer" / "__init__.py"
    script = (installed / "bin" / "risk-planner").read_text(encoding="utf-8")
    assert "from optimizer.cli import main" in script


def test_every_subpackage_and_template_is_installed(installed: Path) -> None:
    source = ROOT / "optimizer"
    for path in source.rglob("*"):
        rel = path.relative_to(source)
        if "__pycache__" in rel.parts or path.is_dir() or path.suffix == ".pyc":
            continue
        if path.suffix == ".py" or "templates" in rel.parts:
            assert (installed / "optimizer" / rel).is_file(), rel


def test_dependencies_are_the_requirements(installed: Path) -> None:
    (info,) = installed.glob("risk_reduction_planner-*.dist-info")
    meta = Parser().parsestr((info / "METADATA").read_text(encoding="utf-8"))
    pins = [
        ln.strip()
        for ln in (ROOT / "requirements.txt").read_text().splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    assert meta.get_all("Requires-Dist") == pins
    entry = (info / "entry_points.txt").read_text(encoding="utf-8")
    assert "risk-planner = optimizer.cli:main" in entry


@pytest.mark.parametrize(
    "args",
    [
        ("validate", SAMPLE),
        ("validate", BROKEN),
        ("solve", BROKEN, "--lang", "ru"),
        ("solve", "--nonsense"),
    ],
)
def test_the_command_prints_what_the_module_prints(installed: Path, args: tuple[str, ...]) -> None:
    got, want = installed_cli(installed, *args), module_cli(*args)
    assert "Traceback" not in got.stderr, got.stderr
    assert (got.returncode, got.stdout, got.stderr) == (want.returncode, want.stdout, want.stderr)


@pytest.mark.parametrize("bundle", [SAMPLE, INFEASIBLE])
def test_solve_json_is_the_same(installed: Path, bundle: str) -> None:
    got, want = (
        installed_cli(installed, "solve", bundle, "--json"),
        module_cli("solve", bundle, "--json"),
    )
    assert "Traceback" not in got.stderr, got.stderr
    assert got.returncode == want.returncode == (0 if bundle == SAMPLE else 1)
    a, b = json.loads(got.stdout), json.loads(want.stdout)
    a.pop("seconds"), b.pop("seconds")
    assert a == b
