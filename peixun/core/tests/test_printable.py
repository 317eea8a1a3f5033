"""core.printable: one document model, a .docx and a PDF that both say it."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from django.test import SimpleTestCase
from docx import Document
from pypdf import PdfReader

from peixun.core.printable import (
    Heading,
    Para,
    Printable,
    Table,
    fitted_widths,
    render_docx,
    render_pdf,
)


def sample(rows: int = 60) -> Printable:
    doc = Printable(
        title="关于党员教育培训工作情况的报告",
        issuer="中共测试局机关委员会",
        reference="测机党〔2024〕3号",
        addressee="县委组织部",
        signature="中共测试局机关委员会",
        dated=dt.date(2024, 1, 15),
        author="测试局机关党委",
    )
    return doc.add(
        Heading("一、基本情况"),
        Para("现有党员100名。"),
        Table(
            headers=["年度", "党员人数", "身份证号"],
            rows=[[2000 + i, 90 + i, "110101198506151234"] for i in range(rows)],
            aligns="rrl",
        ),
    )


class DocxTests(SimpleTestCase):
    def test_docx_says_what_the_model_says(self) -> None:
        data = render_docx(sample())
        document = Document(io.BytesIO(data))
        texts = [p.text for p in document.paragraphs]
        for expected in (
            "中共测试局机关委员会",
            "测机党〔2024〕3号",
            "县委组织部：",
            "一、基本情况",
        ):
            self.assertIn(expected, texts)
        self.assertIn("2024年1月15日", texts)
        table = document.tables[0]
        self.assertEqual(len(table.rows), 61)
        self.assertEqual(table.rows[1].cells[2].text, "110101198506151234")
        self.assertEqual(document.core_properties.author, "测试局机关党委")
        self.assertEqual(document.core_properties.language, "zh-CN")
        xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
        self.assertIn("w:tblHeader", xml)  # the header row repeats on each page
        self.assertIn("w:cantSplit", xml)  # no row breaks across pages
        footer = zipfile.ZipFile(io.BytesIO(data)).read("word/footer1.xml").decode()
        self.assertIn("PAGE", footer)
        styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
        self.assertIn('w:eastAsia="zh-CN"', styles)


class PdfTests(SimpleTestCase):
    def test_pdf_says_what_the_model_says_with_numbered_pages(self) -> None:
        reader = PdfReader(io.BytesIO(render_pdf(sample())))
        self.assertGreaterEqual(len(reader.pages), 2)
        # pypdf reads fpdf2's subset CJK font as UTF-16 with its zero bytes left in.
        pages = [page.extract_text().replace("\x00", "") for page in reader.pages]
        first = pages[0]
        for expected in ("中共测试局机关委员会", "基本情况", "110101198506151234", "— 1 —"):
            self.assertIn(expected, first)
        last = pages[-1]
        self.assertIn(f"— {len(reader.pages)} —", last)
        self.assertIn("2024年1月15日", last)
        self.assertEqual(reader.metadata.title, "关于党员教育培训工作情况的报告")
        # The header row is repeated on the second page.
        self.assertIn("身份证号", pages[1])


class WidthTests(SimpleTestCase):
    def test_columns_follow_their_content_and_fill_the_width(self) -> None:
        table = Table(headers=["年", "说明"], rows=[["2024", "很长的说明文字" * 3]])
        widths = fitted_widths(table, 100, lambda text: float(len(text)))
        self.assertAlmostEqual(sum(widths), 100)
        self.assertLess(widths[0], widths[1])

    def test_too_wide_content_shrinks_the_widest_column_first(self) -> None:
        table = Table(headers=["编号", "说明"], rows=[["A1", "字" * 500]])
        widths = fitted_widths(table, 100, lambda text: float(len(text)))
        self.assertAlmostEqual(sum(widths), 100)
        self.assertEqual(widths[0], 3.0)  # "编号" (2) + one character's room
