"""Catalogue section: what the engine reports (validation issues, conflicts, reasons, store
errors, statuses)."""

from .catalog import register

TEXTS: dict[str, tuple[str, str]] = {
    "list_sep": ("; ", "; "),
}

register(TEXTS)
