"""The `export` command: solve a bundle and write one export for a planning meeting."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..bundle import atomic_write_bytes
from ..export import EXTENSIONS, FORMATS, ExportMeta, lp_bytes, write_export
from ..solve import solve
from .common import (
    EXIT_NO_PLAN,
    EXIT_PLAN,
    Command,
    UsageError,
    add_bundle_args,
    load_with_overrides,
)


def export_args(p: argparse.ArgumentParser) -> None:
    """Arguments of `python -m optimizer export`."""
    add_bundle_args(p)
    p.add_argument("--format", required=True, choices=FORMATS,
                   help="what to write; client-plans writes one .html and one .xlsx per client")
    p.add_argument("--out", required=True, metavar="PATH",
                   help="the file to write (a folder for client-plans)")
    p.add_argument("--scenario", metavar="NAME",
                   help="scenario name printed on the export (default: the bundle's name)")
    p.add_argument("--notes", metavar="TEXT", help="scenario notes for the workbook and report")
    p.add_argument("--client", action="append", metavar="CLIENT_ID",
                   help="client-plans: only this client (repeatable)")


def cmd_export(args: argparse.Namespace) -> int:
    """Solve the bundle and write one export; exit 1 without a plan (except for lp)."""
    fmt, out = args.format, Path(args.out)
    if args.client and fmt != "client-plans":
        raise UsageError("--client is only for --format client-plans")
    if fmt == "client-plans":
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out {out}: client-plans needs a folder, and this is a file")
    else:
        if out.is_dir():
            raise UsageError(f"--out {out}: this is a folder; give a file name")
        asked = EXTENSIONS.get(out.suffix.lower())
        if asked is not None and asked != fmt:
            raise UsageError(f"--out {out}: the extension says {asked}, but --format is {fmt}")
    problem = load_with_overrides(args)
    unknown = [c for c in args.client or [] if c not in problem.clients.index]
    if unknown:
        raise UsageError(f"--client: not in the clients table: {', '.join(unknown)}")
    bundle = Path(args.bundle)
    meta = ExportMeta(scenario=args.scenario if args.scenario is not None else
                      (bundle.stem if bundle.suffix else bundle.resolve().name),
                      notes=args.notes or "")
    if fmt == "lp":
        atomic_write_bytes(out, lp_bytes(problem))
        print(f"Wrote the model to {out}")
        return EXIT_PLAN
    result = solve(problem)
    if not result.has_plan:
        print(f"No plan: {result.status_text}", file=sys.stderr)
        for line in result.explanation:
            print(f"  {line}", file=sys.stderr)
        if fmt in ("csv", "client-plans"):
            print("Nothing was written.", file=sys.stderr)
            return EXIT_NO_PLAN
    paths = write_export(problem, result, fmt, out, meta, args.client)
    what = "the reasons there is no plan" if not result.has_plan else "the plan"
    print(f"Wrote {what} to {out}" + (f" ({len(paths)} files)" if len(paths) > 1 else ""))
    return EXIT_PLAN if result.has_plan else EXIT_NO_PLAN


def commands() -> dict[str, Command]:
    return {
        "export": ("write the plan for a meeting: xlsx, csv, html, client-plans or lp",
                   export_args, cmd_export),
    }
