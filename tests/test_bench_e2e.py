"""The end-to-end benchmark's baselines solve the same model as the engine."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import bench_e2e  # noqa: E402


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bench_e2e.make_bundle(40, tmp_path_factory.mktemp("e2e") / "bundle")


@pytest.fixture(scope="module")
def ours(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    return bench_e2e.measure("ours", bundle, 1, tmp_path_factory.mktemp("ours"))


@pytest.mark.parametrize("kind", ["plain", "linopy", "floor"])
def test_each_baseline_reaches_our_objective(
    kind: str, bundle: Path, ours: dict, tmp_path: Path
) -> None:
    got = bench_e2e.measure(kind, bundle, 1, tmp_path)
    assert ours["objective"] is not None and ours["objective"] > 0
    assert bench_e2e._same(got["objective"], ours["objective"]), (kind, got, ours)
    assert got["seconds"] > 0 and got["peak_mb"] > 10  # a whole process was timed


def test_a_different_model_is_called_a_mismatch() -> None:
    assert not bench_e2e._same(100.0, 100.01)
    assert not bench_e2e._same(None, 100.0)
    assert bench_e2e._same(100.0, 100.0 + 1e-5)
