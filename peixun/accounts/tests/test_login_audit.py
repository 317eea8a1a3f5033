"""Identity events in the audit trail (等保 level 3): logins, logouts, failed logins and
lockouts, each with the client address as the trusted proxies report it, never a forged one."""

from __future__ import annotations

import axes.utils
from django.test import Client, override_settings
from django.urls import reverse

from peixun.core.context import client_address
from peixun.core.models import AuditEvent
from peixun.testing import PASSWORD, PersonaTestCase


class LoginAuditTests(PersonaTestCase):
    def post_login(self, username: str, password: str, remote_addr: str = "127.0.0.1") -> Client:
        client = Client(REMOTE_ADDR=remote_addr)
        client.post(reverse("accounts:login"), {"username": username, "password": password})
        return client

    def test_a_login_and_a_logout_are_recorded_with_the_address(self) -> None:
        client = self.post_login("secretary", PASSWORD, remote_addr="10.1.2.3")
        client.post(reverse("accounts:logout"), REMOTE_ADDR="10.1.2.3")
        user = self.user("secretary")
        rows = list(
            AuditEvent.objects.filter(verb__in=["account.login", "account.logout"])
            .order_by("pk")
            .values_list("verb", "actor_id", "address")
        )
        self.assertEqual(
            rows,
            [("account.login", user.pk, "10.1.2.3"), ("account.logout", user.pk, "10.1.2.3")],
        )

    @override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
    def test_failures_and_the_lockout_are_recorded_without_the_password(self) -> None:
        axes.utils.reset()
        self.addCleanup(axes.utils.reset)
        for _ in range(3):
            self.post_login("member", "wrong-password-123")
        failed = AuditEvent.objects.filter(verb="account.login_failed")
        self.assertEqual(failed.count(), 3)
        self.assertEqual(failed.first().object_repr, "member")  # type: ignore[union-attr]
        self.assertIsNone(failed.first().actor_id)  # type: ignore[union-attr]
        locked = AuditEvent.objects.get(verb="account.locked_out")
        self.assertEqual(locked.object_repr, "member")
        trail = str(list(AuditEvent.objects.values_list("before", "after", "object_repr")))
        self.assertNotIn("wrong-password-123", trail)

    def test_a_failed_api_token_call_is_recorded_too(self) -> None:
        Client().post(
            "/api/v1/auth/token",
            {"username": "viewer", "password": "nope-nope-nope"},
            content_type="application/json",
        )
        self.assertTrue(
            AuditEvent.objects.filter(verb="account.login_failed", object_repr="viewer").exists()
        )

    def test_the_audit_page_reads_them_as_sentences(self) -> None:
        self.post_login("secretary", PASSWORD)
        self.post_login("nobody-here", "x")
        page = self.client_for("org_admin").get(reverse("core:audit"))
        self.assertContains(page, "登录")


class ClientAddressTests(PersonaTestCase):
    def test_without_trusted_proxies_the_forwarded_header_is_ignored(self) -> None:
        meta = {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}
        self.assertEqual(client_address(meta), "10.0.0.9")

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_one_proxy_takes_the_rightmost_entry_not_what_the_client_sent(self) -> None:
        meta = {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7"}
        self.assertEqual(client_address(meta), "203.0.113.7")

    @override_settings(TRUSTED_PROXY_COUNT=2)
    def test_two_proxies_take_the_second_from_the_right(self) -> None:
        meta = {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7, 10.0.0.5"}
        self.assertEqual(client_address(meta), "203.0.113.7")

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_garbage_or_a_short_header_falls_back_to_the_connection(self) -> None:
        for forwarded in ("<script>", "", "999.1.1.1", "1.2.3.4, not-an-ip"):
            with self.subTest(forwarded=forwarded):
                meta = {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": forwarded}
                self.assertEqual(client_address(meta), "10.0.0.9")

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_the_trail_stores_the_proxy_reported_address(self) -> None:
        Client(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7").post(
            reverse("accounts:login"), {"username": "member", "password": PASSWORD}
        )
        event = AuditEvent.objects.get(verb="account.login")
        self.assertEqual(event.address, "203.0.113.7")


class LoginAuditOrgTests(PersonaTestCase):
    """Logins are filed under the account's org, so the tenant's auditors and admins read them."""

    def test_a_login_and_a_failure_are_filed_under_the_members_org(self) -> None:
        Client().post(reverse("accounts:login"), {"username": "member", "password": PASSWORD})
        Client().post(reverse("accounts:login"), {"username": "member", "password": "wrong-1"})
        Client().post(reverse("accounts:login"), {"username": "nobody", "password": "wrong-1"})
        orgs = dict(
            AuditEvent.objects.filter(verb__startswith="account.login").values_list(
                "verb", "org_id"
            )
        )
        self.assertEqual(orgs["account.login"], self.world.member.org_id)
        failed = AuditEvent.objects.filter(verb="account.login_failed")
        self.assertEqual(
            sorted((e.object_repr, e.org_id) for e in failed),
            [("member", self.world.member.org_id), ("nobody", None)],
        )
        page = self.client_for("org_admin").get(reverse("core:audit"))
        self.assertContains(page, "以 用户“member” 登录失败")
