"""Competitions and 述学 in the browser: a member enters a 党课 competition from a phone (slides
attached); the org admin at a desk closes entries with a judge; the judge scores the entry on a
phone; the org admin awards it and publishes; the member reads the recognition list, and writes
and submits their 述学 on the phone; the branch secretary sees it on the branch's list at a desk.
Pages are found by their ids, not their words, so the journey holds in either language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from browser_tests.conftest import log_in, pick, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.surveys.models import Contest, Entry, Response, StudyReport
from peixun.surveys.services.contests import contest_create
from peixun.testing import World, make_member, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "今年系统学习了党的二十届三中全会精神和新修订的《中国共产党纪律处分条例》，"
    "参加支部集中学习十二次，完成网络学习课程二十学时，撰写学习心得两篇，"
    "进一步增强了纪律意识和服务意识。"
)


def test_contest_from_entry_to_recognition_and_a_study_report(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    base = live_server.url
    today = timezone.localdate()
    judge = make_member(world.far_branch, "周评委")
    make_user("judge", member=judge)
    contest = contest_create(
        actor=world.users["org_admin"],
        org=world.root,
        kind="lecture",
        title=f"{today.year}年度最佳党课评选",
        year=today.year,
        rules="每个支部推荐一名党员讲授党课，提交讲稿提纲和课件。",
        entry_deadline=today + dt.timedelta(days=7),
    )
    url = f"{base}/surveys/contests/{contest.pk}/"

    # A member enters on a phone.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(phone, base, "member")
    phone.goto(f"{base}/surveys/contests/")
    screenshot(phone, "contests-list-phone")
    phone.locator("#contest-list a").first.click()
    phone.wait_for_load_state()
    phone.locator("#contest-actions a").first.click()
    phone.wait_for_load_state()
    phone.fill("input[name=title]", "深刻领悟“两个确立”的决定性意义")
    phone.fill("textarea[name=summary]", "一、学习背景\n二、主要内容\n三、结合实际谈体会")
    phone.fill("input[name=video_url]", "ftp://not-a-video")
    phone.set_input_files(
        "input[name=slides]",
        files=[{"name": "党课课件.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}],
    )
    phone.click("#entry-form button[type=submit]")
    phone.wait_for_load_state()
    assert not Entry.objects.exists()  # the bad link refused; nothing stored
    screenshot(phone, "contest-entry-error-phone")
    phone.fill("input[name=video_url]", "https://video.example.cn/dangke/1")
    phone.set_input_files(
        "input[name=slides]",
        files=[{"name": "党课课件.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}],
    )
    phone.click("#entry-form button[type=submit]")
    phone.wait_for_load_state()
    entry = Entry.objects.get()
    assert entry.slides_name == "党课课件.pdf"
    assert "深刻领悟" in phone.locator("#my-entry").inner_text()
    screenshot(phone, "contest-detail-phone")

    # The org admin closes entries with a judge, at a desk.
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(desk, base, "org_admin")
    desk.goto(url)
    pick(desk, "select[name=judge_1]", "周评委")
    desk.click("#judges button[type=submit]")
    desk.wait_for_load_state()
    assert Contest.objects.get(pk=contest.pk).state == "judging"
    screenshot(desk, "contest-detail-desktop")

    # The judge scores it on a phone.
    judge_page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(judge_page, base, "judge")
    judge_page.goto(url)
    judge_page.locator("#contest-actions a").first.click()
    judge_page.wait_for_load_state()
    screenshot(judge_page, "contest-judge-queue-phone")
    judge_page.locator("#judge-queue a").first.click()
    judge_page.wait_for_load_state()
    radios = judge_page.locator("#score-form input[type=radio][value='4']")
    for n in range(radios.count()):
        judge_page.click(f"label[for={radios.nth(n).get_attribute('id')}]")
    judge_page.fill("#score-form textarea", "观点鲜明，联系实际。")
    screenshot(judge_page, "contest-score-phone")
    judge_page.click("#score-form button[type=submit]")
    judge_page.wait_for_load_state()
    assert Response.objects.filter(subject_ref=f"entry:{entry.pk}").count() == 1
    assert judge_page.locator("#judge-queue .bg-success").count() == 1

    # The org admin awards it and publishes.
    desk.goto(f"{url}results/")
    assert "16.00" in desk.locator("#results-table").inner_text()  # four items rated 4
    desk.select_option(f"#award-{entry.pk}", "first")
    desk.click(f"#award-{entry.pk} + button")
    desk.wait_for_load_state()
    assert Entry.objects.get().award == "first"
    screenshot(desk, "contest-results-desktop")
    desk.click("form[action$='/publish/'] button[type=submit]")
    desk.wait_for_load_state()
    assert Contest.objects.get(pk=contest.pk).state == "published"
    screenshot(desk, "contest-recognition-desktop")

    # The member reads the recognition list, then writes their 述学.
    phone.goto(f"{url}recognition/")
    listing = phone.locator("main").inner_text()
    assert "深刻领悟" in listing and "16" not in listing
    screenshot(phone, "contest-recognition-phone")
    phone.goto(f"{base}/surveys/study-report/")
    phone.fill("textarea[name=text]", TEXT)
    phone.click("button[name=submit]")
    phone.wait_for_load_state()
    assert StudyReport.objects.get().state == "submitted"
    assert phone.locator("#report-text").count() == 1
    screenshot(phone, "study-report-mine-phone")

    # The branch secretary sees who has submitted.
    secretary = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(secretary, base, "secretary")
    secretary.goto(f"{base}/surveys/study-reports/")
    assert "李明" in secretary.locator("table").inner_text()
    screenshot(secretary, "study-reports-desktop")
    secretary.goto(f"{base}/surveys/study-reports/{StudyReport.objects.get().pk}/")
    screenshot(secretary, "study-report-detail-desktop")
