"""Reading an uploaded CSV or Excel file into a header and rows, with a
clear message for every way a file can be wrong (pure functions, no database)."""
from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


class FileRejected(ValueError):
    """The file cannot be imported at all; the message says why."""


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]              # data rows, as read (may be ragged); blank lines left out
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)
    # The line of the file (the sheet's row in Excel) each data row starts on,
    # blank lines counted, so a message's row number is the one the user's
    # editor or spreadsheet shows. Empty: numbered from line 2 without gaps.
    numbers: list[int] = field(default_factory=list)

    def number(self, offset: int) -> int:
        """The file line of data row ``offset`` (0-based)."""
        return self.numbers[offset] if self.numbers else offset + 2


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding: UTF-8 (with or without BOM) or Windows-1252.

    A file that is UTF-8 in places and Windows-1252 in others is refused with
    the line of the first bad byte, rather than imported with broken letters.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        bom = True
    else:
        bom = False
    try:
        return data.decode("utf-8"), "UTF-8 (BOM)" if bom else "UTF-8"
    except UnicodeDecodeError as error:
        good_part = data[:error.start]
        if bom or any(b >= 0x80 for b in good_part):
            line = good_part.count(b"\n") + 1
            raise FileRejected(_("The file mixes character encodings (line %(line)d is not UTF-8 while earlier lines "
                                 "are). Save it again as UTF-8 (“CSV UTF-8” in Excel) and import it again.")
                               % {"line": line}) from error
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as error:
        raise FileRejected(_("The file is not text in a known encoding (UTF-8 or Windows-1252).")) from error


def read_csv(data: bytes) -> Table:
    if b"\x00" in data[:4096]:
        raise FileRejected(_("This is not a CSV or Excel file (it contains binary data)."))
    text, encoding = decode(data)
    if not text.strip():
        raise FileRejected(_("The file is empty."))
    sample = text[:20000]
    try:
        delimiter = csv.Sniffer().sniff(sample.split("\n", 1)[0] + "\n", delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, numbers = [], []
    # A record starts on the line after the previous one ended (a quoted cell may span lines).
    start = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
                numbers.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        raise FileRejected(_("The CSV file cannot be read: %(error)s.") % {"error": error}) from error
    if not rows:
        raise FileRejected(_("The file is empty."))
    header = [cell.strip() for cell in rows[0]]
    return Table(header=header, rows=rows[1:], encoding=encoding, delimiter=delimiter, numbers=numbers[1:])


def read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileRejected(_("The Excel file cannot be read (it may be damaged or not an .xlsx file).")) from error
    sheet = workbook.worksheets[0]
    rows, numbers = [], []
    # Read-only sheets yield every row from the first, empty ones included: the
    # count is the sheet's row number.
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        row = [_cell_text(v) for v in values]
        if any(cell.strip() for cell in row):
            rows.append(row)
            numbers.append(number)
    workbook.close()
    if not rows:
        raise FileRejected(_("The file is empty."))
    while rows[0] and not rows[0][-1].strip():
        rows[0].pop()
    return Table(header=[cell.strip() for cell in rows[0]], rows=rows[1:], encoding="Excel", numbers=numbers[1:])


def _cell_text(value) -> str:
    """A typed Excel cell as the text a CSV export of the same value holds:
    dates as ISO dates, whole numbers without ".0", TRUE/FALSE as 1/0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        # A date cell reads back as midnight: its text is the date alone.
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(name: str, data: bytes, max_size: int) -> Table:
    """Read an uploaded file; ``FileRejected`` says clearly why it cannot be imported."""
    if len(data) > max_size:
        raise FileRejected(_("The file is %(size)s; the limit is %(limit)s. Split it into smaller files.")
                           % {"size": filesizeformat(len(data)), "limit": filesizeformat(max_size)})
    if not data:
        raise FileRejected(_("The file is empty."))
    lower = name.lower()
    if data.startswith(b"PK\x03\x04"):
        if not lower.endswith((".xlsx", ".xlsm")):
            raise FileRejected(_("This is not a CSV or Excel (.xlsx) file."))
        table = read_xlsx(data)
    elif lower.endswith((".xls",)) or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(_("Old Excel files (.xls) cannot be read; save the sheet as .xlsx or CSV."))
    elif lower.endswith((".csv", ".txt", ".tsv")) or not lower.rpartition(".")[1]:
        table = read_csv(data)
    else:
        raise FileRejected(_("This is not a CSV or Excel (.xlsx) file."))
    if not any(table.header):
        raise FileRejected(_("The first row must name the columns; it is empty."))
    if not table.rows:
        raise FileRejected(_("The file has a header row but no records."))
    return table
