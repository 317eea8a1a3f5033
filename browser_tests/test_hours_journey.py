"""The ledger's main journey: a secretary records one branch activity for 30 members, a member
files self-study, the secretary approves it, and the member's 培训档案 and the branch 台账 show it."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from browser_tests.conftest import log_in, screenshot
from peixun.hours.models import CreditEntry
from peixun.hours.selectors import rollup_differences
from peixun.hours.services import requirements_seed_defaults
from peixun.testing import World, ledger_rows, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_file_approve_and_see_it(live_server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    world = World()
    for i in range(28):
        make_member(world.branch, f"党员{i:02d}")
    requirements_seed_defaults(actor=None, tenant=world.root)
    base = live_server.url
    today = timezone.localdate()

    secretary = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN"
    ).new_page()
    log_in(secretary, base, "secretary")
    secretary.goto(f"{base}/hours/record/?org={world.branch.pk}")
    assert secretary.locator("input[name=members]:checked").count() == 30
    secretary.fill("input[name=title]", "学习贯彻党的二十届四中全会精神专题培训")
    secretary.fill("input[name=hours]", "2")
    secretary.select_option("select[name=kind]", "concentrated_training")
    secretary.select_option("select[name=topic]", "innovation_theory")
    secretary.check("input[name=concentrated]")
    screenshot(secretary, "hours-record-phone")
    secretary.locator("form button[type=submit]").last.click()
    secretary.wait_for_load_state()
    assert CreditEntry.objects.filter(title__startswith="学习贯彻", state="confirmed").count() == 30

    member = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    log_in(member, base, "member")
    member.goto(f"{base}/hours/self-study/new/")
    member.fill("input[name=title]", "自学《中国共产党章程》")
    member.fill("input[name=hours]", "1.5")
    member.fill("textarea[name=reflection]", "重温党章，进一步增强了党员意识。")
    evidence = tmp_path / "notes.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% study notes\n%%EOF\n")
    member.set_input_files("input[name=evidence]", str(evidence))
    member.locator("main form button[type=submit]").last.click()
    member.wait_for_load_state()
    filed = CreditEntry.objects.get(member=world.member, kind="self_study")
    assert filed.state == "pending"

    secretary.goto(f"{base}/hours/pending/")
    secretary.get_by_role("button", name="确认").first.click()
    secretary.wait_for_selector("text=已确认")
    screenshot(secretary, "hours-pending-approved")
    filed.refresh_from_db()
    assert filed.state == "confirmed"

    member.goto(f"{base}/compliance/members/{world.member.pk}/?year={today.year}")
    archive = member.locator("main").inner_text()
    assert (
        "自学《中国共产党章程》" in archive and "学习贯彻党的二十届四中全会精神专题培训" in archive
    )
    screenshot(member, "hours-member-archive-phone")

    secretary.goto(f"{base}/compliance/orgs/{world.branch.pk}/?year={today.year}")
    screenshot(secretary, "hours-branch-compliance-phone")
    response = secretary.request.get(
        f"{base}/compliance/orgs/{world.branch.pk}/ledger.xlsx?year={today.year}"
    )
    assert response.ok
    sheet = openpyxl.load_workbook(io.BytesIO(response.body())).active
    rows = ledger_rows(sheet)  # from the header row, below the title rows
    header = [str(h) for h in rows[0]]
    mine = next(r for r in rows[1:] if r[0] == "李明")
    total = mine[header.index("学时合计（各类型）")] if "学时合计（各类型）" in header else None
    assert total is not None and Decimal(str(total)) == Decimal("3.5"), (header, mine)
    assert rollup_differences() == []
