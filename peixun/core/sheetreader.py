"""The child process that parses an untrusted workbook: `python -m peixun.core.sheetreader`.

It reads the .xlsx bytes on stdin and writes the first sheet's rows as JSON on stdout (or, with
`--stream PATH`, reads the file at PATH and writes its rows a batch to a JSON line, for files
too long to hand over whole). It runs
under an address-space limit set by the parent (`spreadsheets.read_first_sheet`), so a file that
makes the parser allocate without bound kills this child, never a web worker. It imports nothing
of Django, so it starts in tens of milliseconds.

Cells travel as JSON; the types JSON lacks are tagged: {"d": date}, {"dt": datetime},
{"t": time}, {"td": seconds}.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
import os
import re
import sys
import zipfile
from collections.abc import Iterator
from typing import Any

EXIT_UNREADABLE = 3


def encode_cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, dt.time):
        return {"t": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"td": value.total_seconds()}
    return value


def decode_cell(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((tag, text),) = value.items()
        if tag == "dt":
            return dt.datetime.fromisoformat(text)
        if tag == "d":
            return dt.date.fromisoformat(text)
        if tag == "t":
            return dt.time.fromisoformat(text)
        if tag == "td":
            return dt.timedelta(seconds=text)
    return value


def parse_with_formulas(data: bytes) -> list[list[Any]]:
    """openpyxl, for the imports that keep a typed `=1+1` as its text (calamine reads only
    the cached value, which a formula cell written by a program does not have)."""
    from openpyxl import load_workbook  # noqa: PLC0415 — loaded by main() before the try

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record a wrong size
        return [[encode_cell(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def parse(data: bytes) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook  # noqa: PLC0415 — loaded by main() before the try

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheet = workbook.get_sheet_by_index(0)
    # skip_empty_area=False keeps leading blank rows, so list indexes match Excel's rows.
    rows = sheet.to_python(skip_empty_area=False)
    return [[encode_cell(cell) for cell in row] for row in rows]


# A sheet is parsed in parts of this many rows, each its own small workbook sharing the
# original's strings and styles: calamine holds a whole sheet's cells, ~600 bytes a row.
STREAM_PART_ROWS = int(os.environ.get("PEIXUN_SHEET_PART_ROWS") or 50_000)  # tests use a few
STREAM_BATCH_CELLS = 20_000
_HEAD = re.compile(rb"<(\w+:)?sheetData\b[^>]*>")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*/>")


def _sheet_parts(package: zipfile.ZipFile, name: str) -> Iterator[tuple[bytes, int]]:
    """The sheet part's XML cut into whole-row pieces of STREAM_PART_ROWS rows, each made a
    sheet of its own (the original head, those rows, the closing tags), with how many inflated
    bytes of the part have been read so far. A sheet whose rows do not number themselves
    (no r="…") comes whole, since a piece would restart its numbering at 1."""
    with package.open(name) as part:
        pending = bytearray()
        match = None
        while match is None:
            chunk = part.read(1 << 20)
            if not chunk:
                yield bytes(pending), len(pending)
                return
            pending += chunk
            match = _HEAD.search(pending)
        read = len(pending)
        prefix = match.group(1) or b""
        head = _DIMENSION.sub(b"", bytes(pending[: match.end()]))
        close = b"</" + prefix + b"row>"
        tail = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
        del pending[: match.end()]
        first_row = bytes(pending[: pending.find(b">") + 1])
        numbered = b"row" not in first_row or b" r=" in first_row
        rows = pending.count(close)
        while True:
            while numbered and rows >= STREAM_PART_ROWS:
                cut = -1
                for _ in range(STREAM_PART_ROWS):
                    cut = pending.find(close, cut + 1)
                cut += len(close)
                yield head + bytes(pending[:cut]) + tail, read
                del pending[:cut]
                rows -= STREAM_PART_ROWS
            chunk = part.read(1 << 20)
            if not chunk:
                break
            read += len(chunk)
            # A closing tag cut between two chunks is counted once, when the chunk joins it.
            overlap = bytes(pending[-16:])
            rows += (overlap + chunk).count(close) - overlap.count(close)
            pending += chunk
        end = pending.rfind(b"</" + prefix + b"sheetData>")
        if end >= 0:
            del pending[end:]
        if pending.strip():
            yield head + bytes(pending) + tail, read


def _part_workbook(package: zipfile.ZipFile, sheet_name: str, sheet_xml: bytes) -> io.BytesIO:
    """A stored (uncompressed) copy of the package with `sheet_xml` as its first sheet."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for info in package.infolist():
            if info.filename == sheet_name:
                copy.writestr(info.filename, sheet_xml)
            elif not info.filename.startswith("xl/worksheets/"):
                copy.writestr(info.filename, package.read(info.filename))
    out.seek(0)
    return out


def stream(path: str) -> int:
    """`--stream PATH`: the first sheet's rows, a batch of them (about STREAM_BATCH_CELLS
    cells) to a JSON line ([[cells…], …]), after a first line {"bytes": the sheet's inflated
    size} and, before each part's rows, a line {"at": inflated bytes read, "start": the part's
    first row}. The sheet is parsed in parts, so neither this child nor its parent ever holds
    more than a part's cells, however long the sheet."""
    from python_calamine import CalamineWorkbook  # noqa: PLC0415 — loaded by main() before the try

    out = sys.stdout
    dumps = json.JSONEncoder(ensure_ascii=False, default=_encode_default).encode
    try:
        package = zipfile.ZipFile(path)
        sheet_name = _first_sheet_name(package)
        total = package.getinfo(sheet_name).file_size
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return EXIT_UNREADABLE
    out.write(json.dumps({"bytes": total}) + "\n")
    try:
        for sheet_xml, read in _sheet_parts(package, sheet_name):
            workbook = CalamineWorkbook.from_filelike(
                _part_workbook(package, sheet_name, sheet_xml)
            )
            del sheet_xml
            sheet = workbook.get_sheet_by_index(0)
            start_row, start_column = sheet.start or (0, 0)
            out.write(json.dumps({"at": read, "start": start_row}) + "\n")
            pad: list[Any] = [None] * start_column
            # iter_rows would pad a part that starts at row 500,001 with 500,000 empty rows;
            # the part's own rows are at most STREAM_PART_ROWS, held as lists for a moment.
            rows = sheet.to_python(skip_empty_area=True)
            if pad:
                rows = [pad + row for row in rows]
            # Rows travel many to a line: one JSON parse in the parent for many rows, not one
            # each (a million rows' calls were most of its reading); a line holds about
            # STREAM_BATCH_CELLS cells however wide the sheet, so the parent's read is bounded.
            step = max(1, STREAM_BATCH_CELLS // max(1, len(rows[0]) if rows else 1))
            for i in range(0, len(rows), step):
                out.write(dumps(rows[i : i + step]))
                out.write("\n")
            del workbook, sheet, rows
    except MemoryError:
        raise
    except Exception:  # calamine raises several unrelated types for damaged files
        out.flush()
        return EXIT_UNREADABLE
    out.flush()
    return 0


def _first_sheet_name(package: zipfile.ZipFile) -> str:
    """The part of the workbook's first sheet (as calamine's get_sheet_by_index(0) reads)."""
    workbook = package.read("xl/workbook.xml")
    match = re.search(rb"<(?:\w+:)?sheet\b[^>]*?\sr:id=\"([^\"]+)\"", workbook)
    names = package.namelist()
    if match is not None and "xl/_rels/workbook.xml.rels" in names:
        rels = package.read("xl/_rels/workbook.xml.rels")
        for rel in re.finditer(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
            tag = rel.group(0)
            if b'Id="' + match.group(1) + b'"' in tag:
                target = re.search(rb'Target="([^"]+)"', tag)
                if target is not None:
                    name = target.group(1).decode("utf-8", "replace")
                    name = name.lstrip("/") if name.startswith("/") else "xl/" + name
                    if name in names:
                        return name
    sheets = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    if not sheets:
        raise KeyError("no worksheet")
    return sheets[0]


def _encode_default(value: Any) -> Any:
    encoded = encode_cell(value)
    if encoded is value:
        raise TypeError(type(value).__name__)
    return encoded


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--stream":
        importlib.import_module("python_calamine")
        return stream(sys.argv[2])
    data = sys.stdin.buffer.read()
    formulas = "--formulas" in sys.argv
    # Loaded outside the try: a library that cannot load (out of the parent's memory limit, say)
    # is not a damaged file, and must not be reported as one.
    importlib.import_module("openpyxl" if formulas else "python_calamine")
    try:
        rows = parse_with_formulas(data) if formulas else parse(data)
    except MemoryError:
        raise  # out of the parent's limits: not the same as a damaged file
    except Exception:  # calamine raises several unrelated types for damaged files
        return EXIT_UNREADABLE
    sys.stdout.write(json.dumps(rows, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
