"""The 培训档案, 学时证明 and 调训情况通报 as documents: a member downloads their training record
for two years; their secretary issues a certificate and finds it by its serial number; the org
admin reads a class's dispatch circular and the year's, and downloads them. Screenshots at phone
(390 px) and desk (1280 px) widths."""

from __future__ import annotations

import pytest

from browser_tests.conftest import log_in, screenshot
from peixun.hours.models import HoursCertificate
from peixun.hours.tests.test_archive_selectors import build_ledger
from peixun.testing import World
from peixun.training.tests.test_circular_fixtures import YEAR, build_circular

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [(390, 844, "phone"), (1280, 900, "desk")]


def new_page(browser, width: int, height: int):  # type: ignore[no-untyped-def]
    page = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN"
    ).new_page()
    page.set_default_timeout(15_000)
    return page


def no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow


def downloaded(download) -> bytes:  # type: ignore[no-untyped-def]
    with open(download.value.path(), "rb") as handle:
        return handle.read()


@pytest.mark.parametrize(("width", "height", "label"), WIDTHS)
def test_member_prints_their_record_and_secretary_issues_a_certificate(  # type: ignore[no-untyped-def]
    live_server, browser, width: int, height: int, label: str
) -> None:
    world = World()
    build_ledger(world)
    base = live_server.url
    page = new_page(browser, width, height)
    log_in(page, base, "member")
    page.goto(f"{base}/compliance/members/{world.member.pk}/?year=2024")
    page.get_by_role("link", name="导出培训档案").click()
    page.wait_for_load_state()
    page.fill("#id_first_year", "2024")
    page.fill("#id_last_year", "2025")
    screenshot(page, f"dossier-archive-print-{label}")
    no_sideways_scroll(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="下载").click()
    assert downloaded(download).startswith(b"%PDF")
    # The browser takes the Chinese name (filename*), not the ASCII fallback.
    assert download.value.suggested_filename == f"培训档案-{world.member.name}-2024—2025.pdf"
    # A year range the record does not allow: the form says so, nothing is downloaded.
    page.fill("#id_first_year", "2025")
    page.fill("#id_last_year", "2024")
    page.get_by_role("button", name="下载").click()
    page.wait_for_load_state()
    assert "截止年度早于起始年度" in page.locator("main").inner_text()
    page.context.close()

    page = new_page(browser, width, height)
    log_in(page, base, "secretary")
    page.goto(f"{base}/compliance/members/{world.member.pk}/?year=2025")
    page.get_by_role("link", name="出具学时证明").first.click()
    page.wait_for_load_state()
    page.fill("#id_first_year", "2024")
    page.fill("#id_last_year", "2025")
    page.fill("#id_issued_on", "2026-01-05")
    screenshot(page, f"dossier-certificate-issue-{label}")
    page.get_by_role("button", name="出具").click()
    page.wait_for_load_state()
    certificate = HoursCertificate.objects.get()
    text = page.locator("main").inner_text()
    assert f"已出具学时证明 {certificate.serial}" in text and "47.5" in text
    no_sideways_scroll(page)
    screenshot(page, f"dossier-certificates-{label}")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    assert downloaded(download).startswith(b"%PDF")
    page.context.close()


@pytest.mark.parametrize(("width", "height", "label"), WIDTHS)
def test_org_admin_reads_and_downloads_the_dispatch_circular(  # type: ignore[no-untyped-def]
    live_server, browser, width: int, height: int, label: str
) -> None:
    world = World()
    fx = build_circular(world)
    base = live_server.url
    page = new_page(browser, width, height)
    log_in(page, base, "org_admin")
    page.goto(f"{base}/training/{fx.training_class.pk}/")
    page.get_by_role("link", name="调训情况通报").click()
    page.wait_for_load_state()
    units = page.locator("#circular-units").inner_text()
    assert "测试委党委" in units and "合计" in units
    assert page.locator("#circular-absentees tbody tr").count() == 3
    no_sideways_scroll(page)
    screenshot(page, f"dossier-circular-class-{label}")
    page.fill("#id_addressee", "各党支部")
    with page.expect_download() as download:
        page.get_by_role("button", name="Word (.docx)").click()
    assert downloaded(download).startswith(b"PK")

    page.goto(f"{base}/training/")
    page.get_by_role("link", name="调训情况通报").click()
    page.wait_for_load_state()
    page.select_option("#year", str(YEAR))
    page.wait_for_load_state()
    page.locator("#circular-units").wait_for()
    assert "支部专题学习班" in page.locator("main").inner_text()
    no_sideways_scroll(page)
    screenshot(page, f"dossier-circular-year-{label}")
    with page.expect_download() as download:
        page.get_by_role("button", name="表格（.xlsx）").click()
    assert downloaded(download).startswith(b"PK")
    page.context.close()
