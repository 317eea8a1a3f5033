"""Files of the accounts app: the activation slips (激活通知单), one page per member."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm

from peixun.core.docxstyle import FANGSONG, HEITI, docx_a4, docx_font, docx_paragraph


@dataclass(frozen=True)
class SlipRow:
    name: str
    branch: str
    login: str
    code: str
    expires_at: dt.datetime
    url: str  # the activation page with the code filled in


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    return buffer


def activation_slips(rows: Sequence[SlipRow], *, site_name: str = "") -> bytes:
    """A .docx with one A4 page per member: name, branch, login, the activation code, its expiry
    and a QR code to the activation page with the code filled in."""
    with translation.override("zh-hans"):
        document = Document()
        docx_a4(document)
        for index, row in enumerate(rows):
            if index:
                document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
            docx_paragraph(
                document,
                _("Activation slip"),
                font=HEITI,
                size=22,
                align=WD_ALIGN_PARAGRAPH.CENTER,
                indent=False,
            )
            if site_name:
                docx_paragraph(
                    document, site_name, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
                )
            docx_paragraph(document, indent=False)
            expires = timezone.localtime(row.expires_at)
            for label, value in (
                (_("Full name"), row.name),
                (_("Branch"), row.branch),
                (_("Login"), row.login),
                (_("Activation code"), row.code),
                (_("Valid until"), expires.strftime("%Y-%m-%d %H:%M")),
            ):
                paragraph = docx_paragraph(document, indent=False)
                docx_font(paragraph.add_run(f"{label}："), HEITI, 16)
                docx_font(
                    paragraph.add_run(value),
                    FANGSONG,
                    18 if label == _("Activation code") else 16,
                    bold=label == _("Activation code"),
                )
            docx_paragraph(document, indent=False)
            picture = document.add_paragraph()
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            picture.add_run().add_picture(_qr_png(row.url), width=Mm(45))
            docx_paragraph(
                document,
                _(
                    "Scan the code with your phone, or open %(url)s and type the activation "
                    "code, then choose your own password. The code works once; after activation "
                    "log in with your login and that password."
                )
                % {"url": row.url.split("?", 1)[0]},
                size=14,
                # Justified, the long address would spread the characters before it apart.
                align=WD_ALIGN_PARAGRAPH.LEFT,
                indent=False,
            )
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
