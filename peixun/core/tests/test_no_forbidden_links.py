"""No tab, button or link leads to a 403 (or a 500): for each persona, follow every same-site GET
link (`<a href>`, `hx-get`) from the workbench, breadth-first to depth 2, and look at the answers.
What a reader may not use must not be shown (docs/development.md, "Navigation entries")."""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.test import Client

from peixun.core.notifications import notification_send
from peixun.events.tests.fixtures import add_session, enrol, make_class
from peixun.testing import PersonaTestCase

MAX_DEPTH = 2
MAX_PAGES = 150
SKIP = ("/accounts/logout", "/static/", "/media/", "/admin/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or name == "hx-get"):
                self.found.append(value)


def links_of(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for raw in parser.found:
        if raw.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urldefrag(urljoin(base, raw)).url
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or parts.path.startswith(SKIP):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def crawl(client: Client, start: str = "/") -> tuple[dict[str, int], dict[str, str]]:
    """Every page reached (url → status) and, for each, the page that linked it."""
    seen: dict[str, int] = {}
    came_from: dict[str, str] = {start: "(start)"}
    queue: deque[tuple[str, int]] = deque([(start, 0)])
    while queue and len(seen) < MAX_PAGES:
        url, depth = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        html = response.get("Content-Type", "").startswith("text/html")
        if depth >= MAX_DEPTH or response.status_code != 200 or not html:
            continue
        for link in links_of(response.content.decode(), url):
            if link not in seen and link not in came_from:
                came_from[link] = url
                queue.append((link, depth + 1))
    return seen, came_from


class NoForbiddenLinksTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        # Something to link to: a class the branch's members are in, and a message each.
        training_class = make_class(w.root, title="爬虫测试班", audience_org=w.unit)
        add_session(training_class, starts_in=24 * 60, title="第一讲")
        enrol(training_class, w.member, w.secretary_member, w.other_member)
        notification_send(
            actor=None,
            recipients=w.users.values(),
            title="测试通知",
            url=f"/training/{training_class.pk}/",
        )

    def check(self, persona: str) -> None:
        seen, came_from = crawl(self.client_for(persona))
        bad = {url: status for url, status in seen.items() if status == 403 or status >= 500}
        self.assertGreater(len(seen), 3, f"{persona} reached almost nothing: {seen}")
        self.assertEqual(
            bad,
            {},
            f"{persona} was shown links it may not use: "
            + "; ".join(f"{u} ({s}) linked from {came_from.get(u)}" for u, s in bad.items()),
        )

    def test_member(self) -> None:
        self.check("member")

    def test_secretary(self) -> None:
        self.check("secretary")

    def test_other_secretary(self) -> None:
        self.check("other_secretary")

    def test_org_admin(self) -> None:
        self.check("org_admin")

    def test_viewer(self) -> None:
        self.check("viewer")
