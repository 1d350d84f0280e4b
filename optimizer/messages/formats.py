"""Numbers and dates in the user's language, through Babel (CLDR data).

English: 12,345.6 and 95.0%; Russian: 12 345,6 and 95,0 % (no-break spaces), as the locale
says. None, NaN and infinities show as a dash.
"""

from __future__ import annotations

import datetime as _dt
import math
from functools import cache
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, parse_pattern

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
def _decimal_pattern(decimals: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals > 0 else ""))


@cache
def _percent_pattern(lang: str, decimals: int) -> NumberPattern:
    # The locale's own percent pattern ("#,##0%" or "#,##0 %") with the decimals asked for;
    # without grouping, as shares are quoted (a gap of 1077.94%).
    base = _locale(lang).percent_formats[None].pattern.replace("#,##0", "0")
    frac = "." + "0" * decimals if decimals > 0 else ""
    return parse_pattern(
        base.replace("0%", "0" + frac + "%").replace("0\xa0%", "0" + frac + "\xa0%")
    )


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
    return _decimal_pattern(d).apply(f, _locale(lang))


def fmt_pct(x: Any, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A share (0.95) as a percentage with the locale's sign and spacing."""
    f = _finite(x)
    if f is None:
        return DASH
    if round(f * 100, decimals) == 0:
        f = 0.0
    return _percent_pattern(lang, decimals).apply(f, _locale(lang))


def fmt_exact(x: Any, lang: str = DEFAULT_LANG) -> str:
    """A number exactly as short as it needs to be (like `:g`), with the locale's decimal sign;
    for values quoted back from the user's file."""
    f = _finite(x)
    if f is None:
        return DASH
    text = f"{f:g}"
    if lang == DEFAULT_LANG:
        return text
    return text.replace(".", _locale(lang).number_symbols["latn"]["decimal"])


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
