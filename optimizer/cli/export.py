"""The `export` command: solve a bundle and write one export for a planning meeting."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..bundle import atomic_write_bytes
from ..export import EXTENSIONS, FORMATS, ExportMeta, ExportPathError, lp_bytes, write_export
from ..export.files import bundle_files, check_not_inputs, check_plans_folder
from ..solve import solve
from .common import (
    EXIT_NO_PLAN,
    EXIT_PLAN,
    Command,
    UsageError,
    Words,
    add_bundle_args,
    load_with_overrides,
    usage_error,
    words,
)


def export_args(p: argparse.ArgumentParser, w: Words) -> None:
    """Arguments of `python -m optimizer export`."""
    add_bundle_args(p, w)
    p.add_argument("--format", required=True, choices=FORMATS, help=w("cli_help_format"))
    p.add_argument("--out", required=True, metavar="PATH", help=w("cli_help_export_out"))
    p.add_argument("--scenario", metavar="NAME", help=w("cli_help_scenario_name"))
    p.add_argument("--notes", metavar="TEXT", help=w("cli_help_export_notes"))
    p.add_argument(
        "--client", action="append", metavar="CLIENT_ID", help=w("cli_help_export_client")
    )
    p.add_argument("--since", metavar="DATE|SCENARIO", help=w("cli_help_export_since"))


def cmd_export(args: argparse.Namespace) -> int:
    """Solve the bundle and write one export; exit 1 without a plan (except for lp).

    `args.lang` is the language of the messages printed here and of the export itself."""
    w = words(args)
    fmt, out = args.format, Path(args.out)
    if args.client and fmt != "client-plans":
        raise usage_error("cli_export_client_only")
    if args.since is not None and (fmt != "xlsx" or not args.bundle_from_db):
        raise usage_error("cli_export_since_only")
    if fmt == "client-plans":
        if out.exists() and not out.is_dir():
            raise usage_error("cli_export_needs_folder", out=str(out))
    else:
        if out.is_dir():
            raise usage_error("cli_export_is_folder", out=str(out))
        asked = EXTENSIONS.get(out.suffix.lower())
        if asked is not None and asked != fmt:
            raise usage_error("cli_export_extension", out=str(out), asked=asked, format=fmt)
    protect = bundle_files(args.bundle)
    try:  # before anything is solved or written
        if fmt == "client-plans":
            check_plans_folder(out, protect)
        else:
            check_not_inputs([out], protect)
    except ExportPathError as exc:
        raise UsageError(w.error(exc)) from None
    problem = load_with_overrides(args)
    unknown = [c for c in args.client or [] if c not in problem.clients.index]
    if unknown:
        raise usage_error("cli_export_unknown_client", clients=", ".join(unknown))
    bundle = Path(args.bundle)
    meta = ExportMeta(
        scenario=args.scenario
        if args.scenario is not None
        else (bundle.stem if bundle.suffix else bundle.resolve().name),
        notes=args.notes or "",
    )
    if fmt == "lp":
        atomic_write_bytes(out, lp_bytes(problem))
        print(w("cli_export_wrote_model", out=str(out)))
        return EXIT_PLAN
    changes = None
    if args.since is not None:  # read first: a wrong date or scenario fails before the solve
        from ..workspace import Workspace

        changes = Workspace(args.bundle).changes(since=args.since)
    result = solve(problem)
    if not result.has_plan:
        print(w("cli_export_no_plan", status=w.status(result)), file=sys.stderr)
        for line in w.explanation(result):
            print(f"  {line}", file=sys.stderr)
        if fmt in ("csv", "client-plans"):
            print(w("cli_export_nothing_written"), file=sys.stderr)
            return EXIT_NO_PLAN
    try:
        if changes is not None:  # the workbook the Team tab downloads: a Changes sheet too
            from ..export.xlsx import xlsx_bytes

            data = xlsx_bytes(problem, result, meta, args.lang, changes=changes, since=args.since)
            atomic_write_bytes(out, data)
            paths = [out]
        else:
            paths = write_export(
                problem, result, fmt, out, meta, args.client, lang=args.lang, protect=protect
            )
    except ExportPathError as exc:  # a client plan's file name is one of the bundle's
        raise UsageError(w.error(exc)) from None
    code = "cli_export_wrote_plan" if result.has_plan else "cli_export_wrote_reasons"
    files = w("cli_export_files", count=len(paths)) if len(paths) > 1 else ""
    print(w(code, out=str(out), files=files))
    return EXIT_PLAN if result.has_plan else EXIT_NO_PLAN


def commands() -> dict[str, Command]:
    return {
        "export": ("cli_help_export", export_args, cmd_export),
    }
