"""The Scenarios tab on a PostgreSQL server named by $RISK_PLANNER_DB (the test's own server,
tests/pg.py): saves land there, the page names the server without its password, and a server
that cannot be reached leaves the rest of the dashboard working."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.store import ScenarioStore

ROOT = Path(__file__).resolve().parent.parent


def _scenarios_app(db: str, monkeypatch: pytest.MonkeyPatch):
    from streamlit.testing.v1 import AppTest

    from ui import state

    monkeypatch.setenv("RISK_PLANNER_DB", db)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.session_state[state.OPEN_TAB_KEY] = "scenarios"
    return at.run()


def _texts(at) -> str:
    return "\n".join(
        str(e.value)
        for kind in ("error", "warning", "info", "success", "markdown", "caption")
        for e in getattr(at, kind)
    )


def test_the_tab_saves_to_the_server(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # trust authentication ignores the password: it is here to be kept off the page.
    url = pg_url.replace("postgres@", "postgres:s3cret@")
    at = _scenarios_app(url, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    texts = _texts(at).replace("\\", "")  # Markdown escapes, such as \*, taken off
    assert "s3cret" not in texts and "postgresql+psycopg://postgres:***@" in texts
    at.text_input(key="scenario_name").set_value("Q3 on the server").run()
    at.button(key="scenario_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Saved 'Q3 on the server'" in _texts(at)
    assert ScenarioStore(pg_url).names() == ["Q3 on the server"]


def test_an_unreachable_server_leaves_the_page_working(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import state

    at = _scenarios_app(f"postgresql+psycopg://planner@/plans?host={tmp_path}", monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert any("cannot be reached" in str(e.value) for e in at.error)
    assert "Everything else works" in _texts(at)
    at.session_state[state.OPEN_TAB_KEY] = "plan"
    at.run()
    assert not at.exception and len(at.metric) > 0
