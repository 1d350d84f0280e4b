"""The message catalogue: the engine's codes in English and Russian, and number formats.

    from optimizer.messages import Message, Translator
    Translator("ru").render(issue.message_obj)

See catalog.py for how templates format their parameters.
"""

from . import analysis as _analysis  # noqa: F401  (each section registers itself)
from . import cli as _cli  # noqa: F401
from . import engine as _engine  # noqa: F401
from . import export as _export  # noqa: F401
from . import storage as _storage  # noqa: F401
from .catalog import CATALOG, Catalogue, Message, Translator, register
from .describe import explanation_lines, issue_line, status_line, status_message
from .formats import (
    DEFAULT_LANG,
    LANGUAGES,
    auto_decimals,
    check_lang,
    fmt_date,
    fmt_exact,
    fmt_num,
    fmt_pct,
    fmt_spec,
    plotly_separators,
    unit_text,
)

__all__ = [
    "CATALOG",
    "DEFAULT_LANG",
    "LANGUAGES",
    "Catalogue",
    "Message",
    "Translator",
    "auto_decimals",
    "check_lang",
    "explanation_lines",
    "fmt_date",
    "fmt_exact",
    "fmt_num",
    "fmt_pct",
    "fmt_spec",
    "issue_line",
    "plotly_separators",
    "register",
    "status_line",
    "status_message",
    "unit_text",
]
