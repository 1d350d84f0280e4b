"""Codes to words: the catalogue and the translator.

The engine never writes a sentence: it returns a `Message` (a code and its parameters). The
catalogue holds, for each code, its English and Russian text as a `str.format` template.
Parameters are formatted in the language of the translator:

- numbers: `{x}` chooses decimals by size, `{x:.1f}` fixes them, `{x:.0%}` is a percentage,
  `{x:g}` quotes a number exactly (a value from the user's file), `{x:d}` a whole number;
  `{n:i}` a plain integer without grouping (row numbers);
- a `Message` inside the parameters is rendered in the same language; a list or tuple is
  rendered item by item and joined with the language's list separator ("; "), or with commas
  for `{items:,}`; an empty list reads "none";
- text is inserted as it is (the user's names stay as typed).

Sections of the catalogue live beside this module (engine.py, export.py, cli.py); each code
appears once, which a test checks, and every code has both languages.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .formats import DASH, DEFAULT_LANG, LANGUAGES, fmt_exact, fmt_num, fmt_pct

Catalogue = Mapping[str, tuple[str, str]]

CATALOG: dict[str, tuple[str, str]] = {}


def register(section: Catalogue) -> None:
    """Add a section's codes to the catalogue; a code defined twice is a programming error."""
    again = sorted(set(section) & set(CATALOG))
    if again:
        raise ValueError(f"codes defined twice in the message catalogue: {again}")
    CATALOG.update(section)


@dataclass(frozen=True)
class Message:
    """A code and its parameters: what the engine says, before it is put into words."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = DEFAULT_LANG) -> str:
        """The message in one language."""
        return Translator(lang).render(self)

    def __str__(self) -> str:
        return self.text(DEFAULT_LANG)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


class _Formatter(string.Formatter):
    def __init__(self, tr: Translator):
        super().__init__()
        self.tr = tr

    def format_field(self, value: Any, format_spec: str) -> str:
        tr, lang = self.tr, self.tr.lang
        if isinstance(value, Message):
            return format(tr.render(value), format_spec)
        if isinstance(value, (list, tuple)):
            if not value:
                return tr("list_none")
            return tr.join(value, tr("list_comma") if format_spec == "," else None)
        if value is None:
            return DASH
        if _is_number(value):
            spec = format_spec.lstrip(",")
            if spec == "":
                is_int = isinstance(value, (int, np.integer))
                return fmt_num(value, lang, 0 if is_int else None)
            if spec == "g":
                return fmt_exact(value, lang)
            if spec == "i":
                return str(int(value))
            if spec == "d":
                return fmt_num(value, lang, 0)
            if spec.endswith("%"):
                return fmt_pct(value, lang, int(spec[1:-1] or 0) if spec.startswith(".") else 1)
            if spec.endswith("f"):
                return fmt_num(value, lang, int(spec[1:-1] or 0) if spec.startswith(".") else 6)
        return format(str(value) if not isinstance(value, str) else value, format_spec)


@dataclass(frozen=True)
class Translator:
    """t(code, **params) or t.render(message): the text in one language.

    A code the catalogue does not know comes back as the code itself, so that a gap shows and a
    test can find it. `texts` is the catalogue to read (the page adds its own section)."""

    lang: str = DEFAULT_LANG
    texts: Catalogue = field(default_factory=lambda: CATALOG, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise ValueError(f"unknown language '{self.lang}' (languages: {', '.join(LANGUAGES)})")

    def __call__(self, code: str, **params: Any) -> str:
        entry = self.texts.get(code)
        if entry is None:
            return code
        template = entry[1] if self.lang == "ru" else entry[0]
        if not params:
            return template
        return _Formatter(self).vformat(template, (), params)

    def render(self, message: Message) -> str:
        return self(message.code, **message.params)

    def join(self, items: Sequence[Any], sep: str | None = None) -> str:
        """Items (messages or text) joined with `sep` (the language's list separator)."""
        sep = self("list_sep") if sep is None else sep
        return sep.join(self.render(i) if isinstance(i, Message) else str(i) for i in items)

    def has(self, code: str) -> bool:
        return code in self.texts

    def num(self, x: Any, decimals: int | None = None) -> str:
        return fmt_num(x, self.lang, decimals)

    def pct(self, x: Any, decimals: int = 1) -> str:
        return fmt_pct(x, self.lang, decimals)
