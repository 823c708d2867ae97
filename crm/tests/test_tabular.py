"""Reading uploaded files: every bad file gets a clear message (no database)."""
import io

import pytest
from openpyxl import Workbook

from crm.generic.tabular import FileRejected, read_table

LIMIT = 1024 * 1024


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("data, encoding", [
    ("Full Name,Company\nZoë Dubois,Café Lyon\n".encode("utf-8"), "UTF-8"),
    ("Full Name,Company\nZoë Dubois,Café Lyon\n".encode("utf-8-sig"), "UTF-8 (BOM)"),
    ("Full Name,Company\nZoë Dubois,Café Lyon\n".encode("cp1252"), "Windows-1252"),
])
def test_encodings(data, encoding):
    table = read_table("leads.csv", data, LIMIT)
    assert table.encoding == encoding
    assert table.header == ["Full Name", "Company"] and table.rows == [["Zoë Dubois", "Café Lyon"]]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters(delimiter):
    data = f"Full Name{delimiter}E-mail Address\nAnna Hansen{delimiter}anna@example.com\n".encode()
    table = read_table("leads.csv", data, LIMIT)
    assert table.delimiter == delimiter and table.rows == [["Anna Hansen", "anna@example.com"]]


def test_quoted_cells_with_delimiters_and_newlines():
    data = b'Full Name,Comments\n"Hansen, Anna","Line one\nline two"\n'
    assert read_table("x.csv", data, LIMIT).rows == [["Hansen, Anna", "Line one\nline two"]]


def test_xlsx():
    table = read_table("leads.xlsx", xlsx([["Full Name", "Rating"], ["Anna Hansen", 4]]), LIMIT)
    assert table.header == ["Full Name", "Rating"] and table.rows == [["Anna Hansen", "4"]]


def test_ragged_rows_are_kept_for_the_preview():
    table = read_table("x.csv", b"A,B,C\n1,2\n1,2,3,4\n", LIMIT)
    assert table.rows == [["1", "2"], ["1", "2", "3", "4"]]


@pytest.mark.parametrize("name, data, message", [
    ("empty.csv", b"", "The file is empty."),
    ("blank.csv", b"\n\n  \n", "The file is empty."),
    ("header.csv", b"Full Name,Company\n", "The file has a header row but no records."),
    ("mixed.csv", "Name\nZoë\n".encode() + "Café\n".encode("cp1252"), "The file mixes character encodings (line 3"),
    ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV or Excel file (it contains binary data)."),
    ("report.pdf", b"%PDF-1.4 ...", "This is not a CSV or Excel (.xlsx) file."),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Old Excel files (.xls) cannot be read"),
    ("broken.xlsx", b"PK\x03\x04garbage", "The Excel file cannot be read"),
    ("big.csv", b"A\n" + b"x\n" * 600_000, "the limit is 1.0\xa0MB"),
])
def test_bad_files_say_why(name, data, message):
    with pytest.raises(FileRejected) as error:
        read_table(name, data, LIMIT)
    assert message in str(error.value)


# --- Row numbers are the file's line numbers (issue 9, defect 10d) -------------------

def test_csv_rows_are_numbered_by_file_line_blank_lines_counted():
    data = b'Full Name,Comments\n\nAnna Hansen,x\n  \n"Ola Berg","Line one\nline two"\nKari Dahl,y\n'
    table = read_table("x.csv", data, LIMIT)
    assert [row[0] for row in table.rows] == ["Anna Hansen", "Ola Berg", "Kari Dahl"]
    # Anna on line 3, Ola on line 5 (his comment spans lines 5 and 6), Kari on line 7.
    assert [table.number(offset) for offset in range(3)] == [3, 5, 7]


def test_a_header_after_blank_lines_keeps_the_numbering():
    table = read_table("x.csv", b"\n\nFull Name\nAnna Hansen\n", LIMIT)
    assert table.header == ["Full Name"] and table.number(0) == 4


def test_xlsx_rows_are_numbered_by_sheet_row_empty_rows_counted():
    table = read_table("x.xlsx", xlsx([["Full Name"], [], ["Anna Hansen"], [None], ["Ola Berg"]]), LIMIT)
    assert table.rows == [["Anna Hansen"], ["Ola Berg"]]
    assert [table.number(0), table.number(1)] == [3, 5]


def test_typed_excel_cells_read_as_a_csv_export_writes_them():
    import datetime
    from decimal import Decimal

    table = read_table("x.xlsx", xlsx([["ID", "Close Date", "Total", "Probability", "Phone", "Flag"],
                                        [42, datetime.date(2027, 3, 31), Decimal("999.50"), 30.0, "+47 22 33 44 55",
                                         True]]), LIMIT)
    assert table.rows == [["42", "2027-03-31", "999.5", "30", "+47 22 33 44 55", "1"]]
