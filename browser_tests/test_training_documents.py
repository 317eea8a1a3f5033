"""A class's documents in the browser: the branch secretary opens the roster of a class their
members are dispatched to, downloads one member's 调训通知 as PDF and every notice at once (one
PDF, a .zip), and the organiser downloads the certificates of the closed class in bulk from the
closing page. Screenshots of the download area at phone (390 px) and desk (1280 px) widths."""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfReader

from browser_tests.conftest import log_in, screenshot
from peixun.testing import World
from peixun.training.models import Enrolment
from peixun.training.services.closing import class_close
from peixun.training.tests.test_closing_fixtures import closable_class, complete, mark_all
from peixun.training.tests.test_dispatch_fixtures import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [(390, 844, "phone"), (1280, 900, "desk")]


def new_page(browser, width: int, height: int):  # type: ignore[no-untyped-def]
    page = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True
    ).new_page()
    page.set_default_timeout(30_000)
    return page


def no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow


def fetched(page, click) -> tuple[bytes, str]:  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        click()
    download = info.value
    with open(download.path(), "rb") as handle:
        return handle.read(), download.suggested_filename


@pytest.mark.parametrize(("width", "height", "label"), WIDTHS)
def test_notices_and_certificates_are_downloaded_one_or_all(  # type: ignore[no-untyped-def]
    live_server, browser, width: int, height: int, label: str
) -> None:
    world = World()
    d = build(world)
    tc = d.training_class
    Enrolment.objects.create(
        training_class=tc, member=d.chen, quota=d.quota, route="nominated", state="accepted"
    )
    base = live_server.url
    page = new_page(browser, width, height)
    log_in(page, base, "secretary")
    page.goto(f"{base}/training/{tc.pk}/roster/?state=accepted")
    area = page.locator("#documents")
    area.scroll_into_view_if_needed()
    assert "调训通知（2 名学员）" in area.inner_text()
    screenshot(page, f"training-documents-roster-{label}")
    no_sideways_scroll(page)

    content, name = fetched(
        page, lambda: page.get_by_role("link", name="调训通知 PDF").first.click()
    )
    assert content.startswith(b"%PDF")
    assert name.startswith("调训通知-") and name.endswith(f"-{tc.title}.pdf"), name

    content, name = fetched(page, lambda: area.get_by_role("link", name="合并为一个 PDF").click())
    assert name == f"调训通知-{tc.title}.pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).replace(
        "\x00", ""
    )
    assert "李明" in text and "陈六" in text

    content, name = fetched(page, lambda: area.get_by_role("link", name=".docx 压缩包").click())
    assert name == f"调训通知-{tc.title}.zip"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == sorted(
            f"调训通知-{n}-{tc.title}.docx" for n in ("李明", "陈六")
        )
    page.context.close()

    # The organiser, after the class of another fixture is closed: every certificate at once.
    closed = closable_class(world, title="已结班的轮训班")
    mark_all(closed)
    complete(closed, world.users["org_admin"])
    class_close(actor=world.users["org_admin"], training_class=closed.training_class)
    page = new_page(browser, width, height)
    log_in(page, base, "org_admin")
    page.goto(f"{base}/training/{closed.training_class.pk}/closing/")
    batch = page.locator("#certificates")
    batch.scroll_into_view_if_needed()
    screenshot(page, f"training-documents-certificates-{label}")
    no_sideways_scroll(page)
    content, name = fetched(page, lambda: batch.get_by_role("link", name="合并为一个 PDF").click())
    assert name == "结业证书-已结班的轮训班.pdf"
    assert len(PdfReader(io.BytesIO(content)).pages) >= 2
    page.context.close()
