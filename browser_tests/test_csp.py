"""Content-Security-Policy in a real browser: each persona opens the pages of its menu and the
pages with inline scripts, pickers and htmx; any refusal the policy reports (a console message
or a securitypolicyviolation event) fails the test. The page also uses the data-* behaviours
that replaced inline handlers (a year chooser that submits itself, a confirm on submit)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from browser_tests.conftest import screenshot
from peixun.events.tests.fixtures import class_session
from peixun.testing import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""

EXTRA = {
    # Pages with inline scripts, htmx or pickers that a menu may not lead to directly.
    "member": ["/events/{event}/signin/?t=x", "/compliance/members/{member}/"],
    "secretary": ["/hours/record/", "/hours/pending/", "/orglife/new/"],
    "org_admin": ["/orgs/", "/events/{event}/projector/", "/events/{event}/attendance/"],
    "viewer": ["/orgs/"],
    "other_secretary": [],
    "": ["/accounts/login/", "/no-such-page/"],
}


def report(violations: list[str], persona: str, page, message) -> None:  # type: ignore[no-untyped-def]
    if "Content Security Policy" in message.text:
        violations.append(f"{persona or 'anonymous'} {page.url}: {message.text}")


def menu_links(page, origin: str) -> list[str]:  # type: ignore[no-untyped-def]
    hrefs = page.eval_on_selector_all("nav a[href]", "links => links.map(a => a.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" == origin and not parts.path.endswith(
            (".xlsx", ".docx", ".pdf")
        ):
            paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return list(dict.fromkeys(paths))


def test_no_page_breaks_the_policy(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    fx = class_session(world)
    violations: list[str] = []
    visited = 0
    for persona, extra in EXTRA.items():
        context = browser.new_context(viewport={"width": 390, "height": 900}, locale="zh-CN")
        context.add_init_script(WATCH)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on(
            "console",
            lambda msg, who=persona, tab=page, into=violations: report(into, who, tab, msg),
        )
        if persona:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", persona)
            page.fill("#id_password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_load_state()
        paths = ["/"] + [p.format(event=fx.event.pk, member=world.member.pk) for p in extra]
        page.goto(live_server.url + "/")
        paths += menu_links(page, live_server.url)
        for path in dict.fromkeys(paths):
            if "logout" in path:
                continue
            response = page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            assert response is not None
            assert response.status < 400 or path == "/no-such-page/", (persona, path, response)
            visited += 1
            seen = page.evaluate("window.__csp")
            violations += [f"{persona or 'anonymous'} {path}: {v}" for v in seen]
        screenshot(page, f"csp-{persona or 'anonymous'}")
        context.close()
    assert visited > 20
    assert violations == []


def test_data_behaviours_replace_inline_handlers(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    World()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "org_admin")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    # data-autosubmit: choosing a year on the rules page reloads it for that year.
    page.goto(f"{live_server.url}/hours/rules/")
    select = page.locator("select[data-autosubmit][name=year]")
    years = select.locator("option").evaluate_all("os => os.map(o => o.value)")
    other = next(y for y in years if y != select.input_value())
    with page.expect_navigation():
        select.select_option(other)
    assert f"year={other}" in page.url
    # data-confirm: dismissing the question keeps the page; accepting submits.
    page.goto(f"{live_server.url}/hours/rules/")
    page.evaluate(
        """() => { const f = document.createElement('form'); f.method = 'get';
        f.action = '/hours/rules/?confirmed=1'; f.setAttribute('data-confirm', 'Sure?');
        f.innerHTML = '<input type=hidden name=confirmed value=1><button id=go>Go</button>';
        document.querySelector('main').append(f); }"""
    )
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#go")
    page.wait_for_timeout(300)
    assert "confirmed" not in page.url
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#go")
    assert "confirmed=1" in page.url
    assert page.evaluate("window.__csp") == []
    # The watcher itself works: an inline handler added now is refused and reported.
    page.evaluate(
        """() => { const b = document.createElement('button'); b.id = 'bad';
        b.setAttribute('onclick', 'document.title = "ran"'); document.body.append(b); }"""
    )
    page.click("#bad")
    page.wait_for_timeout(300)
    assert page.title() != "ran"
    assert any("script-src" in v for v in page.evaluate("window.__csp"))
    context.close()
