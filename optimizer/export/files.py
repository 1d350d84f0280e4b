"""Exports as bytes by format, and on disk: every file is written to a temporary file in the
target folder and renamed into place (`optimizer.bundle.atomic_write_bytes`), so a failed
export leaves the previous file untouched and no partial file behind."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..bundle import atomic_write_bytes
from ..messages import DEFAULT_LANG, Message
from ..schema import SETTINGS, TABLES, Problem, Result
from .common import ExportMeta, ExportPathError, english

# The writers of each format are imported by the functions that use them: checking a path
# (`bundle_files`, `check_not_inputs`) is all `solve` needs, and the workbook, report and
# client plans bring xlsxwriter and Jinja2.

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


# ---- never over the inputs ------------------------------------------------------------------
Protected = Sequence[str | os.PathLike[str]]
BUNDLE_FILE_NAMES: tuple[str, ...] = (*(f"{t}.csv" for t in TABLES), f"{SETTINGS}.json")


def bundle_files(source: str | os.PathLike[str]) -> tuple[Path, ...]:
    """The files a bundle read from `source` consists of: a CSV folder's tables and
    settings.json (present or not: a file written there would be read with the bundle next
    time), or the .xlsx or .zip itself."""
    path = Path(source)
    if path.is_dir():
        return tuple(path / name for name in BUNDLE_FILE_NAMES)
    return (path,)


def bundle_targets(dest: str | os.PathLike[str]) -> tuple[Path, ...]:
    """The files `write_bundle(problem, dest)` writes: the .xlsx or .zip, or a CSV folder's."""
    path = Path(dest)
    if path.suffix.lower() in (".xlsx", ".zip"):
        return (path,)
    return tuple(path / name for name in BUNDLE_FILE_NAMES)


def _same_file(a: Path, b: Path) -> bool:
    """Whether writing `a` writes `b`: the same file through symlinks and hard links, or one
    not there yet that would be (the same folder, the name equal up to case, as a
    case-insensitive file system sees it)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        ra, rb = a.resolve(), b.resolve()
        if ra == rb:
            return True
        if ra.name.casefold() != rb.name.casefold():
            return False
        pa, pb = ra.parent, rb.parent
        return pa == pb or (pa.exists() and pb.exists() and os.path.samefile(pa, pb))
    except OSError:  # unreadable: compare the names as written
        return os.path.abspath(a) == os.path.abspath(b)


def check_not_inputs(targets: Iterable[str | os.PathLike[str]], inputs: Protected) -> None:
    """ExportPathError naming the first of `targets` that is one of `inputs` (the files being
    read); called before anything is written."""
    protected = [Path(p) for p in inputs]
    for target in targets:
        t = Path(target)
        for p in protected:
            if _same_file(t, p):
                raise ExportPathError("export_overwrites_input", path=str(t), name=str(p))


def check_plans_folder(out_dir: str | os.PathLike[str], inputs: Protected) -> None:
    """ExportPathError when client plans would go into the folder of the bundle being read:
    a CSV folder's own, or the one holding the .xlsx or .zip."""
    out = Path(out_dir)
    if not out.is_dir():
        return
    for p in map(Path, inputs):
        if p.exists() and os.path.samefile(out, p.parent):
            raise ExportPathError("export_into_input_folder", path=str(out))


def write_client_plans(
    problem: Problem,
    result: Result,
    out_dir: str | Path,
    meta: ExportMeta | None = None,
    clients: Sequence[str] | None = None,
    lang: str = DEFAULT_LANG,
    protect: Protected = (),
) -> list[Path]:
    """Write each client's .html and .xlsx into `out_dir`; returns the paths written.

    `protect`: the files being read (`bundle_files`), which nothing may overwrite, and whose
    folder the plans do not go into."""
    from .client_plans import client_plan_files

    files = client_plan_files(problem, result, meta, clients, lang)  # all built before writing
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(english("export_plans_need_folder", path=str(out_dir)))
    check_plans_folder(out_dir, protect)
    check_not_inputs((out_dir / name for name in files), protect)
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
        from .xlsx import xlsx_bytes

        return xlsx_bytes(problem, result, meta, lang=lang)
    if fmt == "csv":
        from .csv import csv_bytes

        return csv_bytes(problem, result)
    if fmt == "html":
        from .html import html_report

        return html_report(problem, result, meta, lang=lang)
    if fmt == "json":
        from .json import json_bytes

        return json_bytes(problem, result)
    if fmt == "lp":
        from .lp import lp_bytes

        return lp_bytes(problem, result)
    if fmt == "client-plans":
        from .client_plans import client_plans_zip

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
    protect: Protected = (),
) -> list[Path]:
    """Write one export to `path` (a folder for client-plans); returns the paths written.

    Plan formats need a plan: csv and client-plans raise NoPlanError without one, while xlsx
    and html write the explanation of why there is none. `protect`: files nothing may
    overwrite (the bundle being read, `bundle_files`): ExportPathError names the one hit."""
    path = Path(path)
    if fmt == "client-plans":
        return write_client_plans(problem, result, path, meta, clients, lang, protect)
    if path.is_dir():
        raise IsADirectoryError(english("export_is_folder", path=str(path)))
    check_not_inputs([path], protect)
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
    protect: Protected = (),
) -> Path:
    """Write the result in the format its extension names (.xlsx, .csv, .json, .html, .lp)."""
    path = Path(path)
    fmt = format_for_path(path)
    write_export(problem, result, fmt, path, meta or ExportMeta(), lang=lang, protect=protect)
    return path
