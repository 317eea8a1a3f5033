"""Files handed to a browser: one response shape for every download, Chinese file names with an
ASCII fallback, and batches (one .zip, or one PDF of many documents).

A download is named for a person (调训通知-张三-2026年党务干部培训班.pdf); browsers that read
RFC 6266's `filename*` show that name, and the plain `filename` gives older clients and tools
an ASCII name built from the same codes as before (notice-2-2.pdf).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from django.http import HttpResponse
from pypdf import PdfWriter

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "csv": "text/csv; charset=utf-8",
}

# What no file system or browser accepts in a name, and controls.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def file_name(*parts: object, ext: str) -> str:
    """A readable file name from its parts (the document, the person, the class), joined by
    "-", with what no file system accepts replaced and the whole kept under 120 characters."""
    words = [_UNSAFE.sub("_", str(part)).strip(" ._") for part in parts if str(part or "").strip()]
    stem = "-".join(word for word in words if word)[:120] or "file"
    return f"{stem}.{ext}"


def ascii_name(name: str) -> str:
    """`name` with every character outside printable ASCII dropped: the fallback `filename`."""
    stem, dot, ext = name.rpartition(".")
    kept = re.sub(r"[^A-Za-z0-9._-]+", "-", stem if dot else name).strip("-.") or "file"
    return f"{kept}.{ext}" if dot else kept


def content_disposition(name: str, *, fallback: str = "", inline: bool = False) -> str:
    """`attachment; filename="<ascii>"; filename*=UTF-8''<name>` (RFC 6266 and 8187)."""
    plain = ascii_name(fallback or name)
    kind = "inline" if inline else "attachment"
    if name == plain:
        return f'{kind}; filename="{plain}"'
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(
    content: bytes, name: str, *, fallback: str = "", inline: bool = False
) -> HttpResponse:
    """The response for a generated file: its type from the extension, its name in Chinese
    with `fallback` (or the name's ASCII letters) for clients that read only `filename`."""
    ext = name.rpartition(".")[2].lower()
    response = HttpResponse(
        content, content_type=CONTENT_TYPES.get(ext, "application/octet-stream")
    )
    response["Content-Disposition"] = content_disposition(name, fallback=fallback, inline=inline)
    return response


def zip_bundle(files: Iterable[tuple[str, bytes]]) -> bytes:
    """Files into one .zip; names are stored as UTF-8 (the flag every current unzip reads) and a
    repeated name gets "(2)", "(3)" before its extension."""
    buffer = io.BytesIO()
    seen: dict[str, int] = {}
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            count = seen.get(name, 0) + 1
            seen[name] = count
            if count > 1:
                stem, dot, ext = name.rpartition(".")
                name = f"{stem}({count}).{ext}" if dot else f"{name}({count})"
            archive.writestr(name, content)
    return buffer.getvalue()


def merged_pdf(pdfs: Sequence[bytes]) -> bytes:
    """Several PDFs as one, in order; each keeps its own page numbers, as printed separately."""
    writer = PdfWriter()
    for content in pdfs:
        writer.append(io.BytesIO(content))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
