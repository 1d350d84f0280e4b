"""The team: members and their roles in the planner's database, and what each may see.

A *director* sees and edits everything; an *account planner* sees and edits only the clients
assigned to them (their rows of every table; the pools, methods and settings are shown, less
any text there that names another client, but only a director changes them); a *viewer* sees
what a director sees and edits nothing. `member_tables` and `member_problem` give the part of
the inputs a member may see, the basis of what a role-filtered page sends.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from .bundle import parse_tables
from .schema import CLIENT_ID, CLIENTS, METHOD_ID, NAME, SETTINGS, Problem
from .storage import Database, StoreError, Target
from .storage.tables import member_clients, members, ws_rows
from .workspace import ROW_KEYS, Change, problem_tables

DIRECTOR, PLANNER, VIEWER = "director", "planner", "viewer"
ROLES: tuple[str, ...] = (DIRECTOR, PLANNER, VIEWER)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


@dataclass(frozen=True)
class Member:
    """A member of the team: e-mail (as the sign-in provider gives it, lower case), role,
    and, for a planner, the clients assigned to them."""

    email: str
    role: str
    clients: tuple[str, ...] = ()
    added_at: str = ""
    added_by: str = ""

    def sees_all(self) -> bool:
        return self.role in (DIRECTOR, VIEWER)

    def may_see(self, client_id: str | None) -> bool:
        """Whether a row about `client_id` (None: about no client) is shown to this member."""
        return self.sees_all() or client_id is None or client_id in self.clients

    def may_edit(self, client_id: str | None) -> bool:
        """Whether this member may change a row about `client_id` (None: pools, methods and
        settings, a director's)."""
        if self.role == DIRECTOR:
            return True
        return self.role == PLANNER and client_id is not None and client_id in self.clients

    def to_json(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "role": self.role,
            "clients": list(self.clients),
            "added_at": self.added_at,
            "added_by": self.added_by,
        }


# What each role may do on the page besides seeing and editing rows (`Member.may_see`,
# `Member.may_edit`): the page asks `may` and the server acts on the answer.
PAGE_ACTIONS: dict[str, tuple[str, ...]] = {
    "whatif": (DIRECTOR, VIEWER),  # what-ifs and sweeps over the whole plan (read-only)
    "scenarios": (DIRECTOR, VIEWER),  # the saved scenarios and their comparisons
    "export": (DIRECTOR, VIEWER),  # downloads of the whole plan
    "save_scenario": (DIRECTOR,),  # a snapshot of the shared inputs
    "manage_members": (DIRECTOR,),
    "edit_shared": (DIRECTOR,),  # pools, methods, settings
    "edit_rows": (DIRECTOR, PLANNER),  # any row at all (a planner: only their clients')
}


def may(member: Member, action: str) -> bool:
    """Whether `member`'s role allows a page action of `PAGE_ACTIONS`."""
    return member.role in PAGE_ACTIONS[action]


def clean_email(email: str) -> str:
    text = str(email).strip().lower()
    if not _EMAIL.match(text):
        raise StoreError("team_email", name=str(email))
    return text


class Team:
    """Members and roles in one database."""

    def __init__(self, db: str | os.PathLike[str] | Target | Database | None = None):
        self.db = db if isinstance(db, Database) else Database(db)

    def add(
        self, email: str, role: str, clients: Sequence[str] = (), by: str = ""
    ) -> tuple[Member, bool]:
        """Add a member, or change an existing one's role and clients (one transaction).
        A planner needs clients, which must be clients of the working plan when there is one;
        the others have none. Returns the member and whether they were new."""
        email = clean_email(email)
        if role not in ROLES:
            raise StoreError("team_role", name=email, role=str(role), roles=", ".join(ROLES))
        wanted = tuple(dict.fromkeys(str(c).strip() for c in clients if str(c).strip()))
        if role == PLANNER and not wanted:
            raise StoreError("team_no_clients", name=email)
        if role != PLANNER and wanted:
            raise StoreError("team_clients_not_planner", name=email, role=role)
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        with self.db.write() as conn:
            known = {
                r[0]
                for r in conn.execute(
                    sa.select(ws_rows.c.client_id)
                    .where(ws_rows.c.client_id.is_not(None))
                    .distinct()
                )
            }
            unknown = [c for c in wanted if known and c not in known]
            if unknown:
                raise StoreError("team_unknown_clients", name=email, clients=", ".join(unknown))
            new = (
                conn.execute(sa.select(members.c.email).where(members.c.email == email)).first()
                is None
            )
            if new:
                conn.execute(
                    members.insert(),
                    [{"email": email, "role": role, "added_at": at, "added_by": by}],
                )
            else:
                conn.execute(members.update().where(members.c.email == email).values(role=role))
            conn.execute(member_clients.delete().where(member_clients.c.email == email))
            if wanted:
                conn.execute(
                    member_clients.insert(), [{"email": email, "client_id": c} for c in wanted]
                )
        return self.get(email), new

    def list(self) -> list[Member]:
        """Every member, by e-mail."""
        with self.db.read() as conn:
            if conn is None or not self.db.has(conn, members.name):
                return []
            rows = conn.execute(sa.select(members).order_by(members.c.email)).all()
            links = conn.execute(
                sa.select(member_clients).order_by(
                    member_clients.c.email, member_clients.c.client_id
                )
            ).all()
        clients: dict[str, list[str]] = {}
        for email, client in links:
            clients.setdefault(email, []).append(client)
        return [
            Member(r.email, r.role, tuple(clients.get(r.email, ())), r.added_at, r.added_by)
            for r in rows
        ]

    def get(self, email: str) -> Member:
        """One member; StoreError "team_missing" for someone who is not one."""
        email = clean_email(email)
        for m in self.list():
            if m.email == email:
                return m
        raise StoreError("team_missing", name=email)

    def find(self, email: str) -> Member | None:
        """The member with this e-mail, or None (a sign-in that is not a member)."""
        try:
            return self.get(email)
        except StoreError as exc:
            if exc.code in ("team_missing", "team_email"):
                return None
            raise

    def remove(self, email: str) -> None:
        email = clean_email(email)
        with self.db.write() as conn:
            conn.execute(member_clients.delete().where(member_clients.c.email == email))
            gone = conn.execute(members.delete().where(members.c.email == email))
            if gone.rowcount == 0:
                raise StoreError("team_missing", name=email)


# ---- what a member may see --------------------------------------------------------------------
def _others_pattern(tables: Mapping[str, pd.DataFrame], mine: set[str]) -> re.Pattern[str] | None:
    """A pattern matching any other client's id or name as a whole word (case ignored)."""
    clients = tables.get(CLIENTS)
    if clients is None or CLIENT_ID not in clients.columns:
        return None
    others = clients[~clients[CLIENT_ID].astype(str).isin(mine)]
    words = {str(v).strip() for c in (CLIENT_ID, NAME) if c in others for v in others[c]}
    words.discard("")
    if not words:
        return None
    # Longest first, so a name wins over an id that is part of it.
    alternatives = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def member_tables(tables: Mapping[str, pd.DataFrame], member: Member) -> dict[str, pd.DataFrame]:
    """The tables as `member` may see them: for a planner, only the rows of their clients in
    every table that has a client column; the others (pools, methods, settings) are kept, but
    a text cell there that names another client (their id or name, as a word) is blanked, a
    `name` cell replaced by its row's id. A director or viewer sees everything."""
    if member.sees_all():
        return {t: f.copy() for t, f in tables.items()}
    mine = set(member.clients)
    others = _others_pattern(tables, mine)
    out: dict[str, pd.DataFrame] = {}
    for t, frame in tables.items():
        if CLIENT_ID in frame.columns:
            out[t] = frame[frame[CLIENT_ID].astype(str).isin(mine)].reset_index(drop=True)
            continue
        shared = frame.copy()
        if others is not None:
            keys = ROW_KEYS.get(t, ("setting",))
            for col in shared.columns:
                text = pd.api.types.is_string_dtype(shared[col]) or shared[col].dtype == object
                if col in keys or not text:
                    continue
                # Object dtype: the Arrow strings would re-parse the (long) pattern per column.
                named = shared[col].astype(str).astype(object).str.contains(others, na=False)
                if named.any():
                    stand_in = shared[keys[0]] if col == NAME else ""
                    shared[col] = shared[col].where(~named, stand_in)
        out[t] = shared
    return out


def member_problem(problem: Problem, member: Member) -> Problem:
    """The part of `problem` a member may see, as a problem of its own (a planner: their
    clients only, with the pools as they are)."""
    if member.sees_all():
        return problem
    tables = member_tables(problem_tables(problem), member)
    settings_frame = tables.pop(SETTINGS)
    import json

    settings = {
        k: json.loads(v) for k, v in zip(settings_frame["setting"], settings_frame["value"])
    }
    return parse_tables(tables, settings, [])


def member_changes(
    changes: Iterable[Change],
    member: Member,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> list[Change]:
    """The changes a member may see: a planner, those of their clients' rows and of rows about
    no client (pools, methods, settings, imports); with the bundle's `tables` (for the client
    names), an old or new value there that names another client is blanked, as in
    `member_tables`."""
    shown = [c for c in changes if member.may_see(c.client_id)]
    others = (
        None
        if member.sees_all() or tables is None
        else _others_pattern(tables, set(member.clients))
    )
    if others is None:
        return shown

    def clean(text: str | None) -> str | None:
        return "" if text and others.search(text) else text

    return [replace(c, old=clean(c.old), new=clean(c.new)) for c in shown]


def edit_as(
    workspace: Any, member: Member, table: str, key: str, column: str, seen: str, value: str
) -> Change | None:
    """`Workspace.set_cell` by `member`, refused (StoreError "team_denied") when their role
    may not change that row: a viewer nothing, a planner only their clients' rows."""
    client = workspace.client_of(table, key)
    if not member.may_edit(client):
        raise StoreError("team_denied", name=member.email, role=member.role, table=table, key=key)
    change: Change | None = workspace.set_cell(table, key, column, seen, value, who=member.email)
    return change


def member_inputs(
    tables: Mapping[str, pd.DataFrame], settings: Mapping[str, Any], member: Member
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """`Workspace.tables()` as `member` may see them: the tables of `member_tables`, and the
    settings with any text value that names another client blanked (as in the shared tables)."""
    import json

    frame = pd.DataFrame(
        {"setting": list(settings), "value": [json.dumps(v) for v in settings.values()]}
    )
    shown = member_tables({**tables, SETTINGS: frame}, member)
    seen = shown.pop(SETTINGS)
    kept = {k: json.loads(v) if v else "" for k, v in zip(seen["setting"], seen["value"])}
    return shown, kept


def member_result(
    result: Any, member: Member, tables: Mapping[str, pd.DataFrame] | None = None
) -> Any:
    """The part of a plan of the whole shared inputs that `member` may see: for a planner the
    rows of their clients (allocation, clients, unfunded cells, constraints and conflicts
    about them), the methods' totals over their clients only, the objective as their clients'
    weighted value, and the pools as they are (capacity, use and prices of the whole plan).
    With the bundle's `tables` (for the client names), a note that names another client is
    left out."""
    if member.sees_all():
        return result
    mine = list(member.clients)

    def rows(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        if frame is None:
            return None
        level = frame.index.get_level_values(CLIENT_ID) if CLIENT_ID in frame.index.names else None
        if level is not None:
            return frame[level.isin(mine)]
        if CLIENT_ID in frame.columns:
            return frame[frame[CLIENT_ID].isna() | frame[CLIENT_ID].isin(mine)]
        return frame

    allocation = rows(result.allocation)
    clients = rows(result.clients)
    methods = result.methods
    if allocation is not None and not methods.empty and not allocation.empty:
        # Totals over the planner's clients only: the whole plan's would tell of the others.
        summed = [c for c in methods.columns if c in allocation.columns and c != "name"]
        summed = [c for c in summed if pd.api.types.is_numeric_dtype(allocation[c])]
        totals = allocation.groupby(level=METHOD_ID)[summed].sum()
        methods = methods.copy()
        methods[summed] = totals.reindex(methods.index).fillna(0.0)
    objective = result.objective
    if clients is not None and "weighted_value" in clients.columns and result.has_plan:
        objective = float(clients["weighted_value"].sum())
    conflicts = tuple(c for c in result.conflicts if c.client_id is None or c.client_id in mine)
    others = None if tables is None else _others_pattern(tables, set(mine))
    notes, explanation = result.notes, result.explanation
    if others is not None:
        conflicts = tuple(c for c in conflicts if not others.search(str(c.msg)))
        notes = tuple(n for n in notes if not others.search(str(n)))
        explanation = tuple(e for e in explanation if not others.search(e))
    return replace(
        result,
        allocation=allocation,
        clients=clients,
        methods=methods,
        unfunded=rows(result.unfunded),
        constraints=rows(result.constraints),
        conflicts=conflicts,
        # Its own fingerprint: caches keyed by a result's fingerprint must not hand one
        # planner's cut of the plan to a planner of other clients.
        fingerprint=hashlib.sha256(
            f"{result.fingerprint}|{','.join(sorted(mine))}".encode()
        ).hexdigest()[:16],
        notes=notes,
        explanation=explanation,
        objective=objective,
    )
