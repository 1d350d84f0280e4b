"""A damaged upload in a real browser: the Inputs tab says what is wrong with the file, the
uploader is empty and usable again, and the user's edits and plan are still there."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest

from optimizer import load_bundle, solve
from test_browser import ARTIFACTS, ROOT, shot
from ui.plan_tab import plan_kpis
from ui.text import fmt_num

pytestmark = pytest.mark.browser
SAMPLE = ROOT / "sample_data"


def encrypted_zip(folder: Path) -> bytes:
    """The sample bundle as a .zip whose values.csv is marked encrypted (flag bit 0 in its
    central-directory record): zipfile refuses it without a password."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            zf.writestr(f.name, f.read_bytes())
    data = bytearray(buf.getvalue())
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46 : pos + 46 + n]) == b"values.csv":
            struct.pack_into("<H", data, pos + 8, 0x1)
            return bytes(data)
        pos = data.find(b"PK\x01\x02", pos + 4)
    raise AssertionError("values.csv not in the archive")


def test_a_damaged_zip_upload_keeps_the_plan_and_the_edits(server: int, browser: Any) -> None:
    problem = load_bundle(SAMPLE)
    half = int(problem.resources.at["budget", "capacity"] / 2)
    expected = fmt_num(plan_kpis(solve(problem.with_capacity("budget", half))).value, "en", 0)
    page = shot.open_dashboard(browser, server)

    # The user's edit: half the budget, typed in the sidebar (it lands in the resources table).
    box = page.get_by_role("spinbutton", name="Budget (EUR)", exact=True)
    box.fill(str(half))
    box.press("Enter")
    page.wait_for_function(
        """(v) => document.querySelector('[data-testid="stMetricValue"]')?.innerText === v""",
        arg=expected,
        timeout=60_000,
    )
    shot.wait_for_run(page)

    shot.open_tab(page, "Inputs")
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    uploader.set_input_files(
        files=[
            {"name": "damaged.zip", "mimeType": "application/zip", "buffer": encrypted_zip(SAMPLE)}
        ]
    )
    alert = page.get_by_text("damaged.zip could not be read")
    alert.wait_for(timeout=60_000)
    shot.wait_for_run(page)
    page.screenshot(path=str(ARTIFACTS / "browser_damaged_upload.png"))
    said = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert any("'damaged.zip: values.csv' is encrypted" in s for s in said), said
    assert any("your edits and the plan are unchanged" in s for s in said), said
    assert page.query_selector(shot.EXCEPTION) is None
    # The uploader is empty again: no file chip left from the damaged upload.
    assert page.locator('[data-testid="stFileUploaderFile"]').count() == 0
    # The edit is kept: the sidebar and the resources table still hold half the budget.
    assert box.input_value() == str(half)

    shot.open_tab(page, "Plan")
    assert page.query_selector(shot.EXCEPTION) is None
    assert shot.metric_values(page)[0] == expected

    # The uploader works again: a good file loads.
    shot.open_tab(page, "Inputs")
    good = (SAMPLE / "values.csv").read_bytes()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "values.csv", "mimeType": "text/csv", "buffer": good}]
    )
    page.get_by_text("Loaded values.csv").wait_for(timeout=60_000)
    shot.wait_for_run(page)
    assert page.query_selector(shot.EXCEPTION) is None
    assert box.input_value() == str(half)  # the other tables, the edited budget among them
