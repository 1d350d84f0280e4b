"""Exports for planning meetings: Excel workbook, tidy CSV, HTML report, per-client plans, LP.

Every function returns bytes (so the dashboard can offer them for download) and the `write_*`
functions put those bytes on disk atomically. The workbook, the report and the client plans
take `lang` ("en" or "ru"): their sheet names, headers, labels, captions and charts are in that
language, while the user's own names stay as typed; CSV columns and JSON keys are stable
identifiers in every language.

    common.py        ExportMeta, the errors, cell text, the OWASP guard, words and numbers
    tables.py        the frames the exports share (allocation_long, key figures, grids)
    xlsx.py          the workbook
    csv.py, json.py  the tidy allocation; the object of `solve --json`
    figures.py       the report's charts as plotly figure dictionaries (no plotly import)
    html.py          the HTML report, from the Jinja2 templates in templates/
    client_plans.py  one client's .html and .xlsx
    lp.py            the model as an LP file
    files.py         bytes by format, atomic writes, the format a file name asks for

Safety rules shared by every format:
- a text cell that begins with `=`, `+`, `-`, `@`, tab, CR or LF gets a leading apostrophe
  (OWASP's advice against CSV/formula injection); CSV text fields are always quoted;
- xlsx text is always written as a string and numbers as numbers: no cell is ever a formula;
- per-client plans carry one client's data only; free text in them (reasons, notes, the
  scenario name) has any mention of another client replaced by a neutral phrase.

Charts: this package never imports plotly. The HTML report draws plotly charts from plain
figure dictionaries (`{"data": [...], "layout": {...}}`) with the plotly.js bundle read as a
file from the installed plotly package and inlined, so the report works offline. The default
figures come from `report_figures`; the dashboard may pass its own figures as dictionaries
(`fig.to_plotly_json()`), so the report shows the same charts as the screen.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Each name is imported from its module when first asked for (PEP 562): `solve` checks paths
# with files.py and should not pay for xlsxwriter and Jinja2, which only the workbook, the
# report and the client plans need.
_WHERE = {
    "ClientPlan": "client_plans",
    "Mentions": "client_plans",
    "PlanBook": "client_plans",
    "client_file_stem": "client_plans",
    "client_plan_files": "client_plans",
    "client_plan_html": "client_plans",
    "client_plan_xlsx": "client_plans",
    "client_plans_zip": "client_plans",
    "ANOTHER_CLIENT": "common",
    "FORMULA_START": "common",
    "TITLE": "common",
    "ExportMeta": "common",
    "ExportPathError": "common",
    "NoPlanError": "common",
    "neutralise": "common",
    "csv_bytes": "csv",
    "plotly_js": "figures",
    "report_figures": "figures",
    "EXTENSIONS": "files",
    "FORMATS": "files",
    "MIME": "files",
    "PLAN_FORMATS": "files",
    "export_bytes": "files",
    "format_for_path": "files",
    "write_by_extension": "files",
    "write_client_plans": "files",
    "write_export": "files",
    "html_report": "html",
    "json_bytes": "json",
    "result_to_json": "json",
    "lp_bytes": "lp",
    "allocation_long": "tables",
    "csv_columns": "tables",
    "Col": "xlsx",
    "xlsx_bytes": "xlsx",
}
# The names these had when the exports were one module (tests and callers use them).
_ALIASES = {"_FORMULA_START": "FORMULA_START", "_PlanBook": "PlanBook"}


def __getattr__(name: str) -> Any:
    real = _ALIASES.get(name, name)
    if real not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[real]}", __name__), real)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from .client_plans import (
        ClientPlan,
        Mentions,
        PlanBook,
        client_file_stem,
        client_plan_files,
        client_plan_html,
        client_plan_xlsx,
        client_plans_zip,
    )
    from .common import (
        ANOTHER_CLIENT,
        FORMULA_START,
        TITLE,
        ExportMeta,
        ExportPathError,
        NoPlanError,
        neutralise,
    )
    from .csv import csv_bytes
    from .figures import plotly_js, report_figures
    from .files import (
        EXTENSIONS,
        FORMATS,
        MIME,
        PLAN_FORMATS,
        export_bytes,
        format_for_path,
        write_by_extension,
        write_client_plans,
        write_export,
    )
    from .html import html_report
    from .json import json_bytes, result_to_json
    from .lp import lp_bytes
    from .tables import allocation_long, csv_columns
    from .xlsx import Col, xlsx_bytes


__all__ = [
    "ANOTHER_CLIENT",
    "EXTENSIONS",
    "FORMATS",
    "FORMULA_START",
    "MIME",
    "PLAN_FORMATS",
    "TITLE",
    "ClientPlan",
    "Col",
    "ExportMeta",
    "ExportPathError",
    "Mentions",
    "NoPlanError",
    "PlanBook",
    "allocation_long",
    "client_file_stem",
    "client_plan_files",
    "client_plan_html",
    "client_plan_xlsx",
    "client_plans_zip",
    "csv_bytes",
    "csv_columns",
    "export_bytes",
    "format_for_path",
    "html_report",
    "json_bytes",
    "lp_bytes",
    "neutralise",
    "plotly_js",
    "report_figures",
    "result_to_json",
    "write_by_extension",
    "write_client_plans",
    "write_export",
    "xlsx_bytes",
]
