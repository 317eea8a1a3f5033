"""Reading generated files back in tests: a .docx's paragraphs and tables (python-docx), a PDF's
text and pages (pypdf) and a .zip's members."""

from __future__ import annotations

import io
import zipfile

import docx
from pypdf import PdfReader


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def pdf_pages(content: bytes) -> list[str]:
    """Each page's text; lines wrapped by the layout are joined again (CJK text has no spaces
    to lose), and the NULs pypdf leaves between CID-font characters are dropped."""
    reader = PdfReader(io.BytesIO(content))
    return [page.extract_text().replace("\x00", "").replace("\n", "") for page in reader.pages]


def pdf_text(content: bytes) -> str:
    return "".join(pdf_pages(content))


def zip_members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
