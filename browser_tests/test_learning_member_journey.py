"""A member learns a course on a phone: 我的课程 with its progress bar, the course's video played
to the end (a real 12-second VP8 clip, browser_tests/fixtures/lecture-12s.webm, 47 KB, made once
with Debian's ffmpeg: `ffmpeg -f lavfi -i testsrc=duration=12:size=192x108:rate=10 -c:v libvpx
-b:v 30k -an`), a skip ahead that earns nothing (the player sends it back, and a tampered report
is refused by the server), the quiz passed, and the credit with its evidence in the 培训档案.
Then the same pages at a desk's width."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from browser_tests.conftest import log_in, screenshot, wait_until
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.exams.services import question_create
from peixun.hours.models import CreditEntry, Kind
from peixun.learning.models import Completion, ItemProgress, Strike
from peixun.learning.services import course_create, course_item_add, course_publish
from peixun.testing import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLIP = Path(__file__).parent / "fixtures" / "lecture-12s.webm"


def test_member_watches_skips_in_vain_passes_and_sees_the_credit(  # type: ignore[no-untyped-def]
    live_server, browser
) -> None:
    world = World()
    base = live_server.url
    admin = world.users["org_admin"]
    course = course_create(
        actor=admin, org=world.root, title="学习贯彻党的二十届三中全会精神（微课）",
        topic="innovation_theory", move_on="watched_and_passed", watch_percent=90,
    )  # fmt: skip
    video = course_item_add(
        actor=admin, course=course, kind="video", title="第一讲 全会精神要点",
        file=SimpleUploadedFile("lecture.webm", CLIP.read_bytes(), content_type="video/webm"),
        duration_seconds=12,
    )  # fmt: skip
    questions = [
        question_create(
            actor=admin,
            org=world.root,
            data={
                "kind": "judge",
                "stem": f"判断题{n}：党员应按期交纳党费。",
                "answer": "对",
                "topics": "党章",
            },
        )  # fmt: skip
        for n in range(2)
    ]
    quiz = course_item_add(
        actor=admin, course=course, kind="quiz", title="课后测验", questions=questions
    )
    course_publish(actor=admin, course=course)

    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True)
    phone = context.new_page()
    phone.set_default_timeout(20_000)
    log_in(phone, base, "member")
    phone.goto(f"{base}/learning/mine/")
    assert phone.locator(".learning-course").count() == 1
    assert "0%" in phone.locator(".learning-course").inner_text()
    screenshot(phone, "learning-my-courses-phone")
    phone.get_by_role("link", name="开始学习").click()
    phone.wait_for_selector("#video")
    wait_until(phone, "document.getElementById('video').readyState >= 1")
    wait_until(phone, "performance.now() > 3000")

    # Skipping ahead: the player goes back and says why; a tampered report is refused.
    phone.evaluate("document.getElementById('video').currentTime = 9")
    wait_until(phone, "!document.getElementById('player-notice').classList.contains('d-none')")
    assert "不允许快进" in phone.locator("#player-notice").inner_text()
    assert phone.evaluate("document.getElementById('video').currentTime") < 1
    refused = phone.evaluate(
        """async () => {
          const box = document.getElementById('player');
          const csrf = box.querySelector('input[name=csrfmiddlewaretoken]').value;
          const token = (await (await fetch(box.dataset.playUrl, {method: 'POST',
              headers: {'X-CSRFToken': csrf}})).json()).token;
          await new Promise(r => setTimeout(r, 2500));
          const r = await fetch(box.dataset.reportUrl, {method: 'POST',
              headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
              body: JSON.stringify({token, intervals: [[8, 10]], elapsed: 2.5, position: 10})});
          return r.json();
        }"""
    )
    assert (refused["accepted"], refused["reason"]) == (False, "skip")
    assert ItemProgress.objects.get(item=video).unique_seconds == 0
    # The tampered call took the session over: the page starts its own again, as a reload does.
    phone.reload()
    phone.wait_for_selector("#video")
    wait_until(phone, "document.getElementById('video').readyState >= 1")

    # Play the clip to the end at normal speed.
    phone.evaluate(
        "(() => { const v = document.getElementById('video'); v.muted = true; v.play(); })()"
    )
    wait_until(phone, "document.getElementById('video').ended", timeout=40)
    wait_until(phone, "document.getElementById('watched-text').textContent.includes('100.0')")
    progress = ItemProgress.objects.get(item=video, member=world.member)
    assert progress.unique_seconds >= 11
    assert Strike.objects.filter(member=world.member, reason="skip").count() == 1
    assert not Completion.objects.exists()  # the quiz is still to pass
    screenshot(phone, "learning-course-video-phone")

    # The quiz.
    phone.get_by_role("link", name="测验 · 课后测验").click()
    for n in range(2):
        phone.get_by_label("对", exact=True).nth(n).check()
    screenshot(phone, "learning-course-quiz-phone")
    phone.get_by_role("button", name="交卷").click()
    phone.wait_for_selector("#course-done")
    assert quiz.attempts.filter(passed=True).exists()
    completion = Completion.objects.get(member=world.member, course=course)
    entry = CreditEntry.objects.get(member=world.member, reference=f"course:{course.pk}")
    assert entry.kind == Kind.ONLINE_TRAINING and entry.hours == completion.hours
    screenshot(phone, "learning-course-done-phone")

    # The 培训档案 shows the credit and the evidence behind it.
    phone.goto(f"{base}/compliance/members/{world.member.pk}/")
    section = phone.locator("#courses + ul")
    assert course.title in section.inner_text()
    assert "已观看" in section.inner_text() and "测验 100.0%" in section.inner_text()
    phone.locator("#courses").scroll_into_view_if_needed()
    screenshot(phone, "learning-archive-phone")
    phone.goto(f"{base}/learning/mine/")
    assert "已完成" in phone.locator(".learning-course").inner_text()
    context.close()

    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(desk, base, "member")
    desk.goto(f"{base}/learning/mine/")
    screenshot(desk, "learning-my-courses-desktop")
    desk.goto(f"{base}/learning/courses/{course.pk}/")
    screenshot(desk, "learning-course-desktop")
