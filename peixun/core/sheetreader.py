"""The child process that parses an untrusted workbook: `python -m peixun.core.sheetreader`.

It reads the .xlsx bytes on stdin and writes the first sheet's rows as JSON on stdout. It runs
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
import sys
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


def main() -> int:
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
