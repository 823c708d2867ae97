"""Browser test of a long import (issue: hole 6): while the file is read and
checked the page says so, its button is disabled and a second submit sends
nothing; then the preview comes, and Cancel removes the uploaded file.

The preview is slowed down on the server (the live server runs in this
process) so the busy state lasts long enough to be seen, as with a large file.
"""
import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from django.db import connection

from crm.generic.testing import csv_bytes
from leads.imports import LeadImporter
from leads.models import Lead
from e2e.conftest import shoot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Logs the import form's busy state to the console whenever it changes.
WATCH_BUSY_STATE = """
document.addEventListener("DOMContentLoaded", () => {
  const panel = document.querySelector(".import-progress");
  if (!panel) return;
  const form = panel.closest("form");
  const report = () => {
    const button = [...form.querySelectorAll("button")].find((b) => b.form === form);
    console.log("import-busy " + JSON.stringify({
      visible: !panel.hidden && panel.checkVisibility(), text: panel.querySelector(".import-progress-text").innerText,
      disabled: button.disabled, label: button.textContent.trim(),
      bar: panel.querySelector("progress").getAttribute("aria-label")}));
  };
  new MutationObserver(report).observe(form, {attributes: true, subtree: true, childList: true, characterData: true});
});
"""


def test_a_long_preview_shows_its_progress_and_cancel_removes_the_upload(signed_in_page: Page, live_server, tmp_path,
                                                                         settings, monkeypatch):
    page = signed_in_page
    previews = []
    real_preview = LeadImporter.preview

    def slow_preview(self, *args, **kwargs):
        previews.append(time.monotonic())
        self.report("check", 1_000, 3_000)
        time.sleep(2)
        return real_preview(self, *args, **kwargs)

    monkeypatch.setattr(LeadImporter, "preview", slow_preview)
    rows = [["Full Name", "E-mail Address", "Company"]] + [
        [f"Lead {n}", f"lead{n}@example.com", "Acme"] for n in range(3_000)]
    csv_file = tmp_path / "leads.csv"
    csv_file.write_bytes(csv_bytes(rows))

    # What the import page shows while it waits, as the browser draws it. (The page
    # cannot be asked afterwards: Playwright waits for the pending navigation —
    # the preview — before it looks at the page again.)
    seen = []
    page.on("console", lambda message: message.text.startswith("import-busy ") and seen.append(
        json.loads(message.text.removeprefix("import-busy "))))
    page.add_init_script(WATCH_BUSY_STATE)

    page.goto(f"{live_server.url}/leads/")
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Import Leads", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_be_hidden()
    # The page's script must be running before the double click: a heading can be
    # drawn before deferred scripts run, and on a busy machine the clicks then
    # came first and sent the file twice (no script, no busy state).
    page.wait_for_load_state("load")

    page.get_by_label("File (CSV or Excel .xlsx)").set_input_files(csv_file)
    # A double click, as people do: the second must not send the file again.
    page.get_by_role("button", name="Next", exact=True).dblclick(no_wait_after=True)

    expect(page.get_by_text("Nothing has been saved yet.")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("3000 new", exact=True)).to_be_visible()
    shoot(page, "import-preview")
    assert len(previews) == 1, "the file was sent twice"
    # Working, the button was disabled and the status said what the server was doing.
    busy = [state for state in seen if state["visible"]]
    assert busy and all(state["disabled"] and state["label"] == "Next" for state in busy), seen
    assert busy[0]["text"] == "Uploading and reading the file…" and busy[0]["bar"] == "Progress"
    if connection.vendor == "postgresql":
        # (With SQLite the test server answers one request at a time: the polls wait for the preview.)
        assert any(state["text"] == "Checking the rows: 1,000 of 3,000" for state in busy), seen
    imports = Path(settings.MEDIA_ROOT) / "imports"
    assert any(path.suffix == ".csv" for path in imports.iterdir())

    page.get_by_role("main").get_by_role("button", name="Cancel", exact=True).click()
    expect(page).to_have_url(re.compile(r"/leads/$"))
    expect(page.get_by_text("The import was cancelled and the uploaded file removed.")).to_be_visible()
    shoot(page, "import-cancelled")
    assert not [path for path in imports.rglob("*") if path.is_file()]
    assert not Lead.objects.exists()
