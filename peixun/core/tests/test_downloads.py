"""Downloads: Chinese names with an ASCII fallback a plain client reads, safe names, batches."""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import unquote

from django.test import SimpleTestCase
from fpdf import FPDF
from pypdf import PdfReader

from peixun.core.downloads import (
    ascii_name,
    content_disposition,
    download,
    file_name,
    merged_pdf,
    zip_bundle,
)


def _pdf(pages: int, label: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_font("helvetica", size=12)
    for number in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"{label} {number + 1}")
    return bytes(pdf.output())


def _parameters(header: str) -> dict[str, str]:
    # Read by hand: email.message folds filename* into filename, as a browser would.
    return {
        match[0]: match[1] or unquote(match[2])
        for match in re.findall(r'(filename\*?)=(?:"([^"]*)"|UTF-8\'\'(\S+))', header)
    }


class ContentDispositionTests(SimpleTestCase):
    def test_chinese_name_with_ascii_fallback(self) -> None:
        header = content_disposition("调训通知-张三.pdf", fallback="notice-2-2.pdf")
        self.assertTrue(header.startswith("attachment; "))
        params = _parameters(header)
        self.assertEqual(params["filename"], "notice-2-2.pdf")
        self.assertEqual(params["filename*"], "调训通知-张三.pdf")

    def test_ascii_name_has_no_extended_parameter(self) -> None:
        self.assertEqual(content_disposition("roster.xlsx"), 'attachment; filename="roster.xlsx"')

    def test_without_a_fallback_the_ascii_letters_of_the_name_are_kept(self) -> None:
        self.assertEqual(
            _parameters(content_disposition("台账-2026.xlsx"))["filename"], "2026.xlsx"
        )
        self.assertEqual(_parameters(content_disposition("台账.xlsx"))["filename"], "file.xlsx")

    def test_a_quote_or_newline_cannot_break_the_header(self) -> None:
        header = content_disposition('a"b\r\nSet-Cookie: x.pdf', fallback='x"\r\n.pdf')
        self.assertNotIn("\n", header)
        self.assertNotIn("\r", header)
        self.assertEqual(header.count('"'), 2)

    def test_inline(self) -> None:
        self.assertTrue(content_disposition("课件.pdf", inline=True).startswith("inline; "))

    def test_response_type_follows_the_extension(self) -> None:
        response = download(b"x", "学员名单.xlsx", fallback="roster-1.xlsx")
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        self.assertIn("filename*=UTF-8''", response["Content-Disposition"])
        self.assertEqual(download(b"x", "a.unknown")["Content-Type"], "application/octet-stream")


class FileNameTests(SimpleTestCase):
    def test_parts_joined_and_unsafe_characters_replaced(self) -> None:
        self.assertEqual(
            file_name("调训通知", "张/三", "", None, "班:1", ext="pdf"), "调训通知-张_三-班_1.pdf"
        )

    def test_long_names_are_cut_and_empty_names_have_a_stem(self) -> None:
        self.assertEqual(len(file_name("长" * 500, ext="docx")), 120 + len(".docx"))
        self.assertEqual(file_name("", "  ", ext="zip"), "file.zip")

    def test_ascii_name(self) -> None:
        self.assertEqual(ascii_name("notice 2/2.pdf"), "notice-2-2.pdf")
        self.assertEqual(ascii_name("记录本"), "file")


class BatchTests(SimpleTestCase):
    def test_zip_keeps_chinese_names_and_numbers_repeats(self) -> None:
        data = zip_bundle(
            [("结业证书-张三.pdf", b"1"), ("结业证书-张三.pdf", b"2"), ("名单", b"3")]
        )
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            self.assertEqual(
                archive.namelist(), ["结业证书-张三.pdf", "结业证书-张三(2).pdf", "名单"]
            )
            self.assertEqual(archive.read("结业证书-张三(2).pdf"), b"2")
            # The UTF-8 flag: unzip tools show the Chinese names, not mojibake.
            self.assertTrue(all(info.flag_bits & 0x800 for info in archive.infolist()[:2]))

    def test_merged_pdf_keeps_every_page_in_order(self) -> None:
        merged = PdfReader(io.BytesIO(merged_pdf([_pdf(2, "first"), _pdf(1, "second")])))
        self.assertEqual(len(merged.pages), 3)
        texts = [page.extract_text() for page in merged.pages]
        self.assertEqual(texts, ["first 1", "first 2", "second 1"])
