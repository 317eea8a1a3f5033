"""Writing the catalogue: a course and its items (a video, a PDF, a quiz from the bank),
publishing and retiring it. Staff of the owner org (or above it) manage a course; the staff
pages of the catalogue call these."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor
from peixun.exams.models import Question
from peixun.hours.models import HOURS_STEP, Topic
from peixun.orgs.models import Organization

from ..models import Course, CourseItem, ItemKind, MoveOn, OnlineClass

COURSE_AUDIT = ["title", "topic", "hours", "move_on", "watch_percent", "allow_skip", "state"]
MAX_VIDEO_BYTES = 1024 * 1024 * 1024  # a lecture of an hour at a phone's resolution fits well
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_QUIZ_QUESTIONS = 50
# The first bytes of each file type an item may hold: a renamed .exe or .html is refused.
FILE_TYPES: dict[str, tuple[str, ...]] = {
    ItemKind.VIDEO: (".mp4", ".webm"),
    ItemKind.DOCUMENT: (".pdf",),
}
CONTENT_TYPES = {".mp4": "video/mp4", ".webm": "video/webm", ".pdf": "application/pdf"}


def _signature_ok(suffix: str, head: bytes) -> bool:
    if suffix == ".pdf":
        return head.startswith(b"%PDF-")
    if suffix == ".webm":
        return head.startswith(b"\x1a\x45\xdf\xa3")  # EBML
    if suffix == ".mp4":
        return head[4:8] == b"ftyp"  # ISO base media: a size, then the ftyp box
    return False


def check_item_file(kind: str, upload: UploadedFile[Any] | None) -> str:
    """The checked file's suffix, or a ValidationError naming what is wrong with it."""
    if upload is None:
        raise ValidationError({"file": _("Upload the file.")})
    name = (upload.name or "").lower()
    allowed = FILE_TYPES.get(kind, ())
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in allowed:
        if kind == ItemKind.VIDEO:
            raise ValidationError({"file": _("Upload a video as .mp4 or .webm.")})
        raise ValidationError({"file": _("Upload a document as a PDF.")})
    limit = MAX_VIDEO_BYTES if kind == ItemKind.VIDEO else MAX_DOCUMENT_BYTES
    if not upload.size:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > limit:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}}
        )
    upload.seek(0)
    head = upload.read(12)
    upload.seek(0)
    if not _signature_ok(suffix, head):
        raise ValidationError({"file": _("The file's content is not the type its name says.")})
    return suffix


def _clean_hours(raw: Any) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("Enter the study hours as a number.")}) from None
    if value <= 0 or value > 100 or value % HOURS_STEP:
        raise ValidationError(
            {"hours": _("Study hours are more than 0, at most 100, in steps of 0.25.")}
        )
    return value


def _clean_course(fields: dict[str, Any]) -> dict[str, Any]:
    title = str(fields.get("title") or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the course a title.")})
    if len(title) > 200:
        raise ValidationError({"title": _("The title is longer than 200 characters.")})
    topic = fields.get("topic") or Topic.OTHER
    if topic not in Topic.values:
        raise ValidationError({"topic": _("Choose a topic from the list.")})
    move_on = fields.get("move_on") or MoveOn.WATCHED
    if move_on not in MoveOn.values:
        raise ValidationError({"move_on": _("Choose when the course is complete.")})
    try:
        raw = fields.get("watch_percent")
        watch_percent = 90 if raw in (None, "") else int(raw)
    except (TypeError, ValueError):
        watch_percent = -1
    if not 1 <= watch_percent <= 100:
        raise ValidationError({"watch_percent": _("The share to watch is 1 to 100 percent.")})
    return {
        "title": title,
        "topic": topic,
        "description": str(fields.get("description") or "").strip()[:5000],
        "hours": _clean_hours(fields.get("hours")),
        "move_on": move_on,
        "watch_percent": watch_percent,
        "allow_skip": bool(fields.get("allow_skip")),
    }


@transaction.atomic
def course_create(*, actor: Actor, org: Organization, **fields: Any) -> Course:
    """A draft course owned by `org` (title, topic, description, hours, move_on, watch_percent,
    allow_skip); it is seen by members once published."""
    require_manage(actor, org)
    course = Course.objects.create(
        org=org, created_by_id=getattr(actor, "pk", None), **_clean_course(fields)
    )
    audit_record(
        actor=actor, verb="learning.course.create", obj=course, org=org,
        after=snapshot(course, COURSE_AUDIT),
    )  # fmt: skip
    return course


@transaction.atomic
def course_update(*, actor: Actor, course: Course, **fields: Any) -> Course:
    """Change a course's description and rule. Completions already made stay as they are."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    require_manage(actor, course.org)
    before = snapshot(course, COURSE_AUDIT)
    for name, value in _clean_course(fields).items():
        setattr(course, name, value)
    course.save()
    audit_record(
        actor=actor, verb="learning.course.update", obj=course, org=course.org,
        before=before, after=snapshot(course, COURSE_AUDIT),
    )  # fmt: skip
    return course


def _next_position(course: Course) -> int:
    top = course.items.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


@transaction.atomic
def course_item_add(
    *,
    actor: Actor,
    course: Course,
    kind: str,
    title: str,
    file: UploadedFile[Any] | None = None,
    duration_seconds: Any = None,
    questions: list[Question] | None = None,
    pass_percent: Any = 60,
) -> CourseItem:
    """Add a video (a file and its length in seconds), a PDF, or a quiz (questions of a bank
    the course's owner can see, and a pass mark) at the end of a course."""
    require_manage(actor, course.org)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the item a title.")})
    if kind not in ItemKind.values:
        raise ValidationError({"kind": _("Choose a video, a document or a quiz.")})
    item = CourseItem(course=course, kind=kind, title=title[:200], position=_next_position(course))
    if kind in (ItemKind.VIDEO, ItemKind.DOCUMENT):
        check_item_file(kind, file)
        item.file = file
    if kind == ItemKind.VIDEO:
        try:
            seconds = int(duration_seconds)
        except (TypeError, ValueError):
            seconds = 0
        if not 1 <= seconds <= 24 * 3600:
            raise ValidationError(
                {"duration_seconds": _("Give the video's length in seconds (1 to 86,400).")}
            )
        item.duration_seconds = seconds
    chosen: list[Question] = []
    if kind == ItemKind.QUIZ:
        try:
            item.pass_percent = int(pass_percent)
        except (TypeError, ValueError):
            item.pass_percent = -1
        if not 1 <= item.pass_percent <= 100:
            raise ValidationError({"pass_percent": _("The pass mark is 1 to 100 percent.")})
        chosen = list(questions or [])
        if not chosen:
            raise ValidationError({"questions": _("Choose at least one question.")})
        if len(chosen) > MAX_QUIZ_QUESTIONS:
            raise ValidationError(
                {"questions": _("A quiz has at most %(n)d questions.") % {"n": MAX_QUIZ_QUESTIONS}}
            )
        # The bank the course's owner shares: a question owned elsewhere cannot be borrowed.
        visible = set(
            Question.objects.shared_with_paths((course.org.path,))
            .filter(pk__in=[q.pk for q in chosen], retired=False)
            .values_list("pk", flat=True)
        )
        if len(visible) != len({q.pk for q in chosen}):
            raise ValidationError({"questions": _("A question is not in this course's bank.")})
    item.save()
    if chosen:
        item.questions.set(chosen)
    audit_record(
        actor=actor, verb="learning.item.add", obj=item, org=course.org,
        object_repr=f"{course.title} / {item.title}",
        after={"course": course.pk, "kind": kind, "title": item.title,
               "duration_seconds": item.duration_seconds,
               "questions": [q.pk for q in chosen]},
    )  # fmt: skip
    return item


@transaction.atomic
def course_item_remove(*, actor: Actor, item: CourseItem) -> None:
    """Take an item out of a course nobody has started (its progress would lose its meaning)."""
    course = item.course
    require_manage(actor, course.org)
    if item.progress.exists() or item.attempts.exists():
        raise ValidationError({"item": _("Members have started this item; it stays.")})
    audit_record(
        actor=actor, verb="learning.item.remove", obj=item, org=course.org,
        object_repr=f"{course.title} / {item.title}", before={"kind": item.kind},
    )  # fmt: skip
    if item.file:
        item.file.delete(save=False)
    item.delete()


@transaction.atomic
def course_publish(*, actor: Actor, course: Course) -> Course:
    """Open a draft course to the members below its owner. It must be completable by its rule."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    require_manage(actor, course.org)
    if course.state != Course.State.DRAFT:
        raise ValidationError({"state": _("Only a draft course can be published.")})
    kinds = set(course.items.values_list("kind", flat=True))
    if not kinds:
        raise ValidationError({"items": _("Add a video, a document or a quiz first.")})
    if (
        course.needs_quiz
        and course.move_on != MoveOn.WATCHED_OR_PASSED
        and ItemKind.QUIZ not in kinds
    ):
        raise ValidationError({"items": _("The course's rule asks for a quiz: add one.")})
    if course.move_on in (MoveOn.WATCHED, MoveOn.WATCHED_AND_PASSED) and not (
        kinds & {ItemKind.VIDEO, ItemKind.DOCUMENT}
    ):
        raise ValidationError({"items": _("The course's rule asks for watching: add a video.")})
    course.state = Course.State.PUBLISHED
    course.published_at = timezone.now()
    course.save(update_fields=["state", "published_at", "updated_at"])
    audit_record(actor=actor, verb="learning.course.publish", obj=course, org=course.org)
    return course


@transaction.atomic
def course_retire(*, actor: Actor, course: Course) -> Course:
    """Withdraw a course from the catalogue; completions and credits stay. Refused while an
    open online class (published, its window not ended) requires the course, naming the
    classes: its members could no longer finish the class. Take the course off those classes
    first, or wait for them to end."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    require_manage(actor, course.org)
    if course.state == Course.State.RETIRED:
        return course
    requiring = (
        OnlineClass.objects.filter(
            state=OnlineClass.State.PUBLISHED,
            ends_on__gte=timezone.localdate(),
            assignments__course=course,
            assignments__required=True,
        )
        .select_related("org")
        .order_by("starts_on", "id")
        .distinct()
    )
    # Named whoever owns them: a class of another branch is named with its organiser, so the
    # course's manager knows whom to ask (the title alone is no secret beyond the course's tree).
    open_classes = [f"{c.title}（{c.org.name}）" for c in requiring[:10]]
    if open_classes:
        raise ValidationError(
            _(
                "Open online classes require this course: %(classes)s. Take it off those classes "
                "(or let them end) before retiring it."
            )
            % {"classes": "、".join(open_classes)}
        )
    course.state = Course.State.RETIRED
    course.save(update_fields=["state", "updated_at"])
    audit_record(actor=actor, verb="learning.course.retire", obj=course, org=course.org)
    return course
