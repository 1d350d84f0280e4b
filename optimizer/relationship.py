"""The key-account relationship checklist (DOMAIN.md, Table 6.4) as numbers the plan can use.

The bundle's optional `relationship` table holds, per client, yes / no / unknown for five
items (interaction plan agreed, selection criteria known, decision roles mapped, decision
procedure known, agreements confirmed in writing), open problems as free text, and the date of
the last review. A bundle without the table is "not assessed": nothing here flags or widens
anything for it. When the table exists, a client without a row counts as unknown on every item.

The rules (each tested in tests/test_relationship.py, documented in docs/relationship.md):
- readiness = (yes answers + UNKNOWN_CREDIT x unknown answers) / 5; a "no" earns nothing and,
  by default, neither does an "unknown": not knowing whether the plan is agreed is not having
  it agreed. Clients without a row have no score (not assessed).
- a review is stale when the last review is more than `days` days before `as_of`, or missing.
- a cell with committed units is flagged when its client's written_confirmation is not "yes".
- when a client's criteria_known or roles_mapped is not "yes", robustness widens that client's
  value ranges by WIDEN_FACTOR (see `optimizer.analysis.widened_ranges`): value_low' = max(0,
  value - f x (value - value_low)), value_high' = value + f x (value_high - value). Cells
  without a range stay fixed.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from .errors import CodedError
from .schema import (
    CHECKLIST_ITEMS,
    CLIENT_ID,
    COMMITTED_UNITS,
    CRITERIA_KNOWN,
    LAST_REVIEW,
    METHOD_ID,
    NAME,
    OPEN_PROBLEMS,
    ROLES_MAPPED,
    WRITTEN_CONFIRMATION,
    Problem,
)

YES, NO, UNKNOWN = "yes", "no", "unknown"
ANSWERS: tuple[str, ...] = (YES, NO, UNKNOWN)
NOT_ASSESSED = "not assessed"  # a client without a row in an existing table

# Credit an "unknown" answer earns towards readiness (0: only a yes counts).
UNKNOWN_CREDIT = 0.0
# Factor by which robustness widens the value ranges of a client whose selection criteria or
# decision roles are not known.
WIDEN_FACTOR = 1.5
# The checklist items whose "not yes" makes a client's value estimates less certain.
WIDEN_ITEMS: tuple[str, ...] = (CRITERIA_KNOWN, ROLES_MAPPED)
DEFAULT_STALE_DAYS = 90

# Reasons a review is on the stale list.
STALE_OLD = "older"
STALE_MISSING = "no date"
STALE_NOT_ASSESSED = NOT_ASSESSED

# Column names of the frames below (beside the bundle's own).
ASSESSED = "assessed"
YES_COUNT = "yes_count"
UNKNOWN_COUNT = "unknown_count"
READINESS = "readiness"
DAYS_SINCE = "days_since_review"
STALE = "stale"
STALE_REASON = "stale_reason"
WIDEN = "widen_factor"
UNCONFIRMED_UNITS = "unconfirmed_units"
CLIENT_NAME = "client_name"
METHOD_NAME = "method_name"

ITEM_LABELS: dict[str, str] = {
    "plan_agreed": "Interaction plan agreed with the client",
    "criteria_known": "Main selection criteria known",
    "roles_mapped": "Roles in the decision-making unit mapped",
    "procedure_known": "Decision-making procedure known",
    "written_confirmation": "Agreements confirmed in writing",
}


class RelationshipError(CodedError, ValueError):
    """A request the checklist cannot answer as asked (bad number of days, bad date, ...)."""


# ---- the answers, one row per client ---------------------------------------------------------
# answers() of each Problem still in use: the checklist's readiness, reviews, commitments and
# widening each start from it (a Problem's tables are never changed once built).
_ANSWERS: weakref.WeakKeyDictionary[Problem, pd.DataFrame] = weakref.WeakKeyDictionary()


def answers(problem: Problem) -> pd.DataFrame:
    """Every client's checklist, index client_id in the clients table's order.

    Columns: name, assessed (the client has a row), the five items (yes/no/unknown; "unknown"
    for a client without a row), open_problems (text, '' when none), last_review (Timestamp or
    NaT). Empty (no rows) when the bundle has no relationship table. A copy: the caller may
    change it.
    """
    got = _ANSWERS.get(problem)
    if got is None:
        got = _ANSWERS[problem] = _answers(problem)
    return got.copy()


def _answers(problem: Problem) -> pd.DataFrame:
    cols = [NAME, ASSESSED, *CHECKLIST_ITEMS, OPEN_PROBLEMS, LAST_REVIEW]
    rel = problem.relationship
    if rel is None:
        return pd.DataFrame(columns=cols, index=pd.Index([], name=CLIENT_ID))
    ids = problem.clients.index
    out = pd.DataFrame(index=pd.Index(ids, name=CLIENT_ID))
    out[NAME] = problem.clients[NAME].astype(str).to_numpy()
    out[ASSESSED] = ids.isin(rel.index)
    known = rel.reindex(ids)
    for item in CHECKLIST_ITEMS:
        out[item] = (
            known[item].fillna(UNKNOWN).astype(str).str.lower().to_numpy()
            if item in known.columns
            else UNKNOWN
        )
    out[OPEN_PROBLEMS] = (
        known[OPEN_PROBLEMS].fillna("").astype(str).str.strip().to_numpy()
        if OPEN_PROBLEMS in known.columns
        else ""
    )
    out[LAST_REVIEW] = _naive_dates(known[LAST_REVIEW]) if LAST_REVIEW in known.columns else pd.NaT
    return out[cols]


def _naive_dates(dates: pd.Series) -> np.ndarray:
    """Review dates as naive calendar dates: a date with a UTC offset keeps the date written
    (a Problem built in code may carry one; the bundle reader already drops it)."""

    # A column of one datetime type (what the bundle reader gives) is converted at once; a
    # mix of offsets or of kinds (a Problem built in code) goes date by date.
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        return dates.dt.tz_localize(None).dt.normalize().to_numpy()
    if pd.api.types.is_datetime64_dtype(dates.dtype):
        return dates.dt.normalize().to_numpy()

    def naive(d: Any) -> Any:
        if d is None or pd.isna(d):
            return pd.NaT
        ts = pd.Timestamp(d)
        return (ts.tz_localize(None) if ts.tzinfo is not None else ts).normalize()

    return pd.to_datetime(pd.Series([naive(d) for d in dates], dtype=object)).to_numpy()


def readiness(problem: Problem, unknown_credit: float = UNKNOWN_CREDIT) -> pd.DataFrame:
    """Readiness per client: (yes + unknown_credit x unknown) / 5, in [0, 1].

    Index client_id; columns yes_count, unknown_count, readiness (NaN for a client without a
    row: not assessed). Empty when the bundle has no relationship table.
    """
    if not (isinstance(unknown_credit, (int, float)) and 0 <= unknown_credit <= 1):
        raise RelationshipError("rel_bad_credit", value=str(unknown_credit))
    a = answers(problem)
    items = a[list(CHECKLIST_ITEMS)].to_numpy(dtype=object)
    yes = (items == YES).sum(axis=1) if len(a) else np.zeros(0, dtype=int)
    unk = (items == UNKNOWN).sum(axis=1) if len(a) else np.zeros(0, dtype=int)
    score = (yes + float(unknown_credit) * unk) / len(CHECKLIST_ITEMS)
    score = np.where(a[ASSESSED].to_numpy(dtype=bool), score, np.nan)
    return pd.DataFrame(
        {
            YES_COUNT: yes.astype(int),
            UNKNOWN_COUNT: unk.astype(int),
            READINESS: score.astype(float),
        },
        index=a.index,
    )


def _as_timestamp(as_of: date | datetime | str | pd.Timestamp) -> pd.Timestamp:
    try:
        # Text must be YYYY-MM-DD, as in the bundle: 03.04.2026 is not guessed at.
        ts = (
            pd.to_datetime(as_of.strip(), format="ISO8601", errors="coerce")
            if isinstance(as_of, str)
            else pd.Timestamp(as_of)
        )
    except (TypeError, ValueError) as exc:
        raise RelationshipError("rel_bad_date", value=str(as_of)) from exc
    if pd.isna(ts):
        raise RelationshipError("rel_bad_date", value=str(as_of))
    if ts.tzinfo is not None:  # the calendar date written, as for a review date
        ts = ts.tz_localize(None)
    return ts.normalize()


def _check_days(days: Any) -> int:
    if (
        isinstance(days, bool)
        or not isinstance(days, (int, np.integer, float))
        or not math.isfinite(float(days))
        or float(days) < 0
        or not float(days).is_integer()
    ):
        raise RelationshipError("rel_bad_days", value=str(days))
    return int(days)


def review_age(
    problem: Problem, as_of: date | datetime | str | pd.Timestamp, days: int = DEFAULT_STALE_DAYS
) -> pd.DataFrame:
    """Every client's last review against `as_of`: index client_id; name, last_review,
    days_since_review (NaN without a date; negative for a date after `as_of`), stale (bool),
    stale_reason ('older', 'no date', 'not assessed' or ''). Empty without a checklist."""
    n = _check_days(days)
    ts = _as_timestamp(as_of)
    a = answers(problem)
    last = pd.to_datetime(a[LAST_REVIEW])
    age = (ts - last).dt.days.astype(float)
    assessed = a[ASSESSED].to_numpy(dtype=bool)
    missing = last.isna().to_numpy()
    old = (age > n).to_numpy()
    reason = np.where(
        ~assessed,
        STALE_NOT_ASSESSED,
        np.where(missing, STALE_MISSING, np.where(old, STALE_OLD, "")),
    )
    return pd.DataFrame(
        {
            NAME: a[NAME],
            LAST_REVIEW: last,
            DAYS_SINCE: age,
            STALE: reason != "",
            STALE_REASON: reason,
        },
        index=a.index,
    )


def stale_reviews(
    problem: Problem, as_of: date | datetime | str | pd.Timestamp, days: int = DEFAULT_STALE_DAYS
) -> pd.DataFrame:
    """Clients whose last review is more than `days` days before `as_of`, or who have no
    review date (or no row), oldest first and undated ones on top. Columns as `review_age`."""
    ages = review_age(problem, as_of, days)
    out = ages[ages[STALE]]
    order = np.lexsort((out[DAYS_SINCE].fillna(np.inf).to_numpy() * -1,))
    return out.iloc[order]


def unconfirmed_commitments(problem: Problem) -> pd.DataFrame:
    """Cells with committed units whose client's agreements are not confirmed in writing.

    Index (client_id, method_id); columns client_name, method_name, committed_units,
    written_confirmation ('no', 'unknown' or 'not assessed' for a client without a row).
    Empty when the bundle has no relationship table (nothing was assessed).
    """
    cols = [CLIENT_NAME, METHOD_NAME, COMMITTED_UNITS, WRITTEN_CONFIRMATION]
    empty = pd.DataFrame(
        columns=cols, index=pd.MultiIndex.from_arrays([[], []], names=[CLIENT_ID, METHOD_ID])
    )
    a = answers(problem)
    if a.empty:
        return empty
    vals = problem.values
    committed = vals[COMMITTED_UNITS].to_numpy(dtype=float)
    # Each values row's client by position (the index's codes: one lookup per distinct id).
    level = vals.index.levels[0]
    where = a.index.get_indexer(level)[vals.index.codes[0]]
    known = where >= 0
    conf = np.full(len(vals), UNKNOWN, dtype=object)
    conf[known] = a[WRITTEN_CONFIRMATION].to_numpy(dtype=object)[where[known]]
    assessed = np.zeros(len(vals), dtype=bool)
    assessed[known] = a[ASSESSED].to_numpy(dtype=bool)[where[known]]
    hit = (committed > 0) & (conf != YES)
    if not hit.any():
        return empty
    shown = np.where(assessed, conf, NOT_ASSESSED)
    cids = vals.index.get_level_values(CLIENT_ID)[hit]
    mids = vals.index.get_level_values(METHOD_ID)[hit]
    return pd.DataFrame(
        {
            CLIENT_NAME: problem.clients[NAME].reindex(cids).astype(str).to_numpy(),
            METHOD_NAME: problem.methods[NAME].reindex(mids).astype(str).to_numpy(),
            COMMITTED_UNITS: committed[hit],
            WRITTEN_CONFIRMATION: shown[hit],
        },
        index=vals.index[hit],
    )


def widening_factors(problem: Problem, factor: float = WIDEN_FACTOR) -> dict[str, float]:
    """client_id -> factor for each client whose selection criteria or decision roles are not
    known ("no" or "unknown", or no row at all); feed it to `analysis.robustness(widen=...)`.
    Empty when the bundle has no relationship table."""
    if (
        isinstance(factor, bool)
        or not isinstance(factor, (int, float))
        or not math.isfinite(factor)
        or factor < 1
    ):
        raise RelationshipError("rel_bad_factor", value=str(factor))
    a = answers(problem)
    if a.empty:
        return {}
    unsure = (a[list(WIDEN_ITEMS)] != YES).any(axis=1)
    return {str(c): float(factor) for c in a.index[unsure.to_numpy()]}


def robustness_widening(
    problem: Problem, enabled: bool = True, extra: dict[str, float] | None = None
) -> dict[str, float]:
    """What robustness should widen: the checklist's factors (unless `enabled` is False), with
    explicitly given factors taking precedence client by client."""
    out = widening_factors(problem) if enabled else {}
    out.update(extra or {})
    return out


# ---- the whole checklist at once -------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Checklist:
    """The checklist of every client, with the rules applied.

    clients: index client_id: name, assessed, the five answers, open_problems, last_review,
    yes_count, unknown_count, readiness, days_since_review, stale, stale_reason, widen_factor
    (1 when not widened), unconfirmed_units. stale, unconfirmed: as `stale_reviews` and
    `unconfirmed_commitments`. widen: as `widening_factors`.
    """

    assessed: bool  # False: the bundle has no relationship table
    as_of: pd.Timestamp
    stale_days: int
    clients: pd.DataFrame
    stale: pd.DataFrame
    unconfirmed: pd.DataFrame
    widen: dict[str, float]

    def to_json(self) -> dict[str, Any]:
        """A JSON-able summary (dates as YYYY-MM-DD, blanks as null)."""

        def day(v: Any) -> str | None:
            return None if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d")

        def num(v: Any) -> float | None:
            return None if v is None or pd.isna(v) else float(v)

        clients = [
            {
                "client_id": c,
                "name": r[NAME],
                "assessed": bool(r[ASSESSED]),
                **{item: r[item] for item in CHECKLIST_ITEMS},
                "open_problems": r[OPEN_PROBLEMS],
                "last_review": day(r[LAST_REVIEW]),
                "readiness": num(r[READINESS]),
                "days_since_review": num(r[DAYS_SINCE]),
                "stale": bool(r[STALE]),
                "widen_factor": float(r[WIDEN]),
                "unconfirmed_units": float(r[UNCONFIRMED_UNITS]),
            }
            for c, r in self.clients.iterrows()
        ]
        return {
            "assessed": self.assessed,
            "as_of": day(self.as_of),
            "stale_days": self.stale_days,
            "unknown_credit": UNKNOWN_CREDIT,
            "widen_items": list(WIDEN_ITEMS),
            "clients": clients,
            "stale": [
                {
                    "client_id": c,
                    "last_review": day(r[LAST_REVIEW]),
                    "days_since_review": num(r[DAYS_SINCE]),
                    "reason": r[STALE_REASON],
                }
                for c, r in self.stale.iterrows()
            ],
            "unconfirmed": [
                {
                    "client_id": c,
                    "method_id": m,
                    "committed_units": float(r[COMMITTED_UNITS]),
                    "written_confirmation": r[WRITTEN_CONFIRMATION],
                }
                for (c, m), r in self.unconfirmed.iterrows()
            ],
            "widen": dict(self.widen),
        }


def checklist(
    problem: Problem,
    as_of: date | datetime | str | pd.Timestamp | None = None,
    stale_days: int = DEFAULT_STALE_DAYS,
    unknown_credit: float = UNKNOWN_CREDIT,
) -> Checklist:
    """Every rule applied at once (`as_of` defaults to today)."""
    ts = _as_timestamp(date.today() if as_of is None else as_of)
    a = answers(problem)
    ready = readiness(problem, unknown_credit)
    ages = review_age(problem, ts, stale_days)
    unconf = unconfirmed_commitments(problem)
    widen = widening_factors(problem)
    clients = a.join(ready).join(ages[[DAYS_SINCE, STALE, STALE_REASON]])
    clients[WIDEN] = [widen.get(str(c), 1.0) for c in clients.index]
    per_client = (
        unconf[COMMITTED_UNITS].groupby(level=CLIENT_ID).sum()
        if len(unconf)
        else pd.Series(dtype=float)
    )
    clients[UNCONFIRMED_UNITS] = per_client.reindex(clients.index).fillna(0.0).to_numpy(dtype=float)
    return Checklist(
        assessed=problem.relationship is not None,
        as_of=ts,
        stale_days=_check_days(stale_days),
        clients=clients,
        stale=stale_reviews(problem, ts, stale_days),
        unconfirmed=unconf,
        widen=widen,
    )


@dataclass(frozen=True)
class ClientChecklist:
    """One client's checklist, for the client's own view and plan."""

    client_id: str
    assessed: bool  # the client has a row in the table
    table: bool  # the bundle has a relationship table at all
    answers: dict[str, str]  # item -> yes/no/unknown
    open_problems: str
    last_review: pd.Timestamp | None
    readiness: float | None
    widen_factor: float
    unconfirmed: pd.DataFrame  # this client's rows of `unconfirmed_commitments`


def client_checklist(problem: Problem, client_id: str) -> ClientChecklist:
    """One client's answers, open problems, readiness and flags."""
    if client_id not in problem.clients.index:
        raise RelationshipError("rel_not_a_client", client=str(client_id))
    a = answers(problem)
    table = problem.relationship is not None
    unconf = unconfirmed_commitments(problem)
    mine = unconf[unconf.index.get_level_values(CLIENT_ID) == client_id]
    if not table:
        return ClientChecklist(client_id, False, False, {}, "", None, None, 1.0, mine)
    row = a.loc[client_id]
    ready = readiness(problem).at[client_id, READINESS]
    last = row[LAST_REVIEW]
    return ClientChecklist(
        client_id=client_id,
        assessed=bool(row[ASSESSED]),
        table=True,
        answers={item: str(row[item]) for item in CHECKLIST_ITEMS},
        open_problems=str(row[OPEN_PROBLEMS]),
        last_review=None if pd.isna(last) else pd.Timestamp(last),
        readiness=None if pd.isna(ready) else float(ready),
        widen_factor=widening_factors(problem).get(client_id, 1.0),
        unconfirmed=mine,
    )


def blank_table(client_ids: list[str]) -> pd.DataFrame:
    """A relationship table (text) with one row per client, every answer unknown: where a
    checklist starts."""
    cols = [CLIENT_ID, *CHECKLIST_ITEMS, OPEN_PROBLEMS, LAST_REVIEW]
    rows = [[c, *([UNKNOWN] * len(CHECKLIST_ITEMS)), "", ""] for c in client_ids]
    return pd.DataFrame(rows, columns=cols, dtype=object)


__all__ = [
    "ANSWERS",
    "DEFAULT_STALE_DAYS",
    "ITEM_LABELS",
    "UNKNOWN_CREDIT",
    "WIDEN_FACTOR",
    "WIDEN_ITEMS",
    "Checklist",
    "ClientChecklist",
    "RelationshipError",
    "answers",
    "blank_table",
    "checklist",
    "client_checklist",
    "readiness",
    "review_age",
    "robustness_widening",
    "stale_reviews",
    "unconfirmed_commitments",
    "widening_factors",
]
