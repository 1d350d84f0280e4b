"""Catalogue section: the cli texts (code -> (English, Russian))."""

from .catalog import register

TEXTS: dict[str, tuple[str, str]] = {
}

register(TEXTS)
