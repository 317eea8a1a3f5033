"""API v1 for the documents handed out in bulk, under /api/v1/training/:

- GET /training/classes/{id}/notices/file?format=       the 调训通知 the caller may download
- GET /training/classes/{id}/certificates/file?format=  the 结业证书 the caller may download

`format` is "pdf" (one PDF of them all, the default), "zip" (a .zip of .docx files) or
"pdf.zip" (a .zip of PDF files); each document is audited as a single download is. Which ones:
the rule of one document (`selectors.notice_enrolments`, `selectors.class_certificates`).
Statuses: anonymous 401; a class out of scope 404; nothing the caller may download 404 with a
`detail` saying so; a bad format 422 naming it.
"""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from peixun.core.apiutils import IdParam, query_error
from peixun.core.downloads import download, file_name

from .. import selectors
from ..models import TrainingClass
from ..services import closing as closing_services
from ..services import dispatch as dispatch_services

router = Router(tags=["training"])

FORMATS = {
    "pdf": ("", "pdf", "{kind}-{pk}.pdf"),
    "zip": ("", "zip", "{kind}-{pk}.zip"),
    "pdf.zip": ("（PDF）", "zip", "{kind}-pdf-{pk}.zip"),
}


def _batch_name(label: str, kind: str, training_class: TrainingClass, fmt: str) -> tuple[str, str]:
    suffix, ext, fallback = FORMATS[fmt]
    return (
        file_name(label + suffix, training_class.title, ext=ext),
        fallback.format(kind=kind, pk=training_class.pk),
    )


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise query_error("format", _("Choose PDF, a .zip of .docx or a .zip of PDF."))
    return fmt


@router.get("/classes/{int:class_id}/notices/file")
def get_notices_file(request: HttpRequest, class_id: IdParam, format: str = "pdf") -> HttpResponse:
    fmt = _format(format)
    training_class = selectors.class_get(request.user, class_id)
    enrolments = selectors.notice_enrolments(request.user, training_class)
    if not enrolments:
        raise HttpError(404, _("Nobody is accepted yet whose dispatch notice you may download."))
    data = dispatch_services.notices_export(
        actor=request.user, training_class=training_class, enrolments=enrolments, fmt=fmt
    )
    name, fallback = _batch_name("调训通知", "notices", training_class, fmt)
    return download(data, name, fallback=fallback)


@router.get("/classes/{int:class_id}/certificates/file")
def get_certificates_file(
    request: HttpRequest, class_id: IdParam, format: str = "pdf"
) -> HttpResponse:
    fmt = _format(format)
    training_class = selectors.class_get(request.user, class_id)
    certificates = selectors.class_certificates(request.user, training_class)
    if not certificates:
        raise HttpError(404, _("There is no certificate you may download in this class."))
    data = closing_services.certificates_export(
        actor=request.user, certificates=certificates, fmt=fmt
    )
    name, fallback = _batch_name("结业证书", "certificates", training_class, fmt)
    return download(data, name, fallback=fallback)
