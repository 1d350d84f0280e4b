"""How a pool's price is quoted: per one fixed amount of the pool, not per unit.

A shadow price per unit is a tiny number for a budget (0.0071 points per euro) and a large one
for hours, so sentences and tables quote it per an amount of the pool ("one more 1,000 EUR
would add 7.14"). The amount must stay the same while the capacity moves, or a doubled budget
reads as money getting cheaper: it is chosen once from the pool's capacity (`quote_amount`) and
then kept, or set by the user. The dashboard keeps one amount per pool for the session, the
command line and the exports derive it from the bundle's capacity. Every place that quotes a
price (Plan tab, What-if tab, scenario comparisons, frontier chart, exports) goes through this
module.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from .schema import CAPACITY

QUOTE_SHARE = 0.01  # the quoted amount is about a hundredth of the capacity...
QUOTE_MIN = 1.0  # ...and at least one unit


def quote_amount(capacity: float | None) -> float:
    """The amount a pool's price is quoted for: the largest power of ten not above a hundredth
    of its capacity, and at least one unit (480,000 EUR -> 1,000 EUR; 600 h -> 1 h;
    1,600 h -> 10 h)."""
    if capacity is None or not math.isfinite(capacity) or capacity * QUOTE_SHARE < 10 * QUOTE_MIN:
        return QUOTE_MIN
    return float(10 ** math.floor(math.log10(capacity * QUOTE_SHARE)))


def quote_amounts(
    resources: pd.DataFrame, fixed: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Pool id -> the amount its price is quoted for: the fixed amount where one is given (and
    positive), else `quote_amount` of the pool's capacity. `resources` is indexed by pool id."""
    given = {p: float(a) for p, a in (fixed or {}).items() if a and math.isfinite(a) and a > 0}
    caps = (
        resources[CAPACITY] if CAPACITY in resources.columns else pd.Series(index=resources.index)
    )
    return {
        str(p): given.get(str(p), quote_amount(None if pd.isna(c) else float(c)))
        for p, c in caps.items()
    }


def quoted(price: float | None, amount: float) -> float:
    """A per-unit price as the value of `amount` more of the pool (NaN when unknown)."""
    if price is None:
        return math.nan
    return float(price) * amount
