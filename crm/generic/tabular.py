"""Reading an uploaded CSV or Excel file into a header and rows, with a
clear message for every way a file can be wrong (pure functions, no database)."""
from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable
from xml.etree import ElementTree

from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _, ngettext
from openpyxl.utils import column_index_from_string


class FileRejected(ValueError):
    """The file cannot be imported at all; the message says why."""


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]              # data rows, as read (may be ragged); blank lines left out
    encoding: str = ""
    delimiter: str = ""
    # The line of the file (the sheet's row in Excel) each data row starts on,
    # blank lines counted, so a message's row number is the one the user's
    # editor or spreadsheet shows. Empty: numbered from line 2 without gaps.
    numbers: list[int] = field(default_factory=list)

    def number(self, offset: int) -> int:
        """The file line of data row ``offset`` (0-based)."""
        return self.numbers[offset] if self.numbers else offset + 2


@dataclass(frozen=True)
class Limits:
    """How much of a file an import reads before it refuses it. The defaults
    come from the settings (``CRM_MAX_IMPORT_*``); a file past any of them is
    refused with a message that says which, before it can hold a server
    process for long or fill its memory."""

    size: int = 50 * 1024 * 1024          # bytes of the file as uploaded
    rows: int = 250_000                   # records (non-blank rows after the header)
    columns: int = 500                    # cells a row may have
    unpacked: int = 200 * 1024 * 1024     # an .xlsx's content once unzipped
    # An .xlsx part that unzips to more than this many times its packed size
    # is refused (zip-bomb guard; spreadsheets unzip to 5-20 times).
    ratio: int = 100

    @classmethod
    def from_settings(cls, **overrides) -> "Limits":
        from django.conf import settings

        values = {"size": settings.CRM_MAX_IMPORT_SIZE, "rows": settings.CRM_MAX_IMPORT_ROWS,
                  "columns": settings.CRM_MAX_IMPORT_COLUMNS, "unpacked": settings.CRM_MAX_IMPORT_UNPACKED_SIZE}
        return cls(**{**values, **overrides})


# A progress callback: (rows done, rows in all, or 0 when not known yet).
Progress = Callable[[int, int], None]
# How often reading reports its progress, in rows.
PROGRESS_EVERY = 2000
# Reading a CSV: bytes per chunk, and the longest line (a row of a real file
# is a few kilobytes; a 50 MB line of commas is an attack on the memory).
CHUNK = 1 << 20
MAX_LINE = 1 << 20
# The first bytes looked at to tell text from binary data: a stray NUL byte is
# an error in its cell (shown in the preview); NULs in a tenth of the bytes or
# more are a binary file or UTF-16 text.
SNIFF = 4096


def too_large(size: int, limit: int) -> str:
    """The message for a file over the size limit (the upload form says the same)."""
    return _("The file is %(size)s; the limit is %(limit)s. Split it into smaller files.") % {
        "size": filesizeformat(size), "limit": filesizeformat(limit)}


def too_many_rows(limit: int) -> str:
    return ngettext("The file has more than %(limit)s record; split it into files of at most %(limit)s records.",
                    "The file has more than %(limit)s records; split it into files of at most %(limit)s records.",
                    limit) % {"limit": intcomma(limit)}


def too_many_columns(count: int, limit: int) -> str:
    return _("A row of the file has %(count)s cells; the limit is %(limit)s columns.") % {
        "count": intcomma(count), "limit": intcomma(limit)}


def intcomma(number: int) -> str:
    """1234567 → "1,234,567" (in the language's own way)."""
    return number_format(number, force_grouping=True)


def scan_text(handle: BinaryIO) -> tuple[str, str, int]:
    """The codec and its label for a CSV read from ``handle``, and its number
    of lines (for the progress bar), in one pass over its bytes in chunks
    (nothing decoded is kept): UTF-8 (with or without BOM) or Windows-1252.

    A file that is UTF-8 in places and Windows-1252 in others is refused with
    the line of the first bad byte, rather than imported with broken letters.
    """
    handle.seek(0)
    bom = handle.read(3) == b"\xef\xbb\xbf"
    if not bom:
        handle.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, lines, non_ascii = True, 0, False
    while True:
        chunk = handle.read(CHUNK)
        if utf8:
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                # The decoder's input is the undecoded tail of the last chunk (no
                # line break in it) and this chunk; the error's offset is in that.
                good_part = error.object[:error.start]
                if bom or non_ascii or not good_part.isascii():
                    raise FileRejected(
                        _("The file mixes character encodings (line %(line)d is not UTF-8 while earlier lines "
                          "are). Save it again as UTF-8 (“CSV UTF-8” in Excel) and import it again.")
                        % {"line": lines + good_part.count(b"\n") + 1}) from error
                utf8 = False
        if not chunk:
            break
        lines += chunk.count(b"\n")
        non_ascii = non_ascii or not chunk.isascii()
    if not utf8:
        return "cp1252", "Windows-1252", lines
    return ("utf-8-sig", "UTF-8 (BOM)", lines) if bom else ("utf-8", "UTF-8", lines)


def _bounded_lines(text: io.TextIOBase):
    """The file's lines, refusing one too long to be a row of a real table
    before the csv module splits it into millions of cells."""
    while line := text.readline(MAX_LINE + 1):
        if len(line) > MAX_LINE:
            raise FileRejected(_("A line of the file is longer than %(limit)s characters; this is not a table "
                                 "of records.") % {"limit": intcomma(MAX_LINE)})
        yield line


def read_csv(data: bytes | BinaryIO, limits: Limits | None = None, progress: Progress | None = None) -> Table:
    """Read a CSV file (its bytes, or a binary file open for reading) in a
    stream: the file is decoded and split as it is read, so memory holds the
    rows, not copies of the whole file."""
    limits = limits or Limits()
    handle = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    handle.seek(0)
    head = handle.read(SNIFF)
    if head.count(b"\x00") * 10 >= len(head) > 0:
        raise FileRejected(_("This is not a CSV or Excel file (it contains binary data)."))
    encoding, label, total = scan_text(handle)
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    try:
        sample = text.read(20000)
        try:
            delimiter = csv.Sniffer().sniff(sample.split("\n", 1)[0] + "\n", delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
        text.seek(0)
        reader = csv.reader(_bounded_lines(text), delimiter=delimiter)
        rows, numbers = [], []
        # A record starts on the line after the previous one ended (a quoted cell may span lines).
        start = 1
        for row in reader:
            if any(cell.strip() for cell in row):
                if len(row) > limits.columns:
                    raise FileRejected(too_many_columns(len(row), limits.columns))
                if len(rows) > limits.rows:  # the header and ``rows`` records already read
                    raise FileRejected(too_many_rows(limits.rows))
                rows.append(row)
                numbers.append(start)
                if progress and len(rows) % PROGRESS_EVERY == 0:
                    progress(len(rows) - 1, max(total - 1, len(rows)))
            start = reader.line_num + 1
    except csv.Error as error:
        raise FileRejected(_("The CSV file cannot be read: %(error)s.") % {"error": error}) from error
    except UnicodeDecodeError as error:
        raise FileRejected(_("The file is not text in a known encoding (UTF-8 or Windows-1252).")) from error
    finally:
        text.detach()  # the caller's file stays open
    if not rows:
        raise FileRejected(_("The file is empty."))
    header = [cell.strip() for cell in rows[0]]
    return Table(header=header, rows=rows[1:], encoding=label, delimiter=delimiter, numbers=numbers[1:])


# Excel's own limits: a sheet has at most 1,048,576 rows and 16,384 columns.
EXCEL_ROWS = 1_048_576
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]{1,3}(\d+)(?::([A-Z]{1,3})(\d+))?\"")


def check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse an .xlsx that would unzip to too much, before any of it is
    unzipped: the sizes come from the zip's directory (a part cannot unzip to
    more than it says there: the zip reader stops and checks its CRC)."""
    parts = archive.infolist()
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.unpacked:
        raise FileRejected(_("Unzipped, this Excel file is %(size)s; the limit is %(limit)s. Split it into "
                             "smaller files, or save it as CSV.") % {
            "size": filesizeformat(unpacked), "limit": filesizeformat(limits.unpacked)})
    for part in parts:
        if part.file_size > CHUNK and part.file_size > limits.ratio * max(part.compress_size, 1):
            raise FileRejected(_("This Excel file unzips to %(times)s times its size, which spreadsheets never "
                                 "do; it is refused as a precaution. Save the sheet as CSV and import that.")
                               % {"times": intcomma(part.file_size // max(part.compress_size, 1))})


def check_dimension(archive: zipfile.ZipFile, member: str, limits: Limits) -> int:
    """The rows the sheet says it has (its ``<dimension>``, read from the first
    kilobytes of the sheet; 0 when it does not say), refusing a sheet that says
    it has more rows or columns than the limits, before it is read."""
    with archive.open(member) as source:
        head = source.read(64 * 1024)
    # The dimension comes before the cells (the schema's order).
    found = _DIMENSION.search(head.split(b"sheetData", 1)[0])
    if not found or not found.group(2):
        return 0
    rows = int(found.group(3)) - 1  # the header row is not a record
    columns = column_index_from_string(found.group(2).decode())
    if columns > limits.columns:
        raise FileRejected(too_many_columns(columns, limits.columns))
    if rows > limits.rows:
        raise FileRejected(too_many_rows(limits.rows))
    return rows


def read_xlsx(data: bytes | BinaryIO, limits: Limits | None = None, progress: Progress | None = None) -> Table:
    """Read the first worksheet of an .xlsx, after checking from the zip's
    directory and the sheet's first kilobytes that it is within the limits.

    The sheet is parsed once, as a stream (openpyxl's read-only reader would
    parse a sheet without a ``<dimension>`` twice, and pad every row to the
    widest one); rows count by the sheet's row numbers, blank ones included."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser

    limits = limits or Limits()
    handle = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    handle.seek(0)
    damaged = _("The Excel file cannot be read (it may be damaged or not an .xlsx file).")
    try:
        with zipfile.ZipFile(handle) as archive:
            check_archive(archive, limits)
        handle.seek(0)
        reader = ExcelReader(handle, read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [rel.target for _sheet, rel in reader.parser.find_sheets()
                  if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
        if not sheets:
            raise FileRejected(damaged)
        total = check_dimension(reader.archive, sheets[0], limits)
        rows, numbers = [], []
        workbook = reader.wb
        with reader.archive.open(sheets[0]) as source:
            parser = WorkSheetParser(source, reader.shared_strings, data_only=True, epoch=workbook.epoch,
                                     date_formats=workbook._date_formats,
                                     timedelta_formats=workbook._timedelta_formats)
            width = 0
            for number, cells in parser.parse():
                if number > EXCEL_ROWS:
                    raise FileRejected(damaged)
                values = {cell["column"]: _cell_text(cell["value"]) for cell in cells if cell["value"] is not None}
                values = {column: text for column, text in values.items() if text.strip()}
                if not values:
                    continue
                last = max(values)
                if last > limits.columns:
                    raise FileRejected(too_many_columns(last, limits.columns))
                if len(rows) > limits.rows:
                    raise FileRejected(too_many_rows(limits.rows))
                # Every row has the header's cells at least (a blank cell past the last value
                # is no cell in the sheet); a value past them makes the row longer.
                width = width or last
                rows.append([values.get(column, "") for column in range(1, max(width, last) + 1)])
                numbers.append(number)
                if progress and len(rows) % PROGRESS_EVERY == 0:
                    progress(len(rows) - 1, max(total, len(rows) - 1))
        reader.archive.close()
    except FileRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, ValueError, TypeError, EOFError,
            ElementTree.ParseError) as error:
        raise FileRejected(damaged) from error
    if not rows:
        raise FileRejected(_("The file is empty."))
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


def read_table(name: str, data: bytes | str | Path | BinaryIO, max_size: int | None = None, *,
               limits: Limits | None = None, progress: Progress | None = None) -> Table:
    """Read an uploaded file — its bytes, the path of the file on disk, or a
    binary file open for reading (read as a stream) — into a header and rows;
    ``FileRejected`` says clearly why it cannot be imported. ``progress`` is
    told the rows read every few thousand rows."""
    limits = limits or (Limits(size=max_size) if max_size is not None else Limits.from_settings())
    if isinstance(data, (str, Path)):
        with open(data, "rb") as handle:
            return _read(name, handle, limits, progress)
    return _read(name, io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data, limits, progress)


def _read(name: str, handle: BinaryIO, limits: Limits, progress: Progress | None) -> Table:
    size = handle.seek(0, io.SEEK_END)
    if size > limits.size:
        raise FileRejected(too_large(size, limits.size))
    if not size:
        raise FileRejected(_("The file is empty."))
    handle.seek(0)
    head = handle.read(8)
    lower = name.lower()
    if head.startswith(b"PK\x03\x04"):
        if not lower.endswith((".xlsx", ".xlsm")):
            raise FileRejected(_("This is not a CSV or Excel (.xlsx) file."))
        table = read_xlsx(handle, limits, progress)
    elif lower.endswith((".xls",)) or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(_("Old Excel files (.xls) cannot be read; save the sheet as .xlsx or CSV."))
    elif lower.endswith((".csv", ".txt", ".tsv")) or not lower.rpartition(".")[1]:
        table = read_csv(handle, limits, progress)
    else:
        raise FileRejected(_("This is not a CSV or Excel (.xlsx) file."))
    if not any(table.header):
        raise FileRejected(_("The first row must name the columns; it is empty."))
    if not table.rows:
        raise FileRejected(_("The file has a header row but no records."))
    if progress:
        progress(len(table.rows), len(table.rows))
    return table
