"""Whole lines built from the engine's structured results: an issue with its location, the
explanation of a missing plan, a status. Duck-typed on the engine's objects, so this package
depends on nothing else in the engine."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .catalog import Message, Translator

# How many issues of one kind (one code in one table) a list shows before it counts the rest:
# 10,000 unknown ids are one mistake, and the first 20 of them show which.
ISSUES_PER_KIND = 20


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


@dataclass(frozen=True)
class HiddenIssues:
    """Issues of one kind left out of a list: `count` of them, like `example` (the last one
    shown), which `msg` says ("... and 9,980 more like this in values: ...")."""

    table: str
    code: str
    severity: str
    count: int
    example: Any  # an Issue

    @property
    def msg(self) -> Message:
        return Message(
            "issues_more",
            {"count": self.count, "table": self.table, "message": self.example.msg},
        )


def issue_kind(issue: Any) -> tuple[str, str, str]:
    """What makes issues "of one kind": the same code in the same table (and severity)."""
    return (str(issue.table), str(issue.code), str(issue.severity))


def summarize_issues(
    issues: Iterable[Any], per_kind: int = ISSUES_PER_KIND
) -> tuple[list[Any], list[HiddenIssues]]:
    """The first `per_kind` issues of each kind, in their order, and a count of the rest of
    each kind (in the order the kinds first appear)."""
    per_kind = max(1, int(per_kind))
    shown: list[Any] = []
    seen: dict[tuple[str, str, str], int] = {}
    last: dict[tuple[str, str, str], Any] = {}
    for issue in issues:
        kind = issue_kind(issue)
        n = seen[kind] = seen.get(kind, 0) + 1
        if n <= per_kind:
            shown.append(issue)
            last[kind] = issue
    hidden = [
        HiddenIssues(kind[0], kind[1], kind[2], n - per_kind, last[kind])
        for kind, n in seen.items()
        if n > per_kind
    ]
    return shown, hidden


def issue_lines(issues: Sequence[Any], t: Translator, per_kind: int = ISSUES_PER_KIND) -> list[str]:
    """Issues as lines, at most `per_kind` of each kind: the rest of a kind is one line after
    its last shown issue, saying how many more there are."""
    shown, hidden = summarize_issues(issues, per_kind)
    more = {(h.table, h.code, h.severity): h for h in hidden}
    left = {kind: h.example for kind, h in more.items()}
    lines = []
    for issue in shown:
        lines.append(issue_line(issue, t))
        kind = issue_kind(issue)
        if left.get(kind) is issue:
            lines.append(t.render(more[kind].msg))
    return lines


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
