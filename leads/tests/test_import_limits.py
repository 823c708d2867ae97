"""Imports cannot take a server process down (issue: holes 5 and 6): the body
is refused from its Content-Length, a file over the limit by its size, an
.xlsx that unzips to too much before it is parsed, too many rows or columns
while reading, a preview past its time limit; a NUL byte is an error in its
cell. A long step tells its progress through a file any process can read;
an upload is removed when committed, cancelled or replaced, and what is left
after an hour by ``purge_imports``."""
import io
import os
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook

from crm.generic.tabular import FileRejected, read_table
from crm.generic.testing import csv_bytes, import_confirm, import_upload
from crm.models import ChangeLogEntry
from leads.models import Lead

pytestmark = pytest.mark.django_db
URL = "/leads/import/"
STATUS_URL = "/leads/import/status/"


def imports_folder(settings) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def files_left(settings) -> list[str]:
    """Every file under the imports folder (progress files included)."""
    folder = imports_folder(settings)
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def xlsx_with_sheet(sheet_xml: bytes) -> bytes:
    """A real .xlsx (openpyxl's) whose first sheet is replaced by ``sheet_xml``."""
    workbook = Workbook()
    workbook.active.append(["Full Name"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            target.writestr(item.filename, data)
    return out.getvalue()


SHEET = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s<sheetData>%s</sheetData>'
         b'</worksheet>')


def cell_rows(count: int, start: int = 1) -> bytes:
    return b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>Name %d</t></is></c></row>' % (n, n, n)
                    for n in range(start, start + count))


@pytest.fixture
def no_sheet_parsing(monkeypatch):
    """Parsing a sheet's cells fails the test: a refusal must come before it."""
    from openpyxl.worksheet._reader import WorkSheetParser

    def parse(self):
        raise AssertionError("the sheet was parsed")

    monkeypatch.setattr(WorkSheetParser, "parse", parse)


# --- 5. Limits ---------------------------------------------------------------------

class Unreadable(io.RawIOBase):
    """A request body that must not be read."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readinto = readline = read


def test_a_body_larger_than_any_upload_is_refused_before_it_is_read(staff_client, settings):
    settings.CRM_MAX_REQUEST_SIZE = 1000
    response = staff_client.generic("POST", URL, b"x", content_type="multipart/form-data; boundary=xyz",
                                    CONTENT_LENGTH="400000000", **{"wsgi.input": Unreadable()})
    assert response.status_code == 413
    body = response.content.decode()
    assert "The file is too large to upload." in body
    assert "What was sent is 381.5\xa0MB; nothing was saved." in body
    assert "An import file may be up to 50.0\xa0MB, an attached file up to 10.0\xa0MB." in body
    assert files_left(settings) == [] and not Lead.objects.exists()


def test_a_file_over_the_limit_is_refused_by_its_size_without_being_read(staff_client, settings, monkeypatch):
    from django.core.files.uploadedfile import InMemoryUploadedFile

    real_read = InMemoryUploadedFile.read  # a property (Django's FileProxyMixin)

    def read(self):
        # The test client reads its file to send it; the server's copy has a field name.
        assert self.field_name is None, "the upload was read"
        return real_read.fget(self)

    monkeypatch.setattr(InMemoryUploadedFile, "read", property(read))
    settings.CRM_MAX_IMPORT_SIZE = 100
    response = import_upload(staff_client, URL, "big.csv", b"Full Name\n" + b"Anna Hansen\n" * 20)
    assert "The file is 250\xa0bytes; the limit is 100\xa0bytes." in response.content.decode()
    assert response.context["step"] == "upload"
    assert files_left(settings) == [] and not Lead.objects.exists()


def test_an_xlsx_that_unzips_to_too_much_is_refused_before_it_is_parsed(staff_client, settings, no_sheet_parsing):
    settings.CRM_MAX_IMPORT_UNPACKED_SIZE = 1024 * 1024
    bomb = xlsx_with_sheet(SHEET % (b"", cell_rows(1) + b"<row/>" * 300_000))  # 1.7 MB of sheet, packed to a few KB
    assert len(bomb) < 20_000
    response = import_upload(staff_client, URL, "bomb.xlsx", bomb)
    assert "Unzipped, this Excel file is 1.7\xa0MB; the limit is 1.0\xa0MB." in response.content.decode()
    assert files_left(settings) == [] and not Lead.objects.exists()


def test_an_xlsx_packed_far_tighter_than_a_spreadsheet_is_refused(staff_client, no_sheet_parsing, settings):
    bomb = xlsx_with_sheet(SHEET % (b"", cell_rows(1) + b"<row/>" * 400_000))
    response = import_upload(staff_client, URL, "bomb.xlsx", bomb)
    assert "This Excel file unzips to" in response.content.decode()
    assert "times its size, which spreadsheets never do" in response.content.decode()
    assert files_left(settings) == []


def test_an_xlsx_whose_dimension_says_too_many_rows_is_refused_before_it_is_parsed(staff_client, settings,
                                                                                  no_sheet_parsing):
    settings.CRM_MAX_IMPORT_ROWS = 1000
    sheet = xlsx_with_sheet(SHEET % (b'<dimension ref="A1:B300000"/>', cell_rows(3)))
    response = import_upload(staff_client, URL, "huge.xlsx", sheet)
    assert ("The file has more than 1,000 records; split it into files of at most 1,000 records."
            in response.content.decode())
    assert files_left(settings) == []


def test_an_xlsx_with_more_rows_than_the_limit_stops_being_read(staff_client, settings):
    settings.CRM_MAX_IMPORT_ROWS = 3
    response = import_upload(staff_client, URL, "rows.xlsx", xlsx_with_sheet(SHEET % (b"", cell_rows(10))))
    assert "The file has more than 3 records" in response.content.decode()
    assert files_left(settings) == [] and not Lead.objects.exists()


def test_an_xlsx_row_far_to_the_right_is_refused(staff_client, settings):
    settings.CRM_MAX_IMPORT_COLUMNS = 50
    row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>Full Name</t></is></c><c r="XFD1"><v>1</v></c></row>'
    response = import_upload(staff_client, URL, "wide.xlsx", xlsx_with_sheet(SHEET % (b"", row + cell_rows(1, 2))))
    assert "A row of the file has 16,384 cells; the limit is 50 columns." in response.content.decode()


def test_a_csv_with_more_rows_than_the_limit_is_refused(staff_client, settings):
    settings.CRM_MAX_IMPORT_ROWS = 3
    response = import_upload(staff_client, URL, "rows.csv", csv_bytes([["Full Name"]] + [[f"Lead {n}"] for n in range(4)]))
    assert "The file has more than 3 records; split it into files of at most 3 records." in response.content.decode()
    assert files_left(settings) == [] and not Lead.objects.exists()
    # As many as the limit are fine.
    response = import_upload(staff_client, URL, "rows.csv", csv_bytes([["Full Name"]] + [[f"Lead {n}"] for n in range(3)]))
    assert response.context["counts"]["new"] == 3


def test_a_line_of_a_million_commas_is_refused_before_it_is_split(staff_client):
    response = import_upload(staff_client, URL, "commas.csv", b"Full Name\n" + b"," * 2_000_000 + b"\n")
    assert "A line of the file is longer than 1,048,576 characters" in response.content.decode()


def test_a_preview_past_its_time_limit_stops_and_leaves_nothing(staff_client, settings, monkeypatch):
    from crm.generic import importjobs

    settings.CRM_IMPORT_TIME_LIMIT = 5
    clock = iter(range(0, 10_000, 10))  # every look at the clock is 10 s later
    monkeypatch.setattr(importjobs.time, "monotonic", lambda: next(clock))
    response = import_upload(staff_client, URL, "slow.csv", csv_bytes([["Full Name"], ["Anna Hansen"]]))
    assert ("Checking this file took more than 5 seconds, the limit; nothing was saved. Split it into smaller "
            "files and import them one by one.") in response.content.decode()
    assert response.context["step"] == "upload"
    assert files_left(settings) == [] and not Lead.objects.exists()


def test_reading_a_csv_from_disk_holds_no_copy_of_the_file(tmp_path):
    """The old reader held the file's bytes, its text and a StringIO of it at
    once (several times the file); the stream holds the rows it returns."""
    from crm.generic.tabular import Limits

    path = tmp_path / "leads.csv"
    path.write_bytes(csv_bytes([["Full Name", "Comments"]] + [[f"Lead {n}", "x" * 400] for n in range(10_000)]))
    tracemalloc.start()
    try:
        table = read_table("leads.csv", path, limits=Limits())
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(table.rows) == 10_000
    assert peak - kept < path.stat().st_size / 2, (peak, kept)


def test_a_nul_byte_in_a_cell_is_an_error_beside_its_row_and_column(staff_client, settings):
    rows = [["Full Name", "Company", "E-mail Address"]] + [[f"Lead {n}", "Acme", f"lead{n}@example.com"] for n in range(200)]
    rows[150][1] = "Ac\x00me"  # far past the first kilobytes of the file
    response = import_upload(staff_client, URL, "nul.csv", csv_bytes(rows))
    body = response.content.decode()
    assert response.context["counts"] == {"new": 199, "update": 0, "unchanged": 0, "skip": 0, "error": 1}
    assert ("<td>151</td><td>Company</td><td>Ac\x00me</td><td>The cell contains a NUL character (binary data), "
            "which cannot be stored.</td>") in body
    done = import_confirm(staff_client, URL, response, skip_errors="on")
    assert "199 new" in done.content.decode()
    assert Lead.objects.count() == 199
    assert not any("\x00" in name for name in Lead.objects.values_list("company_name", flat=True))
    assert not Lead.objects.filter(full_name="Lead 149").exists()


def test_a_file_of_mostly_nul_bytes_is_still_binary():
    with pytest.raises(FileRejected, match="it contains binary data"):
        read_table("utf16.csv", "Full Name\nAnna\n".encode("utf-16-le"), 10**6)


# --- 6. Progress, Cancel, removal ----------------------------------------------------

def test_the_import_page_has_a_progress_status_and_no_inline_script(staff_client):
    body = staff_client.get(URL).content.decode()
    assert 'class="import-form"' in body and f'data-status-url="{STATUS_URL}"' in body
    assert 'name="progress"' in body and 'role="status"' in body
    main = body[body.index("<main"):] if "<main" in body else body
    assert "<script>" not in main and not any(f" on{event}=" in body for event in ("click", "submit", "change", "load"))


def test_a_step_writes_its_progress_where_any_process_can_read_it(staff_client, staff, other_staff, settings,
                                                                  monkeypatch, client):
    from crm.generic import importjobs

    # The page reads the progress while the step works; here it is kept to be read afterwards.
    monkeypatch.setattr(importjobs.ImportProgress, "finish", lambda self: None)
    monkeypatch.setattr(importjobs, "PROGRESS_INTERVAL", 0)
    progress_id = "p" * 32
    staff_client.post(URL, {"step": "upload", "on_duplicate": "update", "progress": progress_id,
                            "file": SimpleUploadedFile("leads.csv", csv_bytes([["Full Name"], ["Anna"], ["Ola"]]))})
    status = staff_client.get(STATUS_URL, {"id": progress_id})
    assert status.status_code == 200 and status["Cache-Control"] == "no-store"
    assert status.json() == {"phase": "plan", "done": 0, "total": 0, "text": "Preparing the preview…"}
    path = imports_folder(settings) / "progress" / f"{progress_id}.json"
    path.write_text('{"user": %d, "phase": "read", "done": 12000, "total": 220000}' % staff.pk)
    assert staff_client.get(STATUS_URL, {"id": progress_id}).json()["text"] == (
        "Reading the file: 12,000 of about 220,000 rows")
    # Nobody else's, and no path through the id.
    client.force_login(other_staff)
    assert client.get(STATUS_URL, {"id": progress_id}).status_code == 204
    assert staff_client.get(STATUS_URL, {"id": "../../etc/passwd"}).status_code == 204


def test_the_step_s_progress_file_is_removed_when_it_ends(staff_client, settings):
    staff_client.post(URL, {"step": "upload", "on_duplicate": "update", "progress": "q" * 32,
                            "file": SimpleUploadedFile("leads.csv", csv_bytes([["Full Name"], ["Anna"]]))})
    assert not any(name.startswith("progress/") for name in files_left(settings))


def test_cancel_removes_the_upload_at_once(staff_client, settings):
    response = import_upload(staff_client, URL, "leads.csv", csv_bytes([["Full Name"], ["Anna Hansen"]]))
    token = response.context["token"]
    assert len(files_left(settings)) == 2  # the upload and its preview's plan
    cancelled = staff_client.post(URL, {"step": "cancel", "token": token}, follow=True)
    assert cancelled.redirect_chain[-1][0] == "/leads/"
    assert "The import was cancelled and the uploaded file removed." in cancelled.content.decode()
    assert files_left(settings) == []
    again = import_confirm(staff_client, URL, response)
    assert "This import has expired; upload the file again." in again.content.decode()
    assert not Lead.objects.exists()


def test_a_new_upload_replaces_the_earlier_one(staff_client, settings):
    first = import_upload(staff_client, URL, "first.csv", csv_bytes([["Full Name"], ["Anna Hansen"]]))
    second = import_upload(staff_client, URL, "second.csv", csv_bytes([["Full Name"], ["Ola Berg"]]))
    tokens = {name.split(".")[0] for name in files_left(settings)}
    assert tokens == {second.context["token"]} != {first.context["token"]}
    import_confirm(staff_client, URL, second)
    assert files_left(settings) == []  # committed: removed at once
    assert list(Lead.objects.values_list("full_name", flat=True)) == ["Ola Berg"]


def test_an_upload_removed_meanwhile_says_the_import_expired(staff_client, settings):
    response = import_upload(staff_client, URL, "leads.csv", csv_bytes([["Full Name"], ["Anna Hansen"]]))
    call_command("purge_imports", minutes=0, verbosity=0)
    done = import_confirm(staff_client, URL, response)
    assert "This import has expired; upload the file again." in done.content.decode()
    assert not Lead.objects.exists() and not ChangeLogEntry.objects.exists()


def test_purge_imports_removes_what_is_older_than_an_hour(settings, capsys):
    folder = imports_folder(settings)
    (folder / "progress").mkdir(parents=True)
    old, recent = folder / "old.csv", folder / "recent.csv"
    stale_progress = folder / "progress" / ("x" * 32 + ".json")
    for path in (old, recent, stale_progress):
        path.write_text("x")
    hour_and_a_bit = time.time() - 3700
    for path in (old, stale_progress):
        os.utime(path, (hour_and_a_bit, hour_and_a_bit))
    call_command("purge_imports")
    assert "2 file(s) removed from the imports folder." in capsys.readouterr().out
    assert files_left(settings) == ["recent.csv"]
