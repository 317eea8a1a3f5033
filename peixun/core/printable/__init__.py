"""One printable document, two files: a small model of an official document (title, 版头,
headings, paragraphs, tables, 附件说明, 落款, 版记) rendered to .docx (`render_docx`, word.py)
and to PDF (`render_pdf`, pdf.py), both in the GB/T 9704-2012 layout: A4 and the 版心 156 × 225
mm, the 28 × 22 character grid for a 公文 (a document with an issuer), the red 发文机关标志 35 mm
under the top of the 版心, page numbers "— N —" outside at the bottom, contents with page numbers.
Builders describe what a document says once; the reader chooses the file. Tables fit their
columns to their content, repeat their header row on every page and never split a row.

Fonts: the .docx names the official faces (docxstyle); the PDF embeds free stand-ins parsed once
per process (fonts.py; bench/pdf_font.py times a document). docs/documents.md explains both.
"""

from .fonts import PDF_FONT, PDF_KAI, PDF_SERIF, font_files, pdf_with_cjk_font
from .model import (
    Alignment,
    Block,
    Contents,
    Heading,
    PageBreak,
    Para,
    Printable,
    Spacer,
    Table,
    attachment_lines,
    cell_text,
    contents_entries,
    fitted_widths,
    imprint_lines,
)
from .pdf import contents_pages, page_margins, render_pdf
from .word import render_docx

__all__ = [
    "PDF_FONT",
    "PDF_KAI",
    "PDF_SERIF",
    "Alignment",
    "Block",
    "Contents",
    "Heading",
    "PageBreak",
    "Para",
    "Printable",
    "Spacer",
    "Table",
    "attachment_lines",
    "cell_text",
    "contents_entries",
    "contents_pages",
    "fitted_widths",
    "font_files",
    "imprint_lines",
    "page_margins",
    "pdf_with_cjk_font",
    "render_docx",
    "render_pdf",
]
