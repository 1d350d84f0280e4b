"""Per-client plans: for each client one .html and one .xlsx holding that client's data only.

No other client's name, id, segment or figures, and no totals across clients, in any part of
the file; free text that could mention another client has every whole-word mention replaced
by a neutral phrase. Files are built before any is written.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..messages import DEFAULT_LANG, Translator
from ..relationship import METHOD_NAME, unconfirmed_commitments
from ..schema import (
    CHECKLIST_ITEMS,
    CLIENT_ID,
    COMMITTED_UNITS,
    LAST_REVIEW,
    MAX_UNITS,
    METHOD_ID,
    NAME,
    NEEDED_VALUE,
    OPEN_PROBLEMS,
    SEGMENT,
    SHARE,
    UNIT,
    UNITS,
    VALUE,
    Problem,
    Result,
    use_col,
)
from ..tolerances import TINY
from .common import (
    ExportMeta,
    cell_text,
    currency,
    english,
    finite,
    num,
    pool_unit,
    reason_texts,
    require_plan,
    safe_suffix,
    status_text,
    words,
)
from .html import meta_rows, num_text, page_title, render, table
from .tables import Row
from .xlsx import Book, Col, neutral_properties, number_formats

# Checklist answers that are words of the catalogue (anything else is shown as typed).
_ANSWERS = {"yes": "export_yes", "no": "export_no", "unknown": "export_unknown"}
_MIN_PHRASE = 2  # a one-character id or name would match everywhere


def _clusters(text: str) -> list[tuple[int, int, str]]:
    """`text` as (start, end, key) pieces: a character with the combining marks after it, or a
    run of white space. The key is the piece NFC-normalised and case-folded (a run of white
    space is one space), so that 'Café' typed in either normal form, 'CAFÉ' and 'café' have
    the same keys, and a match in the keys maps back to a span of the text."""
    out: list[tuple[int, int, str]] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        if text[i].isspace():
            while j < n and text[j].isspace():
                j += 1
            out.append((i, j, " "))
        else:
            while j < n and unicodedata.combining(text[j]):
                j += 1
            piece = unicodedata.normalize("NFC", text[i:j])
            out.append((i, j, unicodedata.normalize("NFC", piece.casefold())))
        i = j
    return out


def mention_key(text: str) -> str:
    """The text as the mention finder compares it (NFC, case-folded, white space as one
    space, trimmed)."""
    return "".join(k for _, _, k in _clusters(text.strip()))


def _trie_pattern(words: list[str]) -> str:
    """One regular expression matching any of `words`, built as a trie so that the scan costs
    the length of the text times the depth of the trie, whatever the number of words; at a
    position the longest word wins."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict[str, Any]) -> str:
        # A chain of single letters is written out in a loop; only a branch or the end of a
        # word nests, so a long name does not make a deep recursion.
        chain = ""
        while len(node) == 1 and "" not in node:
            ((ch, node),) = node.items()
            chain += re.escape(ch)
        end = "" in node
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return chain
        body = alts[0] if len(alts) == 1 and not end else "(?:" + "|".join(alts) + ")"
        return chain + (f"(?:{body})?" if end else body)

    return build(trie)


class Mentions:
    """Finds clients' ids and names in any text, so that one client's plan can replace every
    mention of another client. Matching is on NFC-normalised, case-folded text and inside
    words too (`anna@brennmoor.de`, `Brennmoor-Hartwell`, `brennmoor_2026.pdf`); where
    mentions overlap the longest wins, so a client's own longer name is kept whole. Built once
    per batch of plans: the scan is linear in the text, whatever the number of clients."""

    def __init__(self, problem: Problem, another: str):
        self.another = another
        self.owners: dict[str, set[str]] = {}
        for c, name in problem.clients[NAME].items():
            for phrase in (str(c), cell_text(name)):
                key = mention_key(phrase)
                if len(key) >= _MIN_PHRASE:
                    self.owners.setdefault(key, set()).add(str(c))
        # Longest first, so the regular expression's alternatives prefer the longest mention.
        words = sorted(self.owners, key=len, reverse=True)
        self._re = re.compile(_trie_pattern(words)) if words else None
        self._found: dict[str, list[tuple[int, int, set[str]]]] = {}

    def _spans(self, text: str) -> list[tuple[int, int, set[str]]]:
        """The mentions in `text` as (start, end, owners), memoised: the same names and
        reasons recur in every client's plan."""
        hit = self._found.get(text)
        if hit is not None:
            return hit
        out: list[tuple[int, int, set[str]]] = []
        if self._re is not None:
            pieces = _clusters(text)
            keys = "".join(k for _, _, k in pieces)
            # Where each key character comes from: the index of its piece.
            owner_of = [i for i, (_, _, k) in enumerate(pieces) for _ in k]
            pos = 0
            while pos < len(keys):
                m = self._re.search(keys, pos)
                if m is None:
                    break
                if m.end() == m.start():
                    pos = m.start() + 1
                    continue
                first, last = owner_of[m.start()], owner_of[m.end() - 1]
                out.append((pieces[first][0], pieces[last][1], self.owners[m.group()]))
                pos = m.end()
        if len(self._found) < 100_000:
            self._found[text] = out
        return out

    def redact(self, text: Any, own: str) -> str:
        """`text` with each mention of a client other than `own` replaced."""
        text = cell_text(text)
        out, pos = [], 0
        for start, end, owners in self._spans(text):
            if own not in owners:
                out += [text[pos:start], self.another]
                pos = end
        out.append(text[pos:])
        return "".join(out)


def _client_notes(
    problem: Problem, client_id: str, meta: ExportMeta, t: Translator
) -> list[tuple[str, str]]:
    """This client's relationship checklist, open problems and notes, as (label, text)."""
    out: list[tuple[str, str]] = []
    rel = problem.relationship
    if rel is not None and client_id in rel.index:
        r = rel.loc[client_id]
        for item in CHECKLIST_ITEMS:
            answer = cell_text(r[item])
            code = f"export_check_{item}"
            out.append(
                (
                    t(code) if t.has(code) else item,
                    t(_ANSWERS[answer]) if answer in _ANSWERS else answer,
                )
            )
        out.append(
            (
                t("export_plan_open_problems"),
                cell_text(r[OPEN_PROBLEMS]) or t("export_plan_none_recorded"),
            )
        )
        out.append((t("export_plan_last_review"), cell_text(r[LAST_REVIEW], t.lang)))
    # The checklist flags committed units whose agreement is not confirmed in writing.
    flagged = unconfirmed_commitments(problem)
    mine = flagged[flagged.index.get_level_values(CLIENT_ID) == client_id]
    if len(mine):
        out.append(
            (
                t("export_plan_unconfirmed"),
                t.join(
                    [
                        t(
                            "export_plan_unconfirmed_item",
                            method=str(m),
                            units=num(float(u), "g", t.lang),
                        )
                        for m, u in zip(mine[METHOD_NAME], mine[COMMITTED_UNITS])
                    ]
                ),
            )
        )
    note = cell_text(meta.client_notes.get(client_id, "")) if meta.client_notes else ""
    if note:
        out.append((t("report_notes"), note))
    return out


@dataclass(frozen=True)
class ClientPlan:
    """One client's plan, every text already cleared of other clients."""

    client_id: str
    name: str
    header: list[Row]
    cols: list[tuple[str, str]]
    units: list[str]
    rows: list[list[Any]]
    totals: list[Any]
    unfunded: list[list[Any]]
    notes: list[tuple[str, str]]


class PlanBook:
    """What every client's plan draws on, indexed once so a batch of plans stays linear."""

    def __init__(
        self, problem: Problem, result: Result, meta: ExportMeta, lang: str = DEFAULT_LANG
    ):
        require_plan(result)
        self.problem, self.result, self.meta = problem, result, meta
        self.t = words(lang)
        self.mentions = Mentions(problem, self.t("export_another_client"))
        self.money = problem.money_pool
        self.pools = problem.pools
        cids = result.allocation.index.get_level_values(CLIENT_ID)
        self.cells = dict(pd.Series(np.arange(len(cids))).groupby(cids.to_numpy()).groups)
        u = result.unfunded
        ucids = u.index.get_level_values(CLIENT_ID).to_numpy()
        self.unfunded = (
            {
                c: list(rows)
                for c, rows in pd.Series(np.arange(len(u))).groupby(ucids).groups.items()
            }
            if len(u)
            else {}
        )
        self.pool_kinds = ["money" if p == self.money else "value" for p in self.pools]
        # Pool names and units are the same in every plan, but each plan clears them of the
        # other clients (a pool named after a client would otherwise head every plan).
        self.pool_names = [cell_text(problem.resources.at[p, NAME]) for p in self.pools]
        self.pool_units = [pool_unit(problem, p, lang) for p in self.pools]

    def plan(self, client_id: str) -> ClientPlan:
        problem, result, meta, t = self.problem, self.result, self.meta, self.t
        if client_id not in problem.clients.index:
            raise KeyError(english("export_not_a_client", client=str(client_id)))

        def red(v: Any) -> str:
            return self.mentions.redact(v, client_id)

        c = problem.clients.loc[client_id]
        a = result.allocation.iloc[list(self.cells.get(client_id, []))]
        mids = a.index.get_level_values(METHOD_ID)
        first = problem.values[VALUE].reindex(a.index).to_numpy()
        pools = self.pools
        cols = [
            (t("export_col_method"), "text"),
            (t("export_col_unit"), "text"),
            (t("export_col_first_value"), "value"),
            (t("export_col_units"), "units"),
            (t("export_col_max_units"), "int"),
            (t("export_col_committed_units"), "int"),
            (t("export_col_value"), "value"),
            *[(red(n), k) for n, k in zip(self.pool_names, self.pool_kinds)],
        ]
        use = a[[use_col(p) for p in pools]].to_numpy()
        rows = [
            [red(problem.methods.at[m, NAME]), red(problem.methods.at[m, UNIT]), v, *vals, *u]
            for m, v, vals, u in zip(
                mids, first, a[[UNITS, MAX_UNITS, COMMITTED_UNITS, VALUE]].to_numpy(), use
            )
        ]
        totals = [
            t("export_total"),
            "",
            None,
            a[UNITS].sum(),
            None,
            a[COMMITTED_UNITS].sum(),
            a[VALUE].sum(),
            *use.sum(axis=0),
        ]
        cl = result.clients.loc[client_id]
        header: list[Row] = [
            (t("export_col_client"), cell_text(c[NAME]), "text"),
            (t("export_col_client_id"), client_id, "text"),
            (t("export_col_segment"), red(c[SEGMENT]), "text"),
            (
                t("report_scenario"),
                red(meta.scenario) if meta.scenario else t("export_unnamed"),
                "text",
            ),
            (t("export_exported"), meta.when, "text"),
            (t("export_fingerprint"), result.fingerprint, "text"),
            (t("export_plan_status"), status_text(result, t), "text"),
            (t("export_plan_value"), cl[VALUE], "value"),
            (t("export_plan_share"), cl[SHARE], "share"),
            (t("export_plan_committed"), float(a[COMMITTED_UNITS].sum()), "int"),
        ]
        u = result.unfunded.iloc[self.unfunded.get(client_id, [])]
        unfunded = [
            [
                red(problem.methods.at[m, NAME]),
                r[UNITS],
                r[MAX_UNITS],
                r[VALUE],
                r[NEEDED_VALUE],
                red(why),
            ]
            for m, r, why in zip(
                u.index.get_level_values(METHOD_ID), u.to_dict("records"), reason_texts(u, t)
            )
        ]
        notes = [(label, red(text)) for label, text in _client_notes(problem, client_id, meta, t)]
        return ClientPlan(
            client_id=client_id,
            name=cell_text(c[NAME]),
            header=header,
            cols=cols,
            units=["", "", "", "", "", "", "", *[red(u) for u in self.pool_units]],
            rows=rows,
            totals=totals,
            unfunded=unfunded,
            notes=notes,
        )

    def unfunded_cols(self) -> list[tuple[str, str]]:
        t = self.t
        return [
            (t("export_col_method"), "text"),
            (t("export_col_units_funded"), "units"),
            (t("export_col_max_units"), "int"),
            (t("export_col_first_value"), "value"),
            (t("export_col_value_needed"), "value"),
            (t("export_plan_why_not"), "text"),
        ]

    def _formats(self, plan: ClientPlan) -> tuple[dict[str, str], list[str]]:
        """The number formats of this plan and of its pool columns. The units they carry (the
        currency, each pool's unit) are this plan's, cleared of other clients, as
        `number_formats` and `pool_format` would write them."""
        cur = safe_suffix(self.mentions.redact(currency(self.problem), plan.client_id))
        nf = {**number_formats(self.problem), "money": f'#,##0.00" {cur}"' if cur else "#,##0.00"}
        pool_fmts = []
        for p, unit in zip(self.pools, plan.units[7:]):
            u = safe_suffix(unit)
            other = f'#,##0.0" {u}"' if u else "#,##0.0"
            pool_fmts.append(nf["money"] if p == self.money else other)
        return nf, pool_fmts

    def xlsx(self, plan: ClientPlan) -> bytes:
        t = self.t
        nf, pool_fmts = self._formats(plan)
        kind_fmt = {
            "text": None,
            "value": nf["value"],
            "units": nf["units"],
            "int": nf["int"],
            "money": nf["money"],
        }
        book = Book(neutral_properties(self.meta, t("report_title")), t)
        ws = book.sheet(t("export_plan_sheet"))
        ws.write_string(0, 0, t("report_title"), book.fmt(title=True))
        r = 2
        for label, v, kind in plan.header:
            ws.write_string(r, 0, label, book.fmt(bold=True))
            book.put(ws, r, 1, v, nf.get(kind))
            r += 1
        r += 1
        cols = [Col(h, kind_fmt[k]) for h, k in plan.cols[:7]]
        cols += [Col(h, f) for (h, _), f in zip(plan.cols[7:], pool_fmts)]
        widths = [34.0, 14.0] + [14.0] * (len(cols) - 2)
        r = book.table(ws, r, cols, plan.rows, plan.totals, freeze=None, widths=widths)
        if plan.unfunded:
            r += 1
            ws.write_string(r, 0, t("export_plan_not_funded"), book.fmt(bold=True))
            book.table(
                ws,
                r + 1,
                [Col(h, kind_fmt[k]) for h, k in self.unfunded_cols()],
                plan.unfunded,
                freeze=None,
                widths=widths,
            )
        for j, wd in enumerate(widths):
            ws.set_column(j, j, min(wd + 2, 60))
        ws.freeze_panes(1, 0)
        ns = book.sheet(t("export_plan_notes_sheet"))
        book.table(
            ns,
            0,
            [Col(t("export_plan_item"), width=42), Col(t("export_plan_answer"), width=70)],
            plan.notes or [(t("report_notes"), t("export_plan_none_recorded"))],
            freeze=0,
        )
        return book.close()

    def html(self, plan: ClientPlan) -> bytes:
        t, lang = self.t, self.t.lang
        top = max([finite(r[6]) or 0.0 for r in plan.rows] + [TINY])
        bars = [
            (r[0], num_text(r[6], "value", lang=lang), f"{100 * (finite(r[6]) or 0) / top:.1f}")
            for r in plan.rows
            if (finite(r[6]) or 0) > 0
        ]
        # The unit joins the method's cell so that the table fits the width of A4.
        cols = [(t("export_plan_method_unit"), "text"), *plan.cols[2:]]
        rows = [[f"{r[0]} ({r[1]})" if r[1] else r[0], *r[2:]] for r in plan.rows]
        return render(
            "client_plan.html",
            t,
            page_title(t, plan.name),
            name=plan.name,
            meta_rows=meta_rows(plan.header, lang),
            plan=table(cols, rows, [plan.totals[0], *plan.totals[2:]], plan.units[1:], lang=lang),
            bars=bars,
            not_funded=table(self.unfunded_cols(), plan.unfunded, lang=lang)
            if plan.unfunded
            else None,
            notes=table(
                [(t("export_plan_item"), "text"), (t("export_plan_answer"), "text")],
                plan.notes,
                lang=lang,
            )
            if plan.notes
            else None,
        )


def client_plan_xlsx(
    problem: Problem,
    result: Result,
    client_id: str,
    meta: ExportMeta | None = None,
    lang: str = DEFAULT_LANG,
) -> bytes:
    """One client's plan as a workbook holding that client's data only."""
    book = PlanBook(problem, result, meta or ExportMeta(), lang)
    return book.xlsx(book.plan(client_id))


def client_plan_html(
    problem: Problem,
    result: Result,
    client_id: str,
    meta: ExportMeta | None = None,
    lang: str = DEFAULT_LANG,
) -> bytes:
    """One client's plan as a printable HTML page holding that client's data only."""
    book = PlanBook(problem, result, meta or ExportMeta(), lang)
    return book.html(book.plan(client_id))


def client_file_stem(client_id: str) -> str:
    """The file name (without extension) of a client's plan: built from its id only."""
    return f"plan_{client_id}"


def client_plan_files(
    problem: Problem,
    result: Result,
    meta: ExportMeta | None = None,
    clients: Sequence[str] | None = None,
    lang: str = DEFAULT_LANG,
) -> dict[str, bytes]:
    """File name -> bytes: one .html and one .xlsx per client (all clients by default)."""
    require_plan(result)
    meta = meta or ExportMeta()
    ids = list(problem.clients.index) if clients is None else list(clients)
    unknown = [str(c) for c in ids if c not in problem.clients.index]
    if unknown:
        raise KeyError(english("export_not_clients", clients=unknown))
    book = PlanBook(problem, result, meta, lang)
    out: dict[str, bytes] = {}
    for c in ids:
        plan, stem = book.plan(c), client_file_stem(str(c))
        out[f"{stem}.html"] = book.html(plan)
        out[f"{stem}.xlsx"] = book.xlsx(plan)
    return out


def client_plans_zip(
    problem: Problem,
    result: Result,
    meta: ExportMeta | None = None,
    clients: Sequence[str] | None = None,
    lang: str = DEFAULT_LANG,
) -> bytes:
    """Every client's plan files in one .zip (for download; each file stays client-only)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in client_plan_files(problem, result, meta, clients, lang).items():
            zf.writestr(name, data)
    return buf.getvalue()
