"""Content-Security-Policy: the header on every response, a fresh nonce per request that the
inline blocks carry, and templates without inline event handlers or javascript: links."""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.test import Client, TestCase

from peixun.core.middleware import CSP_HEADER
from peixun.testing import World

TEMPLATE_ROOTS = [Path(settings.BASE_DIR) / "peixun"]
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
BARE_BLOCK = re.compile(r"<(script|style)(?![^>]*\b(src|nonce)=)[^>]*>", re.IGNORECASE)


def directives(header: str) -> dict[str, str]:
    pairs = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: rest for name, rest in pairs}


def nonce_of(header: str) -> str:
    found = re.search(r"'nonce-([^']+)'", directives(header)["script-src"])
    assert found is not None, header
    return found.group(1)


class HeaderTests(TestCase):
    world: ClassVar[World]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()

    def test_policy_of_a_page(self) -> None:
        client = Client()
        client.force_login(self.world.users["org_admin"])
        page = client.get("/")
        self.assertEqual(page.status_code, 200)
        policy = directives(page[CSP_HEADER])
        self.assertEqual(policy["default-src"], "'self'")
        self.assertEqual(policy["object-src"], "'none'")
        self.assertEqual(policy["base-uri"], "'self'")
        self.assertEqual(policy["form-action"], "'self'")
        self.assertEqual(policy["frame-ancestors"], "'none'")
        self.assertEqual(policy["img-src"], "'self' data:")
        self.assertNotIn("unsafe-inline", policy["script-src"])
        self.assertNotIn("unsafe-eval", page[CSP_HEADER])
        self.assertNotIn("unsafe-inline", policy["style-src-elem"])
        # Nothing from outside: every source is the page's own origin (or data: images).
        self.assertNotRegex(page[CSP_HEADER], r"https?:|\*")

    def test_every_kind_of_response_carries_it(self) -> None:
        client = Client()
        for url, status in [
            ("/accounts/login/", 200),
            ("/", 302),
            ("/no-such-page/", 404),
            ("/api/v1/orgs/", 401),
        ]:
            with self.subTest(url=url):
                response = client.get(url)
                self.assertEqual(response.status_code, status)
                self.assertIn("default-src 'self'", response[CSP_HEADER])

    def test_a_fresh_nonce_per_request_carried_by_the_inline_scripts(self) -> None:
        client = Client()
        client.force_login(self.world.users["org_admin"])
        first = client.get("/orgs/")
        second = client.get("/orgs/")
        self.assertEqual(first.status_code, 200)
        nonce = nonce_of(first[CSP_HEADER])
        self.assertNotEqual(nonce, nonce_of(second[CSP_HEADER]))
        self.assertGreaterEqual(len(nonce), 20)
        html = first.content.decode()
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
        self.assertTrue(inline, "the org tree has an inline script")
        for attributes in inline:
            self.assertIn(f'nonce="{nonce}"', attributes)


class TemplateTests(TestCase):
    """The policy refuses inline handlers, javascript: links and blocks without the nonce:
    none may creep back into a template (use data-autosubmit, data-confirm, data-print)."""

    def test_no_template_has_an_inline_handler_or_a_block_without_nonce(self) -> None:
        problems = []
        templates = [p for root in TEMPLATE_ROOTS for p in root.rglob("templates/**/*.html")]
        self.assertGreater(len(templates), 50)
        for path in templates:
            text = path.read_text(encoding="utf-8")
            for pattern, what in [
                (INLINE_HANDLER, "inline event handler"),
                (BARE_BLOCK, "<script>/<style> without nonce"),
                (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
            ]:
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    problems.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {what}")
        self.assertEqual(problems, [])
