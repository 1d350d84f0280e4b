"""Catalogue section: the analysis texts (sweeps, sensitivity, robustness, scenario diffs)."""

from .catalog import register

TEXTS: dict[str, tuple[str, str]] = {
}

register(TEXTS)
