"""core.printable: one document model, a .docx and a PDF that both say it."""

from __future__ import annotations

import datetime as dt
import io
import threading
import zipfile
from collections.abc import Callable
from typing import Any

from django.test import SimpleTestCase
from docx import Document
from fontTools.cffLib import CFFFontSet
from fpdf.fonts import TTFFont
from pypdf import PdfReader

from peixun.core.printable import (
    Heading,
    Para,
    Printable,
    Table,
    fitted_widths,
    pdf_with_cjk_font,
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
        assert reader.metadata is not None
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


def within(seconds: float, work: Callable[[], bytes]) -> bytes:
    """`work()`, or a failure (not a hung test run) when it takes longer than `seconds`: fpdf2's
    line breaking loops forever when a column cannot hold one character."""
    result: list[bytes] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as error:  # noqa: BLE001 -- handed to the test below
            errors.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise AssertionError(f"Rendering took over {seconds} s: a line-breaking loop?")
    if errors:
        raise errors[0]
    return result[0]


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join(page.extract_text().replace("\x00", "") for page in reader.pages)


DEFINITION = ("党员教育培训是党的建设的一项基础性、经常性工作，" * 10)[:200]
URL = "https://www.12371.cn/" + "x" * 99


class LongTextTableTests(SimpleTestCase):
    def test_a_definition_and_a_url_column_render_and_wrap(self) -> None:
        # A one-character label header once gave a column narrower than one character: fpdf2
        # then broke empty lines forever.
        self.assertEqual((len(DEFINITION), len(URL), " " in URL), (200, 120, False))
        for headers in (["项", "定义", "网址"], ["术语", "定义", "网址"]):
            table = Table(headers=headers, rows=[["学时", DEFINITION, URL], ["学", "短", "a"]])
            doc = Printable(title="术语").add(table)
            data = within(60, lambda doc=doc: render_pdf(doc))  # type: ignore[misc]
            text = pdf_text(data).replace("\n", "")
            self.assertIn(DEFINITION[:20], text)
            self.assertIn("https://www.12371", text)
            self.assertIn("xxxxxxxxxx", text)
            # The same table as .docx: every cell holds its text.
            cells = Document(io.BytesIO(render_docx(Printable(title="术语").add(table)))).tables[0]
            self.assertEqual(cells.rows[1].cells[2].text, URL)

    def test_long_text_columns_get_equal_shares_and_short_ones_keep_theirs(self) -> None:
        table = Table(headers=["项", "定义", "网址"], rows=[["学时", "字" * 200, "x" * 120]])
        widths = fitted_widths(table, 100, lambda text: float(len(text)))
        self.assertAlmostEqual(sum(widths), 100)
        self.assertEqual(widths[0], 3.0)  # "学时" and one character's room
        self.assertAlmostEqual(widths[1], 48.5)
        self.assertAlmostEqual(widths[2], 48.5)

    def test_every_column_holds_a_few_characters(self) -> None:
        table = Table(headers=["甲", "乙"], rows=[["一二三四五六七八", "字" * 500]])
        widths = fitted_widths(table, 100, lambda text: float(len(text)))
        self.assertAlmostEqual(sum(widths), 100)
        self.assertGreaterEqual(min(widths), 4.0)

    def test_a_cell_taller_than_a_page_continues_over_rows(self) -> None:
        # fpdf2 refuses a row taller than a page ("too high"): the row is split instead.
        text = "".join(f"第{i}句说明文字。" for i in range(600))
        table = Table(headers=["项", "说明"], rows=[["长", text], ["短", "末行"]])
        data = within(120, lambda: render_pdf(Printable(title="长表").add(table)))
        reader = PdfReader(io.BytesIO(data))
        self.assertGreaterEqual(len(reader.pages), 3)
        extracted = pdf_text(data).replace("\n", "")
        for sentence in ("第0句说明", "第299句说明文字。", "第599句说明文字。", "末行"):
            self.assertIn(sentence, extracted)

    def test_many_columns_shrink_the_type_and_too_many_are_refused(self) -> None:
        wide = Table(headers=[f"列{i}" for i in range(30)], rows=[["说明文字" * 5] * 30])
        text = pdf_text(within(60, lambda: render_pdf(Printable(title="宽表").add(wide))))
        self.assertIn("列29", text.replace("\n", ""))
        absurd = Table(headers=[f"列{i}" for i in range(200)], rows=[["字"] * 200])
        with self.assertRaisesMessage(ValueError, "200 columns"):
            within(60, lambda: render_pdf(Printable(title="宽表").add(absurd)))


def embedded_glyphs(data: bytes) -> dict[str, int]:
    """The number of glyphs in each font a PDF embeds (on its first page), by font name."""
    reader = PdfReader(io.BytesIO(data))
    counts = {}
    resources: Any = reader.pages[0]["/Resources"]
    for reference in resources["/Font"].values():
        font = reference.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        stream = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(stream.get_object().get_data()), None)
        counts[str(font["/BaseFont"])] = len(cff[cff.fontNames[0]].charset)
    return counts


class FontOncePerProcessTests(SimpleTestCase):
    def test_the_font_is_parsed_once_and_each_pdf_has_its_own_subset(self) -> None:
        first, second = pdf_with_cjk_font().fonts["cjk"], pdf_with_cjk_font().fonts["cjk"]
        assert isinstance(first, TTFFont) and isinstance(second, TTFFont)
        # The parsed tables are shared; what a document adds to or subsets is its own.
        self.assertIs(first.cmap, second.cmap)
        self.assertIsNot(first.subset, second.subset)
        self.assertIsNot(first.ttfont, second.ttfont)

    def test_pdfs_rendered_one_after_another_embed_only_their_own_glyphs(self) -> None:
        def small() -> bytes:
            return render_pdf(Printable(title="甲").add(Para("乙丙", indent=False)))

        before = small()
        other = render_pdf(
            Printable(title="天地玄黄宇宙洪荒").add(Para("日月盈昃辰宿列张", indent=False))
        )
        after = small()
        self.assertIn("乙丙", pdf_text(before))
        self.assertIn("日月盈昃辰宿列张", pdf_text(other))
        self.assertIn("宇宙洪荒", pdf_text(other))
        self.assertIn("乙丙", pdf_text(after))
        self.assertEqual(embedded_glyphs(before), embedded_glyphs(after))
        # 甲 with .notdef and the space in bold; 乙丙 and the footer's "— 1 —" in regular.
        self.assertEqual(sorted(embedded_glyphs(before).values()), [3, 6])
        self.assertEqual(sorted(embedded_glyphs(other).values()), [10, 12])


class ConcurrentRenderingTests(SimpleTestCase):
    """A web worker's threads write PDFs at once: the fonts parsed once per process are shared,
    and nothing a document writes into may be (the API fuzz found a 500 when it was)."""

    def test_four_threads_write_valid_pdfs(self) -> None:
        import threading  # noqa: PLC0415 - only this test runs threads

        from pypdf import PdfReader  # noqa: PLC0415

        failures: list[str] = []

        def write(number: int) -> None:
            for index in range(6):
                doc = Printable(
                    title=f"并发文档{number}-{index}",
                    issuer="县直机关工委文件" if index % 2 else "",
                    addressee="各党支部",
                    signature="县直机关工委",
                    dated=dt.date(2026, 1, 1),
                )
                doc.add(Heading("一、情况"), Heading("（一）分项", level=2), Para("正文。" * 40))
                try:
                    data = render_pdf(doc)
                    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
                    if f"并发文档{number}-{index}" not in "".join(text.replace("\x00", "").split()):
                        failures.append(f"{number}-{index}: title missing")
                except Exception as error:  # noqa: BLE001 - every failure is reported
                    failures.append(f"{number}-{index}: {error!r}")

        threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(failures, [])
