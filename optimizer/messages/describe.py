"""Whole lines built from the engine's structured results: an issue with its location, the
explanation of a missing plan, a status. Duck-typed on the engine's objects, so this package
depends on nothing else in the engine."""

from __future__ import annotations

from typing import Any

from .catalog import Message, Translator


def id_key(ids: Any, t: Translator) -> str:
    """A row's ids ((kind, id), ...) in words: "client acme, method trial"."""
    return t("list_comma").join(t(f"id_{kind}", id=v) for kind, v in ids)


def issue_line(issue: Any, t: Translator) -> str:
    """ "values, row 4 (client acme, method trial), column 'value': is not a number [value:
    'abc']", with "Warning: " in front of a warning."""
    where = [issue.table]
    if issue.row is not None:
        if issue.ids:
            where.append(t("where_row_key", row=issue.row, key=id_key(issue.ids, t)))
        else:
            where.append(t("where_row", row=issue.row))
    if issue.column is not None:
        where.append(t("where_column", column=issue.column))
    shown = "" if issue.value is None else t("where_value", value=issue.value)
    line = t("issue_line", where=", ".join(where), message=t.render(issue.msg), shown=shown)
    return (t("warning_label") if issue.severity == "warning" else "") + line


def status_message(status: str, gap: float | None, integer: bool) -> Message:
    """A solve's status in words: optimal, optimal (gap x%), feasible, not proven optimal..."""
    if status == "optimal":
        return (
            Message("status_optimal_gap", {"gap": gap})
            if integer and gap is not None
            else Message("status_optimal")
        )
    if status == "feasible":
        return (
            Message("status_feasible_gap", {"gap": gap})
            if gap is not None
            else Message("status_feasible")
        )
    return Message(f"status_{status}")


def status_line(result: Any, t: Translator) -> str:
    """A result's status in one language."""
    return t.render(status_message(result.status, result.gap, result.settings.integer_units))


def explanation_lines(result: Any, t: Translator) -> list[str]:
    """Why a result has no plan, line by line, in one language (empty when it has one)."""
    return [t.render(m) for m in result.notes]


def conflict_notes(conflicts: Any) -> tuple[Message, ...]:
    """The explanation of an infeasible plan: a header, one line per requirement, a footer."""
    return (
        Message("infeasible_header"),
        *[Message("infeasible_item", {"conflict": c.msg}) for c in conflicts],
        Message("infeasible_footer"),
    )
