"""The spreadsheet toolkit every import and export shares: reading an uploaded .xlsx safely
(refusing what is not a workbook, an old .xls, or a package that unpacks too large before a
parser sees it), cells as the text a person reads, headers as people type them, and the rows'
problems in one shape.

python-calamine reads (several times faster than openpyxl's read-only mode on the same file;
`bench/import_roster.py` prints both); openpyxl writes.

An uploaded workbook is untrusted twice over. Its package is checked first (magic, entries,
unpacked size), then its first sheet's extent is read off the XML, declared and actual, before any
parser allocates for it: one cell at XFD1048576 would make a dense reader allocate 512 GiB. Only
then does `sheetreader` parse it, in a child process under an address-space limit, so whatever
a parser does with a crafted file ends that child and never a web worker.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import resource
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from .sheetreader import EXIT_UNREADABLE, decode_cell
from .text import fold_width


def normalise_header(text: object) -> str:
    """Forgive what people do to headers: widths, inner spaces (姓  名), a required mark, case."""
    folded = re.sub(r"\s+", "", fold_width(str(text or "")))
    return folded.rstrip("*").lower()


def cell_text(value: object) -> str:
    """A cell as the text a person would read in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_FORMULA_START = ("=", "+", "-", "@")


def undo_neutralise(text: str) -> str:
    """Drop the apostrophe our export put before formula-like text, so an export re-imports as is."""
    if text.startswith("'") and text[1:2] in _FORMULA_START:
        return text[1:]
    return text


def looks_numeric(value: object) -> bool:
    """True for a number cell, the usual reason an 18-digit ID number has lost its last digits."""
    return isinstance(value, int | float) and not isinstance(value, bool)


_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls, and password-protected .xlsx


class SheetFileError(Exception):
    """The upload as a whole cannot be read as a workbook; `message` says why, translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def max_unpacked_bytes() -> int:
    # A zip bomb is refused before the parser inflates it; real rosters unpack to ~10× their size.
    return 25 * int(settings.ROSTER_MAX_UPLOAD_BYTES)


def check_xlsx_package(data: bytes | Path, *, max_unpacked: int | None = None) -> None:
    """Refuse what is not an .xlsx package, or one that unpacks larger than `max_unpacked`
    (default: `max_unpacked_bytes()`). `data` is the upload's bytes or the path it is kept at."""
    if isinstance(data, Path):
        with data.open("rb") as handle:
            head = handle.read(8)
        if not head:
            raise SheetFileError(_("The file is empty."))
        _check_package(head, data, max_unpacked)
        return
    _check_package(data[:8], io.BytesIO(data), max_unpacked)


def _check_package(data: bytes, package_file: Any, max_unpacked: int | None) -> None:
    if not data:
        raise SheetFileError(_("The file is empty."))
    if data.startswith(_OLE_MAGIC):
        raise SheetFileError(
            _(
                "This is an old-style .xls workbook or a password-protected one; "
                "save it as an unprotected .xlsx workbook and upload it again."
            )
        )
    not_xlsx = _(
        "This file is not an Excel workbook (.xlsx). Download the template, fill it in "
        "and upload it; a CSV or other file renamed to .xlsx cannot be read."
    )
    if not data.startswith(_ZIP_MAGIC):
        raise SheetFileError(not_xlsx)
    try:
        with zipfile.ZipFile(package_file) as package:
            entries = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise SheetFileError(not_xlsx) from None
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names:
        raise SheetFileError(not_xlsx)
    limit = max_unpacked_bytes() if max_unpacked is None else max_unpacked
    if sum(entry.file_size for entry in entries) > limit:
        raise SheetFileError(_("The workbook is too large when unpacked; split it into parts."))


# Generous for any import here (a county's roster is 10,000 rows, the benchmark's 50,000) and
# small enough that a dense grid of them fits the child's memory.
MAX_SHEET_ROWS = 200_000
MAX_SHEET_COLUMNS = 200
_READER_MEMORY_BYTES = 2 * 1024**3
_READER_SECONDS = 120
_CHUNK = 1 << 20
# Only a cell's reference has letters then digits in an r="…" attribute (a row's r is digits).
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,4})([0-9]{1,8})"')
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"([0-9]{1,8})\"")
_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\b[^>]*?\sref=\"([A-Z]{1,4})?([0-9]{1,8})?:?([A-Z]{1,4})?([0-9]{1,8})?\""
)
_SHEET_REL = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\sr:id=\"([^\"]+)\"")


def column_number(letters: bytes) -> int:
    """A1-style column letters as a 1-based number (A → 1, XFD → 16384)."""
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def _first_sheet_path(package: zipfile.ZipFile) -> str | None:
    """The part holding the first sheet, as the workbook lists it (what `get_sheet_by_index(0)`
    reads); None when the workbook does not say, and every worksheet part is then checked."""
    match = _SHEET_REL.search(package.read("xl/workbook.xml")[:1_000_000])
    if match is None or "xl/_rels/workbook.xml.rels" not in package.namelist():
        return None
    rels = package.read("xl/_rels/workbook.xml.rels")
    rel_id = re.escape(match.group(1))
    target = re.search(
        rb"<(?:\w+:)?Relationship\b[^>]*?(?:Id=\""
        + rel_id
        + rb"\"[^>]*?Target=\"([^\"]+)\"|Target=\"([^\"]+)\"[^>]*?Id=\""
        + rel_id
        + rb"\")",
        rels,
    )
    if target is None:
        return None
    path = (target.group(1) or target.group(2)).decode("utf-8", "replace")
    return path.lstrip("/") if path.startswith("/") else "xl/" + path


def _chunks(package: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """The part's inflated bytes in overlapping chunks, so no tag is cut in two."""
    tail = b""
    with package.open(name) as part:
        while chunk := part.read(_CHUNK):
            yield tail + chunk
            tail = chunk[-512:]


def sheet_extent(data: bytes) -> tuple[int, int]:
    """(rows, columns) the first sheet reaches: the larger of what it declares and where its
    cells sit, read off the XML without building the sheet."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        first = _first_sheet_path(package)
        names = (
            [first]
            if first in package.namelist()
            else [
                n
                for n in package.namelist()
                if n.startswith("xl/worksheets/") and n.endswith(".xml")
            ]
        )
        rows = columns = 0
        for name in names:
            for chunk in _chunks(package, name):
                for match in _DIMENSION.finditer(chunk):
                    for letters, digits in (
                        (match.group(1), match.group(2)),
                        (match.group(3), match.group(4)),
                    ):
                        if letters:
                            columns = max(columns, column_number(letters))
                        if digits:
                            rows = max(rows, int(digits))
                refs = _CELL_REF.findall(chunk)
                if refs:
                    letters = {ref[0] for ref in refs}
                    columns = max(columns, *map(column_number, letters))
                    rows = max(rows, *(int(ref[1]) for ref in refs))
                for match in _ROW_REF.finditer(chunk):
                    rows = max(rows, int(match.group(1)))
    return rows, columns


def check_sheet_extent(data: bytes) -> None:
    try:
        rows, columns = sheet_extent(data)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        raise SheetFileError(
            _("The workbook is damaged and cannot be read; open it in Excel and save it again.")
        ) from None
    if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS:
        raise SheetFileError(
            _(
                "The first sheet reaches row %(rows)s and column %(columns)s; keep the data "
                "within %(max_rows)s rows and %(max_columns)s columns, and delete anything far "
                "below or to the right of it."
            )
            % {
                "rows": f"{rows:,}",
                "columns": f"{columns:,}",
                "max_rows": f"{MAX_SHEET_ROWS:,}",
                "max_columns": MAX_SHEET_COLUMNS,
            }
        )


def _limit_child() -> None:
    # In the child, before it execs the reader: its memory and CPU time are bounded.
    resource.setrlimit(resource.RLIMIT_AS, (_READER_MEMORY_BYTES, _READER_MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (_READER_SECONDS, _READER_SECONDS))


def read_first_sheet(data: bytes, *, formulas: bool = False) -> list[list[Any]]:
    """Every row of the first sheet, row i of the list being Excel row i + 1. `formulas`: a
    formula cell reads as its text (`=1+1`), not as its cached value."""
    check_xlsx_package(data)
    check_sheet_extent(data)
    damaged = _("The workbook is damaged and cannot be read; open it in Excel and save it again.")
    try:
        done = subprocess.run(  # noqa: S603 — our own interpreter and module, no shell
            [
                sys.executable,
                "-m",
                "peixun.core.sheetreader",
                *(["--formulas"] if formulas else []),
            ],
            input=data,
            capture_output=True,
            timeout=_READER_SECONDS,
            preexec_fn=_limit_child,  # noqa: PLW1509 — sets limits only, before exec
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SheetFileError(
            _("The workbook took too long to read; save it again in Excel and upload it.")
        ) from None
    if done.returncode == EXIT_UNREADABLE:
        raise SheetFileError(damaged)
    if done.returncode != 0:
        raise SheetFileError(
            _(
                "The workbook could not be read within the server's limits; save it again in "
                "Excel, keep only the data, and upload it."
            )
        )
    return [[decode_cell(cell) for cell in row] for row in json.loads(done.stdout)]


# Streaming reads (`iter_sheet_rows`, `iter_csv_rows`) are for files far longer than a roster: an
# external platform's export of a province's year. Excel's own limit caps them.
STREAM_MAX_ROWS = 1_048_576
STREAM_MAX_COLUMNS = MAX_SHEET_COLUMNS
_STREAM_MEMORY_BYTES = 3 * 1024**3
_STREAM_SECONDS = 600
_STREAM_UNPACKED_BYTES = 2 * 1024**3


def _limit_stream_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (_STREAM_MEMORY_BYTES, _STREAM_MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (_STREAM_SECONDS, _STREAM_SECONDS))


def iter_sheet_rows(
    path: Path, *, on_progress: Callable[[float], None] | None = None
) -> Iterator[tuple[int, list[Any]]]:
    """The first sheet of the .xlsx at `path` as (Excel row number, cells), one row at a time.

    The package is checked as for `read_first_sheet`; the parser runs in a child process under
    address-space and CPU limits, parses the sheet in parts and sends its rows in batches, a
    JSON line each, so neither process ever holds the whole sheet. `on_progress` hears the share of the sheet read
    (0–1) before each part. Raises SheetFileError when the file cannot be read, before or
    during the rows.
    """
    check_xlsx_package(path, max_unpacked=_STREAM_UNPACKED_BYTES)
    damaged = _("The workbook is damaged and cannot be read; open it in Excel and save it again.")
    child = subprocess.Popen(  # noqa: S603 — our own interpreter and module, no shell
        [sys.executable, "-m", "peixun.core.sheetreader", "--stream", str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        preexec_fn=_limit_stream_child,  # noqa: PLW1509 — sets limits only, before exec
    )
    assert child.stdout is not None  # noqa: S101 — PIPE was asked for
    try:
        first = child.stdout.readline()
        if not first:
            code = child.wait()
            raise SheetFileError(damaged if code == EXIT_UNREADABLE else _too_big_message())
        total = max(1, int(json.loads(first)["bytes"]))
        number = 0
        loads = json.loads
        for line in child.stdout:
            if line[:1] == b"{":  # a part begins: where it starts and how far the file is read
                marker = loads(line)
                number = int(marker["start"])
                if on_progress is not None:
                    on_progress(min(1.0, int(marker["at"]) / total))
                continue
            batch = loads(line)  # a batch of rows (about sheetreader.STREAM_BATCH_CELLS cells)
            if number + len(batch) > STREAM_MAX_ROWS:
                raise SheetFileError(
                    _("The file has more than %(max_rows)s rows; split it into parts.")
                    % {"max_rows": f"{STREAM_MAX_ROWS:,}"}
                )
            # Only a date, time or duration travels as {"…": …}: most batches need no decoding.
            tagged = b'{"' in line
            for cells in batch:
                number += 1
                if len(cells) > STREAM_MAX_COLUMNS:
                    cells = cells[:STREAM_MAX_COLUMNS]
                yield number, [decode_cell(c) for c in cells] if tagged else cells
        code = child.wait()
        if code == EXIT_UNREADABLE:
            raise SheetFileError(damaged)
        if code != 0:
            raise SheetFileError(_too_big_message())
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()


def _too_big_message() -> str:
    return _(
        "The workbook could not be read within the server's limits; save it again in "
        "Excel, keep only the data, and upload it."
    )


_CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # Chinese platforms export either


def csv_encoding(path: Path) -> str:
    """UTF-8 (with or without a BOM) when the file's start decodes as such, else GB18030."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if b"\x00" in head:
        raise SheetFileError(_("This file is not a CSV text file; save it as CSV or .xlsx."))
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        # A character cut at the end of the sample is still UTF-8.
        if problem.start < len(head) - 3:
            return _CSV_ENCODINGS[1]
    return _CSV_ENCODINGS[0]


def iter_csv_rows(
    path: Path, *, on_progress: Callable[[float], None] | None = None
) -> Iterator[tuple[int, list[Any]]]:
    """A CSV export as (row number, cells), read as it streams (Python's csv module parses
    untrusted text safely in-process). `on_progress` hears the share of the file read (0–1)
    every 50,000 rows."""
    import csv  # noqa: PLC0415 — only the CSV imports need it

    encoding = csv_encoding(path)
    size = path.stat().st_size
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        number = 0
        try:
            for cells in reader:
                number += 1
                if number > STREAM_MAX_ROWS:
                    raise SheetFileError(
                        _("The file has more than %(max_rows)s rows; split it into parts.")
                        % {"max_rows": f"{STREAM_MAX_ROWS:,}"}
                    )
                if on_progress is not None and number % 50_000 == 0:
                    on_progress(min(1.0, handle.buffer.tell() / max(1, size)))  # type: ignore[attr-defined]
                yield number, [c.strip() for c in cells[:STREAM_MAX_COLUMNS]]
        except csv.Error:
            raise SheetFileError(
                _("Row %(row)s of the CSV file cannot be read; save it again as CSV.")
                % {"row": number + 1}
            ) from None


@dataclass
class RowError:
    row: int | None  # the row number Excel shows; None for a problem with the file as a whole
    column: str  # the column header, "" when the problem is not about one column
    value: str  # the offending value as read
    message: str
