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
- text is inserted as it is (the user's names stay as typed); `{other:table}` names a table
  by its id in the language ("methods" -> «Методы»), from the `tname_<id>` codes.

Sections of the catalogue live beside this module (engine.py, export.py, cli.py); each code
appears once, which a test checks, and every code has both languages.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from .formats import DASH, DEFAULT_LANG, LANGUAGES, fmt_exact, fmt_num, fmt_nums, fmt_pct

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


@lru_cache(maxsize=8192)
def _compiled(template: str) -> tuple[tuple[str, str | None, str], ...]:
    """A template as (literal text, field name or None, format spec) pieces, parsed once:
    rendering thousands of reasons must not parse the same template thousands of times."""
    return tuple(
        (lit, name, spec or "") for lit, name, spec, _ in string.Formatter().parse(template)
    )


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
        return self._text(code, params, None)

    def render(self, message: Message, memo: dict[int, str] | None = None) -> str:
        """A message in this language. Pass the same `memo` dict to render many messages that
        share parts (the limits in thousands of reasons): each shared part is rendered once."""
        if memo is None:
            return self._text(message.code, message.params, None)
        key = id(message)
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = self._text(message.code, message.params, memo)
        return hit

    def join(
        self, items: Sequence[Any], sep: str | None = None, memo: dict[int, str] | None = None
    ) -> str:
        """Items (messages or text) joined with `sep` (the language's list separator)."""
        sep = self("list_sep") if sep is None else sep
        return sep.join(self.render(i, memo) if isinstance(i, Message) else str(i) for i in items)

    def _text(self, code: str, params: Mapping[str, Any], memo: dict[int, str] | None) -> str:
        entry = self.texts.get(code)
        if entry is None:
            return code
        template = entry[1] if self.lang == "ru" else entry[0]
        if not params:
            return template
        parts: list[str] = []
        for literal, name, spec in _compiled(template):
            parts.append(literal)
            if name is not None:
                parts.append(self._field(params[name], spec, memo))
        return "".join(parts)

    def _field(self, value: Any, spec: str, memo: dict[int, str] | None) -> str:
        """One parameter as text in this language (see the module's docstring)."""
        if spec == "table":  # a table's id, as a sentence names it in this language
            return self(f"tname_{value}") if self.has(f"tname_{value}") else str(value)
        if isinstance(value, str):
            return format(value, spec) if spec else value
        if isinstance(value, Message):
            return format(self.render(value, memo), spec)
        if isinstance(value, (list, tuple)):
            if not value:
                return self("list_none")
            return self.join(value, self("list_comma") if spec == "," else None, memo)
        if value is None:
            return DASH
        if _is_number(value):
            lang = self.lang
            spec = spec.lstrip(",")
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
        return format(str(value), spec)

    def number_fields(self, values: list[float], spec: str) -> list[str]:
        """`[self._field(v, spec, None) for v in values]` for a list of floats, in one pass
        where the spec is a plain number's ("" or ".Nf")."""
        bare = spec.lstrip(",")
        if bare == "":
            return fmt_nums(values, self.lang)
        if bare.startswith(".") and bare.endswith("f") and bare[1:-1].isdigit():
            return fmt_nums(values, self.lang, int(bare[1:-1]))
        return [self._field(v, spec, None) for v in values]

    def has(self, code: str) -> bool:
        return code in self.texts

    def num(self, x: Any, decimals: int | None = None) -> str:
        return fmt_num(x, self.lang, decimals)

    def pct(self, x: Any, decimals: int = 1) -> str:
        return fmt_pct(x, self.lang, decimals)
