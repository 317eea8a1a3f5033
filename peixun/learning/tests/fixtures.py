"""Test data for online learning, made through the services (so it is valid by their rules)."""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F

from peixun.exams.services import question_create
from peixun.testing import World

from ..models import Course, CourseItem, PlaySession
from ..services import course_create, course_item_add, course_publish

MEDIA = tempfile.mkdtemp(prefix="peixun-test-learning-")
# An EBML header and a little padding: enough for the upload check, not a playable video.
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 60
PDF = b"%PDF-1.4\n% a tiny test document\n"


def make_course(
    world: World,
    *,
    seconds: int = 120,
    quiz: bool = True,
    document: bool = False,
    move_on: str = "watched_and_passed",
    publish: bool = True,
    **fields: Any,
) -> Course:
    """A course of the tenant root: a video of `seconds`, optionally a PDF and a 2-question quiz."""
    admin = world.users["org_admin"]
    course = course_create(
        actor=admin,
        org=fields.pop("org", world.root),
        title=fields.pop("title", "学习贯彻党的二十届三中全会精神"),
        topic="innovation_theory",
        move_on=move_on,
        **fields,
    )
    course_item_add(
        actor=admin,
        course=course,
        kind="video",
        title="第一讲",
        file=SimpleUploadedFile("lecture.webm", WEBM, content_type="video/webm"),
        duration_seconds=seconds,
    )
    if document:
        course_item_add(
            actor=admin,
            course=course,
            kind="document",
            title="学习材料",
            file=SimpleUploadedFile("notes.pdf", PDF, content_type="application/pdf"),
        )
    if quiz:
        questions = [
            question_create(
                actor=admin,
                org=world.root,
                data={
                    "kind": "judge",
                    "stem": f"课程测验判断题{n}：党员应按期交纳党费。",
                    "answer": "对",
                    "topics": "党章",
                },
            )  # fmt: skip
            for n in range(2)
        ]
        course_item_add(
            actor=admin, course=course, kind="quiz", title="课后测验", questions=questions,
            pass_percent=60,
        )  # fmt: skip
    if publish:
        course_publish(actor=admin, course=course)
    return course


def item_of(course: Course, kind: str) -> CourseItem:
    return course.items.get(kind=kind)


def age_session(member_id: int, seconds: float) -> None:
    """Move the member's play session `seconds` into the past: as if that much wall time had
    passed since it started, its last report and its last presence."""
    delta = dt.timedelta(seconds=seconds)
    PlaySession.objects.filter(member_id=member_id).update(
        started_at=F("started_at") - delta,
        last_report_at=F("last_report_at") - delta,
        present_at=F("present_at") - delta,
    )
