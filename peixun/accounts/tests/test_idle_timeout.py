"""Staff sessions end after STAFF_IDLE_MINUTES without a request; members' do not, the phone a
member keeps signed in included. The clock is a mock (timezone.now), never a sleep."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from peixun.accounts.middleware import LAST_SEEN_KEY
from peixun.core.models import AuditEvent
from peixun.testing import PASSWORD, PersonaTestCase

MESSAGE = "为安全起见，长时间未操作已自动退出，请重新登录"


class IdleTimeoutTests(PersonaTestCase):
    page = reverse("members:mine")

    def setUp(self) -> None:
        self.start = timezone.now()

    def at(self, minutes: float) -> Any:
        """The clock `minutes` after the test's start."""
        moment = self.start + dt.timedelta(minutes=minutes)
        return mock.patch("django.utils.timezone.now", return_value=moment)

    def log_in(self, username: str, *, remember: bool = False) -> Client:
        client = Client()
        data = {"username": username, "password": PASSWORD}
        if remember:
            data["remember"] = "on"
        with self.at(0):
            response = client.post(reverse("accounts:login"), data)
        self.assertEqual(response.status_code, 302, response.content[:300])
        return client

    def get(self, client: Client, minutes: float, url: str = "", **extra: Any) -> Any:
        with self.at(minutes):
            return client.get(url or self.page, **extra)

    def test_staff_are_signed_out_after_thirty_idle_minutes(self) -> None:
        for username in ("secretary", "viewer", "org_admin"):
            with self.subTest(username=username):
                client = self.log_in(username)
                self.assertEqual(self.get(client, 29).status_code, 200)
                response = self.get(client, 29 + 31)
                login = reverse("accounts:login")
                self.assertRedirects(
                    response, f"{login}?next={self.page}", fetch_redirect_response=False
                )
                with self.at(61):
                    shown = client.get(response["Location"])
                self.assertContains(shown, MESSAGE)
                # Signed out for good: the next page asks for a login again, with no message.
                self.assertEqual(self.get(client, 62).status_code, 302)
        self.assertEqual(AuditEvent.objects.filter(verb="account.idle_timeout").count(), 3)

    def test_activity_keeps_a_staff_session_alive(self) -> None:
        client = self.log_in("secretary")
        for minutes in (20, 40, 60, 80, 100):
            self.assertEqual(self.get(client, minutes).status_code, 200, minutes)

    def test_the_stamp_is_written_at_most_once_a_minute(self) -> None:
        client = self.log_in("secretary")
        stamped = client.session[LAST_SEEN_KEY]
        self.get(client, 0.5)
        self.assertEqual(client.session[LAST_SEEN_KEY], stamped)
        self.get(client, 1.1)
        self.assertGreater(client.session[LAST_SEEN_KEY], stamped)

    @override_settings(STAFF_IDLE_MINUTES=5)
    def test_the_setting_sets_the_limit(self) -> None:
        client = self.log_in("secretary")
        self.assertEqual(self.get(client, 6).status_code, 302)

    def test_an_htmx_request_gets_hx_redirect(self) -> None:
        client = self.log_in("secretary")
        response = self.get(
            client, 31, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/hours/"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["HX-Redirect"], reverse("accounts:login") + "?next=/hours/")

    def test_a_post_goes_to_the_login_page_without_doing_anything(self) -> None:
        client = self.log_in("secretary")
        with self.at(31):
            response = client.post(reverse("accounts:tokens"), {"name": "x", "expires_in_days": 3})
        self.assertRedirects(response, reverse("accounts:login"), fetch_redirect_response=False)
        self.assertFalse(AuditEvent.objects.filter(verb="token.issue").exists())

    def test_an_api_call_on_an_idle_session_is_401(self) -> None:
        client = self.log_in("org_admin")
        self.assertEqual(self.get(client, 1, "/api/v1/orgs/").status_code, 200)
        self.assertEqual(self.get(client, 40, "/api/v1/orgs/").status_code, 401)

    def test_members_are_not_timed_out(self) -> None:
        phone = self.log_in("member", remember=True)
        desk = self.log_in("member")
        self.assertEqual(self.get(phone, 2 * 24 * 60).status_code, 200)
        self.assertEqual(self.get(desk, 3 * 60).status_code, 200)
        self.assertFalse(AuditEvent.objects.filter(verb="account.idle_timeout").exists())

    def test_bearer_tokens_are_not_sessions(self) -> None:
        token = Client().post(
            "/api/v1/auth/token",
            data={"username": "org_admin", "password": PASSWORD},
            content_type="application/json",
        )
        bearer = Client(HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}")
        self.assertEqual(self.get(bearer, 0, "/api/v1/orgs/").status_code, 200)
        self.assertEqual(self.get(bearer, 120, "/api/v1/orgs/").status_code, 200)
