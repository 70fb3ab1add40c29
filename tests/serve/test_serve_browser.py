"""The web page in a real browser (Playwright driving Debian's chromium) at phone width: sign in, upload
German credit, get recommendations with the constraints read back, run reweighing on sex, read the
change table, run the gated pipeline (its HTML report offered), see both among past runs.
Screenshots go to ``$FAIRMEND_ARTIFACTS`` (default: the test's temporary folder)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from _live_server import Server

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = os.environ.get("FAIRMEND_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium executable (apt-get install chromium)")


def test_sign_in_upload_run_and_read_the_change(server: Server, german_csv: bytes, tmp_path: Path) -> None:
    shots = Path(os.environ.get("FAIRMEND_ARTIFACTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    data = tmp_path / "german.csv"
    data.write_bytes(german_csv)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            # bypass_csp only lets Playwright evaluate its own wait expressions; the page's CSP is tested elsewhere
            page = browser.new_page(viewport={"width": 390, "height": 844}, bypass_csp=True)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(server.base + "/")
            page.fill("#token", "not-a-token")
            page.click("#signin-btn")
            page.wait_for_function("document.getElementById('who').textContent.includes('failed')", timeout=15_000)
            page.fill("#token", server.tokens["analyst"])
            page.click("#signin-btn")
            page.wait_for_selector("#app:not(.hidden)", timeout=15_000)
            assert "analyst" in page.text_content("#who")
            page.set_input_files("#upload", str(data))
            page.click("#upload-btn")
            page.wait_for_function("document.getElementById('upload-msg').textContent.startsWith('Uploaded')",
                                   timeout=30_000)
            page.fill("#situation", "loan approvals; we cannot retrain the deployed model; demographic parity")
            page.click("#recommend-btn")
            page.wait_for_selector("#recommendations li", timeout=60_000)
            assert "cannot retrain" in page.text_content("#understood")
            page.screenshot(path=str(shots / "serve-recommended.png"), full_page=True)
            page.fill("#nboot", "20")
            page.click("#run-btn")
            page.wait_for_function("document.getElementById('run-msg').textContent.includes(': done')",
                                   timeout=180_000)
            assert "demographic_parity_difference" in page.text_content("#result")
            assert page.is_visible("text=Download report.json")
            page.click("#pipeline-btn")
            page.wait_for_selector("text=Download report.html", timeout=180_000)
            assert ": done" in page.text_content("#run-msg")
            page.click("#runs-btn")
            page.wait_for_selector("#runs tr", timeout=15_000)
            listed = page.text_content("#runs")
            assert "reweighing_kamiran_calders" in listed and "pipeline" in listed
            page.screenshot(path=str(shots / "serve-run-done.png"), full_page=True)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"
            assert errors == []
        finally:
            browser.close()
