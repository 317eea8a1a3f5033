"""A quarterly test from the organisation department's desk: import the bank from a workbook
(the dry run lists the broken row, nothing is stored until the file is right), build a paper
drawn by rules, create and publish the test for the whole subtree, and read the results."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import Workbook

from browser_tests.conftest import ARTIFACTS, log_in, pick, screenshot
from browser_tests.test_training_journey import DESKTOP
from peixun.exams.documents import TEMPLATE_HEADERS
from peixun.exams.models import Candidate, Exam, Paper, Question
from peixun.testing import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = [
    ["单选", "党的最高理想和最终目标是什么？", "实现共产主义", "全面小康", "现代化", "民族复兴", "", "", "", "", "A", "党章", "易", "见党章总纲。", "党章"],
    ["单选", "党的根本组织原则是：", "民主集中制", "集体领导", "少数服从多数", "分工负责", "", "", "", "", "A", "党章", "中", "", ""],
    ["多选", "“三会一课”指的是：", "支部党员大会", "支部委员会", "党小组会", "党课", "中心组学习", "", "", "", "ABCD", "党内法规", "易", "", ""],
    ["多选", "“四个意识”包括：", "政治意识", "大局意识", "核心意识", "看齐意识", "责任意识", "", "", "", "ABCD", "党章", "中", "", ""],
    ["判断", "党员应当按月交纳党费。", "", "", "", "", "", "", "", "", "对", "党章", "易", "", ""],
    ["判断", "民主评议党员一般每两年开展一次。", "", "", "", "", "", "", "", "", "错", "党内法规", "中", "", ""],
    ["填空", "党的根本宗旨是全心全意为____服务。", "", "", "", "", "", "", "", "", "人民", "党章", "易", "", ""],
    ["填空", "中国共产党于____年成立。", "", "", "", "", "", "", "", "", "1921|1921年", "党史", "易", "", ""],
]  # fmt: skip


def workbook(rows: list[list[str]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(TEMPLATE_HEADERS))
    for row in rows:
        sheet.append(row)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"questions-{len(rows)}.xlsx"
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return path


def test_quarterly_test_from_the_bank_import_to_the_results(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    base = live_server.url
    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, "org_admin")

    # A broken row: a single-choice question whose answer names option F, which it lacks.
    broken = [*ROWS, ["单选", "错题", "甲", "乙", "", "", "", "", "", "", "F", "", "", "", ""]]
    page.goto(f"{base}/exams/bank/import/")
    pick(page, "select[name=org]", "测试县直机关工委")
    page.set_input_files("input[name=file]", str(workbook(broken)))
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_selector("#import-problems")
    assert "10" in page.locator("#import-problems tbody tr").first.inner_text()  # row 10
    screenshot(page, "exams-import-problems")
    assert not Question.objects.exists()

    pick(page, "select[name=org]", "测试县直机关工委")
    page.set_input_files("input[name=file]", str(workbook(ROWS)))
    page.locator("main form button[type=submit]").last.click()
    page.get_by_role("button", name="导入 8 道题").click()
    page.wait_for_url(f"{base}/exams/bank/**")
    assert Question.objects.filter(org=world.root).count() == 8
    screenshot(page, "exams-bank")

    page.goto(f"{base}/exams/papers/new/")
    page.fill("input[name=title]", "党章党规综合卷")
    pick(page, "select[name=org]", "测试县直机关工委")
    page.check("input[name=mode][value=rules]")
    for n, (kind, count) in enumerate((("single", 2), ("multiple", 1), ("judge", 2), ("blank", 1))):
        page.select_option(f"select[name=rule{n}_kind]", kind)
        page.fill(f"input[name=rule{n}_count]", str(count))
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/exams/papers/*/")
    paper = Paper.objects.get(title="党章党规综合卷")
    screenshot(page, "exams-paper")

    page.goto(f"{base}/exams/new/")
    page.fill("input[name=title]", "第四季度党章党规应知应会测试")
    page.select_option("select[name=paper]", str(paper.pk))
    now = timezone.localtime()
    page.fill("input[name=opens_at]", (now - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=closes_at]", (now + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    screenshot(page, "exams-form")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(f"{base}/exams/*/")
    page.get_by_role("button", name="发布").click()
    page.wait_for_selector(".alert-success")
    exam = Exam.objects.get(title="第四季度党章党规应知应会测试")
    assert exam.state == Exam.State.PUBLISHED
    assert Candidate.objects.filter(exam=exam).count() == 4
    assert "第三党支部" in page.locator("tbody").inner_text()
    screenshot(page, "exams-published")

    # The pages around it: a question, the papers, the edit form of a published exam, the rules.
    question = Question.objects.filter(org=world.root).order_by("id").first()
    assert question is not None
    page.goto(f"{base}/exams/bank/{question.pk}/")
    assert page.locator("textarea[name=stem]").input_value() == question.stem
    screenshot(page, "exams-question")
    page.goto(f"{base}/exams/papers/")
    assert "党章党规综合卷" in page.locator("main").inner_text()
    screenshot(page, "exams-papers")
    page.goto(f"{base}/exams/{exam.pk}/edit/")
    assert page.locator("select[name=paper]").count() == 0  # published: the paper stays
    screenshot(page, "exams-edit-published")
    page.goto(f"{base}/exams/rules/")
    page.fill("input[name=pass_credit_hours]", "1")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    assert page.locator("input[name=pass_credit_hours]").input_value() in ("1", "1.00")
    screenshot(page, "exams-rules")
