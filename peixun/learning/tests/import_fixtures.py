"""What the import tests share: a 学习强国-style export written with openpyxl, and a source."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from peixun.learning.models import ExternalSource, ImportBatch, ImportLine
from peixun.learning.services.imports import default_mapping
from peixun.orgs.models import Organization

HEADER = ["姓名", "公民身份号码", "手机号", "单位", "日期", "学时", "积分", "课程名称"]


def export_xlsx(
    rows: list[list[Any]], *, header: list[str] | None = None, title: bool = True
) -> bytes:
    """An export as the platform writes it: a title row, the header, then the rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title:
        sheet.append(["学习强国 学习情况统计表"])
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "xuexi-2025.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def make_source(org: Organization, name: str = "学习强国") -> ExternalSource:
    return ExternalSource.objects.create(
        org=org, name=name, platform=ExternalSource.Platform.XUEXI, mapping=default_mapping()
    )


def review_batch(org: Organization) -> dict[str, int]:
    """A source of `org` with a checked batch whose one line waits for review, written straight
    to the tables: the objects the scope crawl asks for (kind → id)."""
    source = make_source(org, "爬取用来源")
    batch = ImportBatch.objects.create(
        source=source, period="2025", filename="x.xlsx", status=ImportBatch.Status.CHECKED,
        people=1, review=1,
    )  # fmt: skip
    line = ImportLine.objects.create(
        batch=batch, row=3, name="王伟", hours=1, state=ImportLine.State.REVIEW
    )
    return {"import_source": source.pk, "import_batch": batch.pk, "import_line": line.pk}
