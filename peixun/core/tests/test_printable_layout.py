"""core.printable's GB/T 9704-2012 layout: the .docx and the PDF of one 公文 opened and measured
(margins, grid, fonts, language, page numbers by parity, 版头, 附件说明, 落款 with the seal's
room, 版记 at the foot of the last page, contents with the pages the headings land on), and the
same .docx through LibreOffice when it is installed (PNGs saved to test-artifacts/documents/)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.test import SimpleTestCase
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from peixun.core.docxstyle import FANGSONG, HEITI, KAITI, SONGTI, XIAOBIAOSONG
from peixun.core.printable import (
    PDF_SERIF,
    Contents,
    Heading,
    Para,
    Printable,
    Table,
    contents_pages,
    pdf_with_cjk_font,
    render_docx,
    render_pdf,
)
from peixun.core.printable.word import text_width

MM = 72 / 25.4  # points per millimetre
BODY = (
    "为深入学习贯彻党的二十大精神，进一步加强党员教育管理，根据县委组织部关于党员教育培训工作"
    "的部署要求，经研究，决定在全局开展党员集中轮训。现将有关事项通知如下。"
)
ID_NUMBER = "110101198506151234"


def gongwen(*, sealed: bool = True, contents: bool = False, **changes: Any) -> Printable:
    """A full 公文: 版头, three headings (two levels), body, a table of seven columns with ID
    numbers, attachments, a sealed signature and the 版记; three pages or more."""
    doc = Printable(
        title="关于开展2026年度党员集中轮训和“学习强国”平台应用情况专项检查的通知",
        issuer="中共测试县统计局机关委员会",
        reference="测统机党〔2026〕12号",
        addressee="各党支部、局属各单位党组织",
        signature="中共测试县统计局机关委员会",
        dated=dt.date(2026, 12, 6),
        author="测试县统计局机关党委",
        subject="党员教育培训",
        attachments=["2026年度党员集中轮训学员名单", "专项检查情况统计表"],
        copy_to="县委组织部，县直机关工委",
        printed_by="中共测试县统计局机关委员会办公室",
        printed_on=dt.date(2026, 12, 6),
        sealed=sealed,
    )
    for name, value in changes.items():
        setattr(doc, name, value)
    if contents:
        doc.add(Contents())
    rows = [
        [i + 1, "欧阳明月" if i % 2 else "张三", "男", ID_NUMBER, "第一党支部", "13800138000", ""]
        for i in range(14)
    ]
    return doc.add(
        Para(BODY),
        Heading("一、参训对象", in_contents=True),
        Para("全局在职党员和预备党员，共计128名。" + BODY),
        Heading("（一）机关党员", level=2, in_contents=True),
        Para(BODY * 2),
        Heading("二、时间安排", in_contents=True),
        Para(BODY * 3),
        Table(
            headers=["序号", "姓名", "性别", "身份证号", "所在支部", "联系电话", "备注"],
            rows=rows,
            aligns="crcllcl",
        ),
        Heading("三、工作要求", in_contents=True),
        Para(BODY * 2),
    )


def mm(*lengths: Any) -> tuple[float, ...]:
    """Lengths in millimetres, to a tenth (a .docx stores twips)."""
    return tuple(round(length.mm, 1) for length in lengths)


def docx_part(data: bytes, name: str) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(name).decode()


def pdf_lines(data: bytes) -> list[list[tuple[float, float, str, str]]]:
    """Each page's text pieces: (x, y from the top in mm, font name, text)."""
    reader = PdfReader(io.BytesIO(data))
    pages = []
    for page in reader.pages:
        height = float(page.mediabox.height)
        pieces: list[tuple[float, float, str, str]] = []

        def visit(
            text: str,
            cm: Any,
            tm: Any,
            font: Any,
            size: Any,
            into: list[Any] = pieces,
            height: float = height,
        ) -> None:
            text = text.replace("\x00", "")
            if text.strip():
                name = str(font.get("/BaseFont", "")) if font else ""
                into.append((tm[4] / MM, (height - tm[5]) / MM, name, text))

        page.extract_text(visitor_text=visit)
        pages.append(pieces)
    return pages


def joined_lines(data: bytes) -> list[list[tuple[float, str]]]:
    """Each page's lines: the pieces on one baseline joined left to right, (y in mm, text)."""
    pages = []
    for pieces in pdf_lines(data):
        rows: dict[float, list[tuple[float, str]]] = {}
        for x, y, _, text in pieces:
            rows.setdefault(round(y, 1), []).append((x, text))
        pages.append(
            [(y, "".join(t for _, t in sorted(row)).strip()) for y, row in sorted(rows.items())]
        )
    return pages


class DocxLayoutTests(SimpleTestCase):
    data: bytes
    document: Any

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.data = render_docx(gongwen())
        cls.document = Document(io.BytesIO(cls.data))

    def test_a4_with_the_gbt_9704_margins_and_a_grid_of_22_lines(self) -> None:
        section = self.document.sections[0]
        self.assertEqual(mm(section.page_width, section.page_height), (210, 297))
        self.assertEqual(
            mm(
                section.top_margin, section.left_margin, section.right_margin, section.bottom_margin
            ),
            (37, 28, 26, 35),
        )
        grid = section._sectPr.find(qn("w:docGrid"))
        self.assertEqual(grid.get(qn("w:linePitch")), "579")  # 225 mm / 22 lines, in twips
        self.assertEqual(int(grid.get(qn("w:linePitch"))) * 22, 12738)
        self.assertLessEqual(12738, round(225 * MM * 20))

    def test_the_body_runs_fit_28_characters_to_a_line(self) -> None:
        # 16 pt condensed by 0.25 pt: 28 characters take 441 pt of the 版心's 442.2.
        body = next(p for p in self.document.paragraphs if p.text.startswith("为深入"))
        r_pr: Any = body.runs[0]._element.rPr
        spacing = r_pr.find(qn("w:spacing"))
        self.assertEqual(spacing.get(qn("w:val")), "-5")
        self.assertLessEqual(28 * (16 - 0.25), 156 * MM)
        self.assertGreater(29 * (16 - 0.25), 156 * MM)
        # A plain document (no issuer) is not condensed.
        plain = Document(io.BytesIO(render_docx(Printable(title="名单").add(Para(BODY)))))
        plain_r_pr: Any = plain.paragraphs[-1].runs[0]._element.rPr
        self.assertIsNone(plain_r_pr.find(qn("w:spacing")))

    def test_every_run_names_its_font_for_every_script_and_is_chinese(self) -> None:
        xml = docx_part(self.data, "word/document.xml")
        root = ElementTree.fromstring(xml)
        runs: list[Any] = [r for r in root.iter(qn("w:r")) if r.find(qn("w:t")) is not None]
        self.assertGreater(len(runs), 50)
        fonts = set()
        for run in runs:
            r_fonts = run.find(qn("w:rPr")).find(qn("w:rFonts"))
            names = {r_fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "eastAsia")}
            self.assertEqual(len(names), 1, names)
            self.assertFalse(any("Theme" in key for key in r_fonts.attrib))
            fonts |= names
            lang = run.find(qn("w:rPr")).find(qn("w:lang"))
            self.assertEqual(lang.get(qn("w:eastAsia")), "zh-CN")
        self.assertEqual(fonts, {FANGSONG, XIAOBIAOSONG, HEITI, KAITI})

    def test_no_japanese_theme_nor_english_language_is_left(self) -> None:
        styles = docx_part(self.data, "word/styles.xml")
        theme = docx_part(self.data, "word/theme/theme1.xml")
        settings_xml = docx_part(self.data, "word/settings.xml")
        for text in (styles, theme, settings_xml):
            self.assertNotIn("ja-JP", text)
            self.assertNotIn("en-US", text)
        self.assertNotIn('script="Jpan"', theme)
        self.assertNotIn('<a:ea typeface=""/>', theme)
        self.assertIn('w:themeFontLang w:val="zh-CN" w:eastAsia="zh-CN"', settings_xml)
        defaults = re.search(r"<w:docDefaults>.*</w:docDefaults>", styles, re.S)
        assert defaults is not None
        self.assertIn(f'w:eastAsia="{FANGSONG}"', defaults.group(0))
        self.assertNotIn("Theme", defaults.group(0))
        fonts = docx_part(self.data, "word/fontTable.xml")
        self.assertIn(f'<w:font w:name="{FANGSONG}"><w:altName w:val="仿宋"/>', fonts)
        self.assertIn('<w:charset w:val="86"/>', fonts)
        self.assertNotIn("ＭＳ", fonts)

    def test_page_numbers_outside_on_odd_and_even_pages(self) -> None:
        self.assertIn("w:evenAndOddHeaders", docx_part(self.data, "word/settings.xml"))
        section = self.document.sections[0]
        for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
            paragraph = footer.paragraphs[0]
            self.assertEqual(paragraph.text, "—  —")  # "— " PAGE " —"
            self.assertIn(" PAGE ", paragraph._p.xml)
            self.assertEqual(paragraph.alignment.name.lower(), side)
            indent = getattr(paragraph.paragraph_format, f"{side}_indent")
            self.assertEqual(round(indent.pt), 14)  # one 四号 character from the edge
            self.assertEqual({run.font.name for run in paragraph.runs}, {SONGTI})
        unnumbered = render_docx(gongwen(numbered=False))
        self.assertNotIn("PAGE", docx_part(unnumbered, "word/document.xml"))
        self.assertNotIn("footerReference", docx_part(unnumbered, "word/document.xml"))

    def test_the_head_issuer_reference_rule_title_and_addressee(self) -> None:
        paragraphs = self.document.paragraphs
        issuer = paragraphs[0]
        self.assertEqual(issuer.text, "中共测试县统计局机关委员会")
        self.assertEqual(str(issuer.runs[0].font.color.rgb), "E00000")
        self.assertEqual(issuer.alignment.name, "CENTER")
        # The characters' top 35 mm under the 版心's top: the space before plus the leading.
        self.assertAlmostEqual(issuer.paragraph_format.space_before.mm, 35 - 36 * 0.2 / MM, 0)
        texts = [p.text for p in paragraphs]
        reference = texts.index("测统机党〔2026〕12号")
        self.assertEqual(texts[1:reference], ["", ""])  # two blank lines under the issuer
        self.assertIn('w:color="E00000"', paragraphs[reference]._p.xml)  # the red rule
        title = next(i for i, t in enumerate(texts) if t.startswith("关于开展"))
        self.assertEqual(texts[reference + 1 : title], ["", ""])  # the title two lines under
        self.assertEqual(texts[title + 1 : title + 3], ["", "各党支部、局属各单位党组织："])
        # The title breaks in balanced lines, never after an opening quote.
        lines = texts[title].split("\n")
        self.assertEqual(len(lines), 2)
        self.assertFalse(lines[0].endswith("“"))

    def test_attachments_then_the_sealed_signature_with_room_for_the_seal(self) -> None:
        texts = [p.text for p in self.document.paragraphs]
        first = texts.index("附件：1. 2026年度党员集中轮训学员名单")
        self.assertEqual(texts[first - 1], "")  # one blank line under the body
        self.assertEqual(texts[first + 1], "　　　2. 专项检查情况统计表")
        attachment = self.document.paragraphs[first]
        self.assertEqual(round(attachment.paragraph_format.first_line_indent.pt), 32)
        signature = texts.index("中共测试县统计局机关委员会", 1)
        self.assertEqual(texts[first + 2 : signature], ["", ""])  # the seal's room: nothing
        self.assertEqual(texts[signature + 1], "2026年12月6日")
        date = self.document.paragraphs[signature + 1].paragraph_format
        name = self.document.paragraphs[signature].paragraph_format
        self.assertAlmostEqual(date.right_indent.pt, 4 * 15.75, 0)  # 右空四字
        # The 落款 centred over the date: the centres of both at the same place.
        date_width = text_width("2026年12月6日", 16, grid=True)
        name_width = text_width("中共测试县统计局机关委员会", 16, grid=True)
        self.assertAlmostEqual(
            name.right_indent.pt + name_width / 2, date.right_indent.pt + date_width / 2, 1
        )
        for paragraph in self.document.paragraphs[first + 2 : signature + 1]:
            self.assertTrue(paragraph.paragraph_format.keep_with_next)
        unsealed = Document(io.BytesIO(render_docx(gongwen(sealed=False))))
        texts = [p.text for p in unsealed.paragraphs]
        signature = texts.index("中共测试县统计局机关委员会", 1)
        self.assertEqual(texts[signature - 2 : signature], ["　　　2. 专项检查情况统计表", ""])

    def test_the_imprint_closes_the_last_page_anchored_to_its_foot(self) -> None:
        table = self.document.tables[-1]
        self.assertEqual(table.rows[0].cells[0].text, "抄送：县委组织部，县直机关工委。")
        self.assertEqual(
            [c.text for c in table.rows[1].cells],
            ["中共测试县统计局机关委员会办公室", "2026年12月6日印发"],
        )
        xml = table._tbl.xml
        self.assertIn('w:tblpYSpec="bottom"', xml)
        self.assertIn('w:vertAnchor="margin"', xml)
        self.assertRegex(xml, r'<w:top w:val="single" w:sz="8"')  # 0.35 mm
        self.assertRegex(xml, r'<w:insideH w:val="single" w:sz="6"')  # 0.25 mm
        self.assertRegex(xml, r'<w:bottom w:val="single" w:sz="8"')
        body = self.document.element.body
        self.assertIs(body[-3], table._tbl)  # then the closing paragraph and the sectPr

    def test_an_eighteen_digit_id_number_gets_its_whole_width(self) -> None:
        table = self.document.tables[0]
        widths = [int(col.get(qn("w:w"))) / 20 for col in table._tbl.tblGrid]
        self.assertAlmostEqual(sum(widths), 156 * MM, delta=1)
        # 18 digits at 五号 (0.6 em, wider than any face's) and the cell's 1 mm margins.
        self.assertGreaterEqual(widths[3], 18 * 10.5 * 0.6 + 2 * MM)
        self.assertEqual(table.rows[1].cells[3].text, ID_NUMBER)

    def test_metadata_name_the_org_and_the_real_date(self) -> None:
        properties = self.document.core_properties
        self.assertEqual(properties.author, "测试县统计局机关党委")
        self.assertEqual(properties.title, gongwen().title)
        self.assertEqual(properties.subject, "党员教育培训")
        self.assertEqual(properties.language, "zh-CN")
        self.assertEqual(properties.comments, "")
        assert properties.created is not None
        self.assertLess(abs((timezone.now() - properties.created).total_seconds()), 300)
        package = zipfile.ZipFile(io.BytesIO(self.data))
        for name in package.namelist():
            if name.endswith(".xml"):
                text = package.read(name).decode()
                self.assertNotIn("python-docx", text, name)
                self.assertNotIn("2013-12-23", text, name)
        self.assertIn("<Application>peixun</Application>", docx_part(self.data, "docProps/app.xml"))

    def test_landscape_turns_the_page_and_its_margins(self) -> None:
        section = Document(io.BytesIO(render_docx(gongwen(landscape=True)))).sections[0]
        self.assertEqual(mm(section.page_width, section.page_height), (297, 210))
        self.assertEqual(mm(section.top_margin, section.bottom_margin), (26, 28))
        self.assertEqual(mm(section.left_margin, section.right_margin), (37, 35))


class DocxContentsTests(SimpleTestCase):
    def test_a_toc_field_prefilled_with_the_pdf_pages(self) -> None:
        doc = gongwen(contents=True, issuer="", sealed=False)
        data = render_docx(doc)
        document = Document(io.BytesIO(data))
        xml = docx_part(data, "word/document.xml")
        self.assertIn('TOC \\o "1-3" \\h \\z \\u', xml)
        self.assertIn("<w:updateFields", docx_part(data, "word/settings.xml"))
        pages = contents_pages(doc)
        self.assertEqual(len(pages), 4)
        texts = [p.text for p in document.paragraphs]
        start = texts.index("目　录")
        entries = texts[start + 2 : start + 6]
        self.assertEqual(
            entries,
            [
                f"{name}\t{page}"
                for name, page in zip(
                    ["一、参训对象", "（一）机关党员", "二、时间安排", "三、工作要求"],
                    pages,
                    strict=True,
                )
            ],
        )
        entry = document.paragraphs[start + 2]
        self.assertIn('w:leader="dot"', entry._p.xml)
        self.assertIn('w:val="right"', entry._p.xml)
        # The headings the field collects carry an outline level; others do not.
        levels = {
            p.text: p._p.pPr.find(qn("w:outlineLvl")).get(qn("w:val"))
            for p in document.paragraphs
            if p._p.pPr is not None and p._p.pPr.find(qn("w:outlineLvl")) is not None
        }
        self.assertEqual(
            levels,
            {"一、参训对象": "0", "（一）机关党员": "1", "二、时间安排": "0", "三、工作要求": "0"},
        )


class PdfLayoutTests(SimpleTestCase):
    data: bytes
    reader: PdfReader
    pages: list[list[tuple[float, float, str, str]]]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.data = render_pdf(gongwen())
        cls.reader = PdfReader(io.BytesIO(cls.data))
        cls.pages = pdf_lines(cls.data)

    def test_a4_pages_with_the_official_faces_embedded(self) -> None:
        self.assertGreaterEqual(len(self.reader.pages), 3)
        for page in self.reader.pages:
            self.assertEqual(
                (round(float(page.mediabox.width)), round(float(page.mediabox.height))), (595, 842)
            )
        fonts = {name for page in self.pages for _, _, name, _ in page}
        names = {name.split("+")[-1] for name in fonts}
        self.assertIn("NotoSerifCJKSC", names)  # 仿宋 and 宋体
        self.assertIn("NotoSerifCJKSCBold", names)  # 小标宋: the issuer and the title
        self.assertIn("NotoSansCJKSC", names)  # 黑体: 一、 headings
        if Path(settings.PDF_KAI_FONT_FILE).is_file():
            self.assertIn("ARPLUKaiCNBook", names)  # 楷体: （一） headings
        landscape = PdfReader(io.BytesIO(render_pdf(gongwen(landscape=True)))).pages[0]
        self.assertEqual(
            (round(float(landscape.mediabox.width)), round(float(landscape.mediabox.height))),
            (842, 595),
        )

    def test_page_numbers_outside_by_parity_under_the_text_block(self) -> None:
        for number, pieces in enumerate(self.pages, start=1):
            marks = [(x, y) for x, y, _, text in pieces if text == f"— {number} —"]
            self.assertEqual(len(marks), 1, number)
            x, y = marks[0]
            if number % 2:
                self.assertGreater(x, 150)  # right, one character in from the edge
            else:
                self.assertAlmostEqual(x, 28 + 14 / MM, 1)  # left, one character in
            # The baseline a little under the 一字线, which sits 7 mm under the 版心 (262 mm).
            self.assertAlmostEqual(y, 262 + 7 + 0.35 * 14 / MM, 1)
        unnumbered = pdf_lines(render_pdf(gongwen(numbered=False)))
        self.assertFalse(any("—" in text for page in unnumbered for *_, text in page))

    def test_the_head_in_its_place(self) -> None:
        first = self.pages[0]
        issuer = next(p for p in first if p[3] == "中共测试县统计局机关委员会")
        # The baseline 0.88 em under the characters' top, 35 mm under the 版心's top; 13
        # characters set a little under 36 pt to fit the 版心 on one line.
        size = 156 * MM / 13 * 0.98
        self.assertAlmostEqual(issuer[1], 37 + 35 + 0.88 * size / MM, 1)
        reference = next(p for p in first if p[3] == "测统机党〔2026〕12号")
        self.assertGreater(reference[1] - issuer[1], 2 * 225 / 22)  # two blank lines between
        title = [p for p in first if "NotoSerifCJKSCBold" in p[2] and p[3] != issuer[3]]
        self.assertEqual(len(title), 2)
        self.assertFalse(title[0][3].endswith("“"))
        addressee = next(p for p in first if p[3] == "各党支部、局属各单位党组织：")
        self.assertAlmostEqual(addressee[0], 28, 0)  # flush left

    def test_the_body_holds_28_characters_a_line(self) -> None:
        lines = [text for page in self.pages for _, _, name, text in page if "CJKSC" in name]
        body = [line for line in lines if line.startswith("根据县委") or line.startswith("的二十")]
        self.assertTrue(body)
        for line in body:
            # 28 characters, and a comma or full stop may hang beyond them.
            self.assertIn(len(line.rstrip("，。、")), (28,), line)
        self.assertFalse(any(line[0] in "，。、；：”）" for line in lines))

    def test_contents_list_the_pages_the_headings_land_on(self) -> None:
        doc = gongwen(contents=True, issuer="", sealed=False)
        pages = pdf_lines(render_pdf(doc))
        entries = {}
        for _, _, _, text in pages[0]:
            match = re.fullmatch(r"(.+?)(·+)?(\d+)", text)
            if match and match.group(1).strip() in {"一、参训对象", "二、时间安排", "三、工作要求"}:
                entries[match.group(1).strip()] = int(match.group(3))
        pieces = [(p[3], index) for index, page in enumerate(pages, 1) for p in page]
        found: dict[str, int] = {}
        for text, number in pieces:
            stripped = text.strip("　")
            if stripped in {"一、参训对象", "二、时间安排", "三、工作要求"} and number > 1:
                found.setdefault(stripped, number)
        self.assertEqual(len(found), 3)
        self.assertEqual(
            contents_pages(doc)[::2][:2], [found["一、参训对象"], found["二、时间安排"]]
        )
        self.assertEqual(contents_pages(doc)[3], found["三、工作要求"])
        text = "".join(t for _, _, _, t in pages[0])
        for name, page in found.items():
            self.assertRegex(text, rf"{name}·+{page}")

    def test_the_sealed_signature_and_the_imprint_at_the_foot_of_the_last_page(self) -> None:
        last = self.pages[-1]
        date = next(p for p in last if p[3] == "2026年12月6日")
        signature = next(p for p in last if p[3] == "中共测试县统计局机关委员会")
        pdf = pdf_with_cjk_font()
        pdf.set_font(PDF_SERIF, "", 16)
        pdf.set_char_spacing(-0.25)
        advance = (16 - 0.25) / MM
        date_right = date[0] + pdf.get_string_width(date[3])
        self.assertAlmostEqual(date_right, 184 - 4 * advance, delta=0.5)  # 右空四字
        centre = signature[0] + pdf.get_string_width(signature[3]) / 2
        self.assertAlmostEqual(centre, date[0] + pdf.get_string_width(date[3]) / 2, delta=0.5)
        self.assertLess(signature[1], date[1])
        printed = next(p for p in last if p[3] == "2026年12月6日印发")
        self.assertTrue(252 < printed[1] < 262, printed)  # on the 版心's last line
        copy = next(p for p in last if p[3].startswith("县委组织部"))
        self.assertLess(copy[1], printed[1])
        # Nothing printed in the seal's room: between the last text above the signature and it.
        above = [p for p in last if p[1] < signature[1] and p[1] > signature[1] - 2.5 * 225 / 22]
        self.assertEqual(above, [])

    def test_metadata(self) -> None:
        metadata = self.reader.metadata
        assert metadata is not None
        self.assertEqual(metadata.author, "测试县统计局机关党委")
        self.assertEqual(metadata.subject, "党员教育培训")
        self.assertEqual(metadata.creator, "peixun")
        root: Any = self.reader.trailer["/Root"]
        self.assertEqual(str(root["/Lang"]), "zh-CN")


FONTCONFIG = Path(__file__).resolve().parents[1] / "fonts" / "65-peixun-cjk.conf"


class FontconfigTests(SimpleTestCase):
    def test_every_official_face_has_a_free_stand_in(self) -> None:
        root = ElementTree.parse(FONTCONFIG).getroot()
        aliases = {
            alias.findtext("family"): [f.text for f in alias.find("prefer") or []]
            for alias in root.iter("alias")
        }
        for name in (FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI, "仿宋", "楷体", "FangSong"):
            self.assertIn(name, aliases)
        self.assertEqual(aliases[FANGSONG], ["Noto Serif CJK SC"])
        self.assertEqual(aliases[HEITI], ["Noto Sans CJK SC"])
        self.assertEqual(aliases[KAITI], ["AR PL UKai CN", "Noto Serif CJK SC"])
        self.assertTrue(all(a.get("binding") == "same" for a in root.iter("alias")))

    @pytest.mark.skipif(
        shutil.which("fc-match") is None
        or not Path("/etc/fonts/conf.d/65-peixun-cjk.conf").exists(),
        reason="fontconfig or the project's aliases are not installed",
    )
    def test_fontconfig_answers_the_official_names_with_chinese_faces(self) -> None:
        def match(name: str) -> str:
            return subprocess.run(  # noqa: S603 -- fc-match on fixed names
                ["fc-match", "-f", "%{family[0]}:%{style[0]}", name],  # noqa: S607
                capture_output=True,
                text=True,
                check=True,
            ).stdout

        self.assertEqual(match(FANGSONG), "Noto Serif CJK SC:Regular")
        self.assertEqual(match(XIAOBIAOSONG), "Noto Serif CJK SC:Bold")
        self.assertEqual(match(HEITI), "Noto Sans CJK SC:Regular")
        self.assertIn(match(KAITI).split(":")[0], {"AR PL UKai CN", "Noto Serif CJK SC"})


ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "documents"


def _run(command: list[str], folder: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=180, cwd=folder)  # noqa: S603


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
class LibreOfficeTests(SimpleTestCase):
    """The .docx as a reader nobody here wrote lays it out: LibreOffice to PDF, then measured.
    The first pages of both PDFs are saved as PNGs for a person to look at."""

    def test_libreoffice_lays_the_docx_out_on_a4_in_chinese_faces(self) -> None:
        doc = gongwen()
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "gongwen.docx"
            source.write_bytes(render_docx(doc))
            (Path(folder) / "direct.pdf").write_bytes(render_pdf(doc))
            _run(
                [
                    "soffice",
                    f"-env:UserInstallation=file://{folder}/profile",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    folder,
                    str(source),
                ],
                folder,
            )
            converted = (Path(folder) / "gongwen.pdf").read_bytes()
            self._save_pngs(folder)
        reader = PdfReader(io.BytesIO(converted))
        self.assertGreaterEqual(len(reader.pages), 3)
        page = reader.pages[0]
        self.assertEqual(
            (round(float(page.mediabox.width)), round(float(page.mediabox.height))), (595, 842)
        )
        pages = pdf_lines(converted)
        fonts = {name.split("+")[-1] for page in pages for _, _, name, _ in page}
        if Path("/etc/fonts/conf.d/65-peixun-cjk.conf").exists():
            # Noto's collections name every face by its Japanese member: the SC cmap is used.
            self.assertTrue(any(name.startswith("NotoSerifCJK") for name in fonts), fonts)
            self.assertTrue(any(name.startswith("NotoSansCJK") for name in fonts), fonts)
        self.assertFalse(any("DejaVu" in name for name in fonts), fonts)
        lines = joined_lines(converted)
        first = [text.replace(" ", "") for _, text in lines[0]]
        # 28 characters a line in LibreOffice too (its spacing between digits and Chinese aside).
        line = next(t for t in first if t.startswith("根据县委组织部"))
        self.assertEqual(len(line.rstrip("，。")), 28, line)
        for number, page_lines in enumerate(lines, start=1):
            self.assertEqual(page_lines[-1][1].replace(" ", ""), f"—{number}—")
        printed = next((y, t) for y, t in lines[-1] if t.replace(" ", "").endswith("日印发"))
        self.assertTrue(250 < printed[0] < 263, printed)  # the 版记 at the foot of the page

    @staticmethod
    def _save_pngs(folder: str) -> None:
        if shutil.which("pdftoppm") is None:
            return
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for name, prefix in (("gongwen.pdf", "toolkit-libreoffice"), ("direct.pdf", "toolkit-pdf")):
            _run(
                ["pdftoppm", "-png", "-r", "50", str(Path(folder) / name), str(ARTIFACTS / prefix)],
                folder,
            )
