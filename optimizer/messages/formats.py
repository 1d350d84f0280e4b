"""Numbers and dates in the user's language, with Babel's locale data (CLDR).

English: 12,345.6 and 95.0%; Russian: 12 345,6 and 95,0 % (no-break spaces), as the locale
says. Digits are rounded the way Python rounds them, in every language, so a number reads the
same on the page, in an export and on the command line. None, NaN and infinities show as a
dash.
"""

from __future__ import annotations

import datetime as _dt
import math
from functools import cache
from typing import Any

import numpy as np
from babel import Locale
from babel.dates import format_date

LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский"}
DEFAULT_LANG = "en"
DASH = "–"


def check_lang(lang: str) -> str:
    """The language code itself, or ValueError naming the languages there are."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language '{lang}' (languages: {', '.join(LANGUAGES)})")
    return lang


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


@cache
def _number_signs(lang: str) -> dict[int, str]:
    """Python's number signs (',' '.' '%') -> the language's, from CLDR: the group and decimal
    signs, and the percent sign with the space the locale puts before it."""
    locale = _locale(lang)
    symbols = locale.number_symbols["latn"]
    pattern = locale.percent_formats[None].pattern  # e.g. "#,##0 %"
    percent = pattern[pattern.rindex("0") + 1 :] or "%"
    return str.maketrans({",": symbols["group"], ".": symbols["decimal"], "%": percent})


def fmt_spec(x: Any, spec: str, lang: str = DEFAULT_LANG) -> str:
    """`x` rounded by a Python format spec (",.1f", ".0%", "g"), written with the language's
    signs: the same digits in every language (Python's rounding), and English exactly as
    Python writes it."""
    text = format(x, spec)
    return text if lang == DEFAULT_LANG else text.translate(_number_signs(lang))


def auto_decimals(x: float) -> int:
    """Decimals that suit a number's size: none for whole numbers and from 100 up, one from 1,
    two below."""
    ax = abs(x)
    return 0 if ax >= 100 or float(x).is_integer() else 1 if ax >= 1 else 2


def _finite(x: Any) -> float | None:
    if x is None or isinstance(x, str):
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def fmt_num(x: Any, lang: str = DEFAULT_LANG, decimals: int | None = None) -> str:
    """A number with grouping and `decimals` decimals (chosen by size when None)."""
    f = _finite(x)
    if f is None:
        return DASH
    d = auto_decimals(f) if decimals is None else decimals
    if round(f, d) == 0:
        f = 0.0  # no "-0"
    return fmt_spec(f, f",.{d}f", lang)


def fmt_nums(xs: list[float], lang: str = DEFAULT_LANG, decimals: int | None = None) -> list[str]:
    """`[fmt_num(x, lang, decimals) for x in xs]` for floats, the checks done on the whole
    list at once (thousands of reasons quote thousands of numbers)."""
    a = np.asarray(xs, dtype=float)
    finite = np.isfinite(a)
    if decimals is None:
        with np.errstate(invalid="ignore"):
            whole = finite & (np.mod(a, 1.0) == 0.0)
        big = np.abs(a) >= 100
        d = np.where(big | whole, 0, np.where(np.abs(a) >= 1, 1, 2))
    else:
        d = np.full(len(a), decimals)
    # No "-0": only a number with its sign bit set (-0.0 too) can be written so, and Python's
    # own round() says when.
    for i in np.flatnonzero(finite & np.signbit(a)).tolist():
        if round(xs[i], int(d[i])) == 0:
            a[i] = 0.0
    specs = [",.0f", ",.1f", ",.2f"] if decimals is None else [f",.{decimals}f"]
    which = d if decimals is None else np.zeros(len(a), dtype=int)
    out = [
        format(x, specs[k]) if ok else DASH
        for x, k, ok in zip(a.tolist(), which.tolist(), finite.tolist())
    ]
    if lang == DEFAULT_LANG:
        return out
    signs = _number_signs(lang)
    return [t.translate(signs) for t in out]


def fmt_pct(x: Any, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A share (0.95) as a percentage with the locale's sign and spacing."""
    f = _finite(x)
    if f is None:
        return DASH
    if round(f * 100, decimals) == 0:
        f = 0.0
    return fmt_spec(f, f".{decimals}%", lang)


def fmt_exact(x: Any, lang: str = DEFAULT_LANG) -> str:
    """A number exactly as short as it needs to be (like `:g`), with the locale's decimal sign;
    for values quoted back from the user's file."""
    f = _finite(x)
    if f is None:
        return DASH
    return fmt_spec(f, "g", lang)


def fmt_date(d: Any, lang: str = DEFAULT_LANG) -> str:
    """A date in the locale's medium form (Dec 1, 2026 / 1 дек. 2026 г.)."""
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return DASH
    if isinstance(d, str):
        d = _dt.date.fromisoformat(d[:10])
    if isinstance(d, _dt.datetime):
        d = d.date()
    if hasattr(d, "to_pydatetime"):  # pandas Timestamp
        d = d.to_pydatetime().date()
    return format_date(d, "medium", locale=_locale(lang))


def plotly_separators(lang: str) -> str:
    """Plotly's `separators` layout string (decimal sign, then thousands) for a language."""
    sym = _locale(lang).number_symbols["latn"]
    group = sym["group"].replace("\u202f", "\xa0")
    return sym["decimal"] + (" " if group == "\xa0" else group)


# A pool's unit is the user's text; the few units the catalogue knows read the language's way
# (hours are «ч» in Russian). Anything else is shown as typed.
UNIT_WORDS_RU = {"h": "ч", "hour": "ч", "hours": "ч", "day": "дн.", "days": "дн."}


def unit_text(unit: object, lang: str) -> str:
    """A pool's unit in the language: "h" reads «ч» in Russian; other units as typed."""
    text = str(unit)
    return UNIT_WORDS_RU.get(text.strip().lower(), text) if lang == "ru" else text
