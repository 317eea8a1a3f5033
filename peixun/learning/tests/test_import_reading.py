"""Streaming an export: an .xlsx parsed in parts keeps every row and its Excel row number, a CSV
in either encoding reads the same, and what is not a file of either kind is refused clearly."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from unittest import mock

import pytest

from peixun.core.spreadsheets import (
    SheetFileError,
    iter_csv_rows,
    iter_sheet_rows,
    read_first_sheet,
)

from .import_fixtures import export_xlsx


def rows_of_file(path: Path) -> list[tuple[int, list[object]]]:
    return list(iter_sheet_rows(path))


def test_parts_keep_every_row_and_its_number(tmp_path: Path) -> None:
    data = export_xlsx(
        [
            [f"成员{i}", "", f"139{i:08d}", "支部", dt.date(2025, 3, 1 + i % 28), 0.5, i, "课"]
            for i in range(23)
        ]
    )
    path = tmp_path / "x.xlsx"
    path.write_bytes(data)
    whole = read_first_sheet(data)
    seen: list[float] = []
    with mock.patch.dict(os.environ, {"PEIXUN_SHEET_PART_ROWS": "4"}):
        streamed = list(iter_sheet_rows(path, on_progress=seen.append))
    assert len(seen) == 7  # 25 rows in parts of 4 (the last one shorter)
    assert [n for n, _ in streamed] == list(range(1, 26))
    for number, cells in streamed:
        expected = [c for c in whole[number - 1]]
        assert cells[: len(expected)] == expected, number
    assert streamed[24][1][0] == "成员22"
    assert streamed[2][1][4] == dt.date(2025, 3, 1)  # dates come back as dates


def test_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"%PDF-1.4 not a workbook")
    with pytest.raises(SheetFileError, match=".xlsx"):
        rows_of_file(path)


def test_csv_in_utf8_with_bom_and_gb18030(tmp_path: Path) -> None:
    text = '姓名,学时\r\n李明,1.5\r\n"王, 伟",2\r\n'
    for encoding in ("utf-8-sig", "gb18030"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        assert list(iter_csv_rows(path)) == [
            (1, ["姓名", "学时"]),
            (2, ["李明", "1.5"]),
            (3, ["王, 伟", "2"]),
        ]


def test_binary_renamed_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(SheetFileError):
        list(iter_csv_rows(path))
