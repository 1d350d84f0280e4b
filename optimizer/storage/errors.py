"""The storage's one exception: a catalogue code (`store_<code>` or a variant) and its params."""

from __future__ import annotations

from typing import Any

from ..errors import CodedError


class StoreError(CodedError):
    """The database cannot do what was asked (damaged file, unknown name, server gone, ...).

    `code` names the kind of problem (exists, missing, no_name, long_name, folder, not_db,
    unusable, busy, newer, foreign, io, url, url_kind, unreachable, damaged_scenario,
    no_result, read_only, and the workspace's and team's own codes); `msg` says it (the
    catalogue code `store_<code>`, or a variant of it, with its params); `name` and `path` are
    the scenario (or member) and the database concerned. str() is the English text."""

    def __init__(
        self, code: str, name: str = "", path: str = "", text_code: str = "", **params: Any
    ):
        super().__init__(code, text_code or f"store_{code}", name=name, path=path, **params)
        self.name = name
        self.path = path
