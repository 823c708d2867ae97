"""The load test (bench/load.py, `make load`) keeps working: a short run against
SQLite reports its figures and passes its checks, and what it relies on to
classify answers and find accepted stale saves still holds."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from crm.generic.testing import submitted_form

ROOT = Path(__file__).resolve().parents[2]


def load_tool():
    """bench/load.py as a module (it is a script, not a package)."""
    if "bench_load" in sys.modules:
        return sys.modules["bench_load"]
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module   # its dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def test_a_short_run_reports_its_figures_and_passes(tmp_path):
    """2 clients (one editing, one adding notes) for 3 seconds on gunicorn and SQLite."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "bench/load.py", "--clients", "2", "--seconds", "3", "--db", "sqlite",
         "--log", str(tmp_path / "gunicorn.log"), "--json", str(tmp_path / "load.json")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for figure in ("requests", "acknowledged writes", "refused stale saves", "5xx responses", "other errors",
                   "edit save (POST)", "note save (POST)", "p95", "stale saves accepted", "integrity_check: ok"):
        assert figure in output, output
    assert "PASS load test: SQLite" in output
    figures = json.loads((tmp_path / "load.json").read_text())
    assert figures["passed"] and figures["workers"] == 3 and figures["clients"] == 2
    assert figures["acknowledged_notes"] > 0 and figures["acknowledged_edits"] > 0
    assert figures["server_errors"] == figures["other_errors"] == 0
    assert {row["kind"] for row in figures["latency_ms"]} >= {"sign-in", "edit-form", "edit-save", "note-form",
                                                               "note-save"}
    assert "Booting worker" in (tmp_path / "gunicorn.log").read_text()   # gunicorn served it


def test_two_acknowledged_saves_of_one_loaded_version_are_a_stale_save_accepted():
    tool = load_tool()
    edits = [(1, 1, "a"), (1, 2, "b"), (2, 1, "c"), (1, 1, "d"), (1, 1, "e")]
    assert tool.accepted_stale_saves(edits) == {(1, 1): 3}
    assert tool.accepted_stale_saves([(1, 1, "a"), (1, 2, "b"), (2, 1, "c")]) == {}


def test_the_tool_recognises_the_edit_conflict_page(client, staff, other_staff):
    """The page a stale save gets, and not the edit form, is what the tool counts
    as a refused stale save."""
    from django.urls import reverse

    from crm.generic import services
    from crm.tests.factories import ContactFactory

    tool = load_tool()
    record = ContactFactory(job_title="Buyer")
    url = reverse("crm:contact_edit", args=[record.pk])
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert not tool.is_conflict_page(page)
    data = submitted_form(page, class_="record-form")
    data["job_title"] = ["Alice's title"]
    theirs = type(record).objects.get(pk=record.pk)
    theirs.job_title = "Bob's title"
    services.record_update(instance=theirs, user=other_staff)
    response = client.post(url, data)
    assert response.status_code == 200
    assert tool.is_conflict_page(response.content.decode())


def test_make_load_targets_run_the_tool_on_each_database():
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    commands = {target: subprocess.run(["make", "-n", "--no-print-directory", target, "LOAD_ARGS=--clients 4"],
                                       cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.splitlines()
                for target in ("load", "load-pg")}
    assert commands["load"][-1].endswith("bench/load.py --db sqlite --clients 4")
    assert commands["load-pg"][-1].startswith("scripts/with-postgres.sh ")
    assert commands["load-pg"][-1].endswith("bench/load.py --db postgres --clients 4")
