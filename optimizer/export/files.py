"""Exports as bytes by format, and on disk: every file is written to a temporary file in the
target folder and renamed into place (`optimizer.bundle.atomic_write_bytes`), so a failed
export leaves the previous file untouched and no partial file behind."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..bundle import atomic_write_bytes
from ..messages import DEFAULT_LANG, Message
from ..schema import Problem, Result
from .client_plans import client_plan_files, client_plans_zip
from .common import ExportMeta, ExportPathError, english
from .csv import csv_bytes
from .html import html_report
from .json import json_bytes
from .lp import lp_bytes
from .xlsx import xlsx_bytes

FORMATS: tuple[str, ...] = ("xlsx", "csv", "html", "client-plans", "lp")
PLAN_FORMATS: tuple[str, ...] = ("xlsx", "csv", "html", "client-plans")
EXTENSIONS: dict[str, str] = {
    ".xlsx": "xlsx",
    ".csv": "csv",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".lp": "lp",
}
MIME: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "html": "text/html",
    "json": "application/json",
    "lp": "text/plain",
    "zip": "application/zip",
}


def write_client_plans(
    problem: Problem,
    result: Result,
    out_dir: str | Path,
    meta: ExportMeta | None = None,
    clients: Sequence[str] | None = None,
    lang: str = DEFAULT_LANG,
) -> list[Path]:
    """Write each client's .html and .xlsx into `out_dir`; returns the paths written."""
    files = client_plan_files(problem, result, meta, clients, lang)  # all built before writing
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(english("export_plans_need_folder", path=str(out_dir)))
    paths = []
    for name, data in files.items():
        atomic_write_bytes(out_dir / name, data)
        paths.append(out_dir / name)
    return paths


def export_bytes(
    problem: Problem,
    result: Result,
    fmt: str,
    meta: ExportMeta | None = None,
    lang: str = DEFAULT_LANG,
) -> bytes:
    """One export as bytes: xlsx, csv, html, json, lp, or client-plans (a .zip). `lang` is the
    language of the workbook, the report and the client plans (CSV, JSON and LP are the same
    in every language)."""
    if fmt == "xlsx":
        return xlsx_bytes(problem, result, meta, lang=lang)
    if fmt == "csv":
        return csv_bytes(problem, result)
    if fmt == "html":
        return html_report(problem, result, meta, lang=lang)
    if fmt == "json":
        return json_bytes(problem, result)
    if fmt == "lp":
        return lp_bytes(problem, result)
    if fmt == "client-plans":
        return client_plans_zip(problem, result, meta, lang=lang)
    raise ValueError(english("export_unknown_format", format=fmt, formats=[*FORMATS, "json"]))


def write_export(
    problem: Problem,
    result: Result,
    fmt: str,
    path: str | Path,
    meta: ExportMeta | None = None,
    clients: Sequence[str] | None = None,
    lang: str = DEFAULT_LANG,
) -> list[Path]:
    """Write one export to `path` (a folder for client-plans); returns the paths written.

    Plan formats need a plan: csv and client-plans raise NoPlanError without one, while xlsx
    and html write the explanation of why there is none."""
    path = Path(path)
    if fmt == "client-plans":
        return write_client_plans(problem, result, path, meta, clients, lang)
    if path.is_dir():
        raise IsADirectoryError(english("export_is_folder", path=str(path)))
    atomic_write_bytes(path, export_bytes(problem, result, fmt, meta, lang))
    return [path]


def format_for_path(path: str | Path) -> str:
    """The export format a file name asks for, from its extension; ExportPathError when the
    extension names none."""
    ext = Path(path).suffix.lower()
    if ext not in EXTENSIONS:
        raise ExportPathError(
            "export_unknown_type",
            path=str(path),
            ext=ext or Message("export_no_extension"),
            types=sorted(EXTENSIONS),
        )
    return EXTENSIONS[ext]


def write_by_extension(
    problem: Problem,
    result: Result,
    path: str | Path,
    meta: ExportMeta | None = None,
    lang: str = DEFAULT_LANG,
) -> Path:
    """Write the result in the format its extension names (.xlsx, .csv, .json, .html, .lp)."""
    path = Path(path)
    fmt = format_for_path(path)
    write_export(problem, result, fmt, path, meta or ExportMeta(), lang=lang)
    return path
