"""Frozen dataclasses and column names shared by the whole engine.

Every table crosses the engine's boundary as a pandas frame keyed by the user's own ids;
the column names below are the only place those names are spelled.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import pandas as pd

from .errors import CodedError
from .messages import Message, Translator
from .messages.describe import id_key, issue_line

# ---- bundle tables and their columns -------------------------------------------------------
RESOURCES = "resources"
METHODS = "methods"
CLIENTS = "clients"
VALUES = "values"
OVERRIDES = "overrides"
RELATIONSHIP = "relationship"
SETTINGS = "settings"
REQUIRED_TABLES: tuple[str, ...] = (RESOURCES, METHODS, CLIENTS, VALUES)
OPTIONAL_TABLES: tuple[str, ...] = (OVERRIDES, RELATIONSHIP)
TABLES: tuple[str, ...] = REQUIRED_TABLES + OPTIONAL_TABLES

RESOURCE_ID = "resource_id"
METHOD_ID = "method_id"
CLIENT_ID = "client_id"
# The columns that name a row of each table (a values row is one client's one method).
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    RESOURCES: (RESOURCE_ID,),
    METHODS: (METHOD_ID,),
    CLIENTS: (CLIENT_ID,),
    VALUES: (CLIENT_ID, METHOD_ID),
    OVERRIDES: (CLIENT_ID, METHOD_ID, RESOURCE_ID),
    RELATIONSHIP: (CLIENT_ID,),
}
NAME = "name"
UNIT = "unit"
CAPACITY = "capacity"
MAX_UNITS = "max_units"
DECAY = "decay"
SEGMENT = "segment"
WEIGHT = "weight"
MIN_VALUE_SHARE = "min_value_share"
VALUE = "value"
VALUE_LOW = "value_low"
VALUE_HIGH = "value_high"
COMMITTED_UNITS = "committed_units"
PER_UNIT = "per_unit"
CLIENT_CAP_PREFIX = "max_"

# relationship checklist (DOMAIN.md, table 6.4)
PLAN_AGREED = "plan_agreed"
CRITERIA_KNOWN = "criteria_known"
ROLES_MAPPED = "roles_mapped"
PROCEDURE_KNOWN = "procedure_known"
WRITTEN_CONFIRMATION = "written_confirmation"
OPEN_PROBLEMS = "open_problems"
LAST_REVIEW = "last_review"
CHECKLIST_ITEMS: tuple[str, ...] = (
    PLAN_AGREED,
    CRITERIA_KNOWN,
    ROLES_MAPPED,
    PROCEDURE_KNOWN,
    WRITTEN_CONFIRMATION,
)

# Columns each table must have (methods and clients also carry per-pool columns).
BASE_COLUMNS: dict[str, tuple[str, ...]] = {
    RESOURCES: (RESOURCE_ID, NAME, UNIT, CAPACITY),
    METHODS: (METHOD_ID, NAME, UNIT, MAX_UNITS, DECAY, CAPACITY),
    CLIENTS: (CLIENT_ID, NAME, SEGMENT, WEIGHT, MIN_VALUE_SHARE),
    VALUES: (CLIENT_ID, METHOD_ID, VALUE, VALUE_LOW, VALUE_HIGH, COMMITTED_UNITS, MAX_UNITS),
    OVERRIDES: (CLIENT_ID, METHOD_ID, RESOURCE_ID, PER_UNIT),
    RELATIONSHIP: (CLIENT_ID, *CHECKLIST_ITEMS, OPEN_PROBLEMS, LAST_REVIEW),
}
# Columns that may be left out of a file altogether (blank everywhere).
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    RESOURCES: (),
    METHODS: (CAPACITY,),
    CLIENTS: (SEGMENT, MIN_VALUE_SHARE),
    VALUES: (VALUE_LOW, VALUE_HIGH, COMMITTED_UNITS, MAX_UNITS),
    OVERRIDES: (),
    RELATIONSHIP: (*CHECKLIST_ITEMS, OPEN_PROBLEMS, LAST_REVIEW),
}

# ---- result columns -------------------------------------------------------------------------
UNITS = "units"
IS_FUNDED = "funded"  # allocation: True where the cell has units (optimizer.tolerances.funded)
WEIGHTED_VALUE = "weighted_value"
VALUE_PER_MONEY = "value_per_money"
ATTAINABLE = "attainable"
SHARE = "share"
USED = "used"
SLACK = "slack"
SHADOW_PRICE = "shadow_price"
NEXT_UNIT = "next_unit"
NEEDED_VALUE = "needed_value"
REDUCED_COST = "reduced_cost"
BLOCKED_BY = "blocked_by"
REASON = "reason"  # in English; WHY holds the same as a Message
WHY = "why"
LIMITS = "limits"  # the binding limits the next unit uses, as Messages (BLOCKED_BY in English)
# unfunded: what NEEDED_VALUE is: "exact" (the threshold, confirmed by re-solves), "bound" (a
# lower bound from the prices: the threshold is at least this), "estimate" (from the prices of
# the LP with the chosen whole units fixed, or of the min-cost LP: not a threshold)
NEEDED_KIND = "needed_kind"
NEEDED_EXACT = "exact"
NEEDED_BOUND = "bound"
NEEDED_ESTIMATE = "estimate"
# pools, whole-units mode: the step a re-solve added to the pool (enough for one unit of the
# cheapest method using it) and the objective gained per unit of the pool over that step
PRICE_STEP = "price_step"
STEP_PRICE = "step_price"
USE_PREFIX = "use_"


def use_col(resource_id: str) -> str:
    """Column holding the use of one pool in result frames."""
    return f"{USE_PREFIX}{resource_id}"


def client_cap_col(resource_id: str) -> str:
    """Column of the clients table holding the per-client cap on one pool."""
    return f"{CLIENT_CAP_PREFIX}{resource_id}"


# ---- settings -------------------------------------------------------------------------------
OBJECTIVES: tuple[str, ...] = ("max_value", "min_cost")
SOLVERS: tuple[str, ...] = ("highs", "cbc")


class SettingsError(CodedError, ValueError):
    """A run setting out of its range: `field` names it, `msg` says what it must be."""

    def __init__(self, field: str, value: Any, rule: str, **params: Any):
        super().__init__(rule, field=field, value=value, **params)
        self.field = field
        self.value = value


@dataclass(frozen=True)
class Settings:
    """Run settings; the defaults live here and nowhere else. A Settings checks itself:
    a value out of range raises SettingsError naming the field (readers of files, flags and
    widgets only turn text into the right type)."""

    currency: str = "EUR"
    integer_units: bool = False
    objective: str = "max_value"
    target_value_share: float = 0.9
    time_limit_s: float = 30.0
    mip_gap: float = 0.01
    solver: str = "highs"

    def __post_init__(self) -> None:
        def number(name: str) -> float:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise SettingsError(name, v, "setting_not_number")
            return float(v)

        if not isinstance(self.currency, str) or not self.currency.strip():
            raise SettingsError("currency", self.currency, "setting_blank")
        if not isinstance(self.integer_units, bool):
            raise SettingsError("integer_units", self.integer_units, "setting_not_bool")
        for name, options in (("objective", OBJECTIVES), ("solver", SOLVERS)):
            if getattr(self, name) not in options:
                raise SettingsError(
                    name, getattr(self, name), "setting_one_of", options=list(options)
                )
        if not 0 <= number("target_value_share") <= 1:
            raise SettingsError(
                "target_value_share", self.target_value_share, "setting_between", low=0.0, high=1.0
            )
        if not number("time_limit_s") > 0:
            raise SettingsError("time_limit_s", self.time_limit_s, "setting_positive")
        if not number("mip_gap") >= 0:
            raise SettingsError("mip_gap", self.mip_gap, "setting_at_least", low=0.0)

    def with_(self, **changes: Any) -> Settings:
        """A copy with some fields changed (checked like any Settings)."""
        return replace(self, **changes)


# ---- what the plan optimises when values are uncertain (optimizer/robust.py) ---------------
PLAN_OBJECTIVES: tuple[str, ...] = ("nominal", "robust", "cvar", "expected")
MAX_OBJECTIVE_DRAWS = 5_000  # CVaR: one LP row per draw (docs/model.md, "Plans that hold up")


@dataclass(frozen=True)
class Objective:
    """Which value a max-value plan maximises. `nominal`: the values as given; `robust`: the
    total when the `protect` (Gamma) worst surprises happen, overall or per client
    (`per_client`); `cvar`: the mean of the worst `alpha` share of `draws` seeded draws;
    `expected`: the draws' mean. `widen` (client_id, factor) pairs widen ranges as robustness
    does; `checklist` adds the relationship checklist's widening. Checks itself like Settings."""

    kind: str = "nominal"
    protect: float = 0.0
    per_client: bool = False
    alpha: float = 0.1
    draws: int = 200
    seed: int = 0
    widen: tuple[tuple[str, float], ...] = ()
    checklist: bool = True

    def __post_init__(self) -> None:
        if self.kind not in PLAN_OBJECTIVES:
            raise SettingsError(
                "objective", self.kind, "setting_one_of", options=list(PLAN_OBJECTIVES)
            )
        for name in ("protect", "alpha"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise SettingsError(name, v, "setting_not_number")
        if self.protect < 0:
            raise SettingsError("protect", self.protect, "setting_at_least", low=0.0)
        if not 0 < self.alpha <= 1:
            raise SettingsError("alpha", self.alpha, "setting_between", low=0.0, high=1.0)
        for name, low, high in (("draws", 1, MAX_OBJECTIVE_DRAWS), ("seed", 0, 2**32 - 1)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int):
                raise SettingsError(name, v, "setting_not_number")
            if not low <= v <= high:
                raise SettingsError(name, v, "setting_between", low=float(low), high=float(high))
        if not isinstance(self.per_client, bool):
            raise SettingsError("per_client", self.per_client, "setting_not_bool")

    @property
    def nominal(self) -> bool:
        return self.kind == "nominal"

    def params(self) -> dict[str, Any]:
        """The parameters that made the plan, by kind (for exports and `solve --json`)."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == "robust":
            out.update(protect=self.protect, per_client=self.per_client)
        elif self.kind in ("cvar", "expected"):
            if self.kind == "cvar":
                out["alpha"] = self.alpha
            out.update(draws=self.draws, seed=self.seed)
        if self.kind != "nominal":
            out.update(widen=dict(self.widen), checklist_widening=self.checklist)
        return out


SETTINGS_FIELDS: tuple[str, ...] = (
    "currency",
    "integer_units",
    "objective",
    "target_value_share",
    "time_limit_s",
    "mip_gap",
    "solver",
)


# ---- validation -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Issue:
    """One problem found in the input: a message code with its parameters, located by table,
    row, column and value. `ids` names the row in the user's ids, e.g. (("client", "acme"),
    ("method", "trial")). Words come from the catalogue: `issue.text("ru")`."""

    table: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    row: int | None = None  # 1-based line in the file/sheet, header = 1
    column: str | None = None
    value: str | None = None
    ids: tuple[tuple[str, str], ...] = ()
    severity: str = "error"  # or "warning"

    @property
    def msg(self) -> Message:
        """What is wrong, without the location (templates may name the issue's column)."""
        return Message(self.code, {"column": self.column, **self.params})

    @property
    def message(self) -> str:
        """What is wrong, in English."""
        return self.msg.text()

    @property
    def key(self) -> str | None:
        """The row's ids in English ("client acme, method trial"), or None."""
        return id_key(self.ids, Translator()) if self.ids else None

    def text(self, lang: str = "en") -> str:
        """The whole located message in one language."""
        return issue_line(self, Translator(lang))

    def __str__(self) -> str:
        return self.text()


class BundleError(ValueError):
    """Raised when a bundle cannot be turned into a Problem; carries every issue found."""

    def __init__(self, issues: list[Issue]):
        self.issues: tuple[Issue, ...] = tuple(issues)
        super().__init__("\n".join(str(i) for i in issues))


# ---- the problem ----------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Problem:
    """A validated input bundle.

    resources: index resource_id; name, unit, capacity.
    methods:   index method_id; name, unit, max_units, decay, capacity (NaN = none), one column
               per resource_id with the use per unit.
    clients:   index client_id; name, segment, weight, min_value_share, max_<resource_id>
               (NaN = no cap) for every pool.
    values:    MultiIndex (client_id, method_id) of offered cells only; value, value_low,
               value_high (NaN = no range), committed_units (int), max_units (int, resolved).
    overrides: columns client_id, method_id, resource_id, per_unit.
    relationship: index client_id, or None when the bundle has no checklist.
    Treat the frames as read-only: derive a new Problem (`dataclasses.replace`) to change one.
    """

    resources: pd.DataFrame
    methods: pd.DataFrame
    clients: pd.DataFrame
    values: pd.DataFrame
    overrides: pd.DataFrame
    settings: Settings = field(default_factory=Settings)
    relationship: pd.DataFrame | None = None
    warnings: tuple[Issue, ...] = ()

    @property
    def pools(self) -> list[str]:
        return list(self.resources.index)

    @cached_property
    def money_pool(self) -> str:
        """The pool that holds money: unit equal to the currency, else `budget`, else the first."""
        units = self.resources[UNIT].astype(str).str.strip().str.upper()
        hits = list(self.resources.index[units == self.settings.currency.upper()])
        if hits:
            return hits[0]
        if "budget" in self.resources.index:
            return "budget"
        return self.pools[0]

    def with_settings(self, **changes: Any) -> Problem:
        return replace(self, settings=self.settings.with_(**changes))

    def with_capacity(self, resource_id: str, capacity: float) -> Problem:
        """A copy with one pool's capacity changed."""
        res = self.resources.copy()
        res.loc[resource_id, CAPACITY] = float(capacity)
        return replace(self, resources=res)

    @cached_property
    def _content_hash(self) -> str:
        h = hashlib.sha256()
        for frame in (self.resources, self.methods, self.clients, self.values, self.overrides):
            # Hash the labels and the content (hash_pandas_object is vectorised).
            h.update(repr((list(frame.columns), frame.shape)).encode("utf-8"))
            if len(frame):
                h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
        return h.hexdigest()

    def fingerprint(self) -> str:
        """A short hash of every input that affects the plan (settings included)."""
        return hashlib.sha256((self._content_hash + repr(self.settings)).encode()).hexdigest()[:16]


# ---- the result -----------------------------------------------------------------------------
OPTIMAL = "optimal"
FEASIBLE = "feasible"
INFEASIBLE = "infeasible"
ERROR = "error"


@dataclass(frozen=True)
class Conflict:
    """One requirement in an infeasible set: its kind, the message saying it (code and
    params, with the user's names), the ids concerned, the bound it sets (`amount`) and what
    the written commitments alone need of it (`forced`)."""

    kind: str  # pool | client_cap | method_cap | floor | target | commitment | cell_max
    msg: Message
    resource_id: str | None = None
    client_id: str | None = None
    method_id: str | None = None
    constraint: str = ""
    amount: float | None = None
    forced: float = 0.0
    # cell_max: the methods whose unit caps (for `client_id`) are in the set
    method_ids: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The requirement in English."""
        return self.msg.text()


@dataclass(frozen=True, eq=False)
class Result:
    """What a solve returns. Frames are empty when there is no plan (check `has_plan`)."""

    status: str  # optimal | feasible | infeasible | error
    status_text: str  # e.g. "feasible, not proven optimal (gap 1.3%)"
    objective: float | None
    solver: str
    seconds: float
    gap: float | None
    settings: Settings
    fingerprint: str
    allocation: pd.DataFrame  # index (client_id, method_id)
    clients: pd.DataFrame  # index client_id
    methods: pd.DataFrame  # index method_id
    pools: pd.DataFrame  # index resource_id
    unfunded: pd.DataFrame  # index (client_id, method_id)
    bound: float | None = None  # integer mode: the continuous (LP) bound
    lp_objective: float | None = None  # integer mode: the LP relaxation's value
    money_spent: float | None = None
    target_value: float | None = None  # min_cost mode: the value the plan had to reach
    conflicts: tuple[Conflict, ...] = ()
    explanation: tuple[str, ...] = ()  # `notes` in English
    notes: tuple[Message, ...] = ()  # why there is no plan (or what the solver said)
    message: str = ""  # solver error text, if any
    constraints: pd.DataFrame | None = None  # index constraint name: kind, activity, bounds, dual
    # What the plan maximised when it is not the nominal value (optimizer/robust.py); the
    # objective above is always the plan's nominal weighted value.
    plan_objective: Objective | None = None
    protected_value: float | None = None  # robust: the total when the worst surprises happen
    cvar_value: float | None = None  # cvar: the mean of the worst alpha share of the draws
    expected_value: float | None = None  # cvar / expected: the mean over the draws

    @property
    def has_plan(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE)
