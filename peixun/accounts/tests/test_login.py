"""Logging in on the page and through the backend: by username or mobile number; lockout.

django-axes is off in tests unless a test turns it on (`override_settings(AXES_ENABLED=True)`);
those tests reset its counters before and after, so no other test inherits a lockout.
"""

import axes.utils
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from peixun.accounts.backends import UsernameOrMobileBackend
from peixun.accounts.models import User
from peixun.testing import PASSWORD, PersonaTestCase

MOBILE = "13922223333"


class LoginTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        User.objects.filter(username="viewer").update(mobile=MOBILE)

    def log_in(self, client: Client, login: str, password: str = PASSWORD) -> int:
        response = client.post(reverse("accounts:login"), {"username": login, "password": password})
        return response.status_code

    def logged_in_as(self, client: Client) -> str | None:
        user_id = client.session.get("_auth_user_id")
        return User.objects.get(pk=user_id).username if user_id else None


class LoginPageTests(LoginTestCase):
    def test_page_for_personas(self) -> None:
        # Anyone may see the login page; a logged-in user is sent on to the home page.
        self.expect_personas(
            reverse("accounts:login"),
            {
                "anonymous": 200,
                "member": 302,
                "secretary": 302,
                "other_secretary": 302,
                "org_admin": 302,
                "viewer": 302,
            },
        )

    def test_login_by_username(self) -> None:
        client = Client()
        self.assertEqual(self.log_in(client, "viewer"), 302)
        self.assertEqual(self.logged_in_as(client), "viewer")

    def test_login_by_mobile_number(self) -> None:
        for login in (MOBILE, " １３９２２２２３３３３ "):  # full-width digits and spaces fold
            client = Client()
            self.assertEqual(self.log_in(client, login), 302, login)
            self.assertEqual(self.logged_in_as(client), "viewer")

    def test_wrong_password_shows_the_form_again(self) -> None:
        client = Client()
        response = client.post(reverse("accounts:login"), {"username": MOBILE, "password": "wrong"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].non_field_errors())
        self.assertIsNone(self.logged_in_as(client))

    def test_inactive_user_cannot_log_in(self) -> None:
        User.objects.filter(username="viewer").update(is_active=False)
        client = Client()
        self.assertEqual(self.log_in(client, MOBILE), 200)
        self.assertIsNone(self.logged_in_as(client))


class BackendTests(LoginTestCase):
    def test_backend_accepts_username_or_mobile(self) -> None:
        request = RequestFactory().post("/")
        backend = UsernameOrMobileBackend()
        for login in ("viewer", MOBILE):
            user = backend.authenticate(request, username=login, password=PASSWORD)
            self.assertIsNotNone(user)
            assert user is not None
            self.assertEqual(user.username, "viewer")
        self.assertIsNone(backend.authenticate(request, username=MOBILE, password="wrong"))
        self.assertIsNone(backend.authenticate(request, username="", password=PASSWORD))
        self.assertIsNone(backend.authenticate(request, username="13900000000", password=PASSWORD))

    def test_configured_backends(self) -> None:
        request = RequestFactory().post("/")
        user = authenticate(request, username=MOBILE, password=PASSWORD)
        self.assertEqual(getattr(user, "username", None), "viewer")


@override_settings(AXES_ENABLED=True)
class LockoutTests(LoginTestCase):
    def setUp(self) -> None:
        axes.utils.reset()

    def tearDown(self) -> None:
        axes.utils.reset()

    def test_locked_after_five_failures(self) -> None:
        client = Client()
        for _ in range(4):
            self.assertEqual(self.log_in(client, "viewer", "wrong"), 200)
        self.assertEqual(self.log_in(client, "viewer", "wrong"), 429)
        # Locked: even the right password is refused, by username and by mobile alike.
        self.assertEqual(self.log_in(client, "viewer"), 429)
        for spelling in (MOBILE, " １３９２２２２３３３３ ", "ＶＩＥＷＥＲ".lower()):
            self.assertEqual(self.log_in(client, spelling), 429, spelling)
        self.assertIsNone(self.logged_in_as(client))
        axes.utils.reset()
        self.assertEqual(self.log_in(client, "viewer"), 302)
        self.assertEqual(self.logged_in_as(client), "viewer")

    def test_failures_below_the_limit_do_not_lock(self) -> None:
        client = Client()
        for _ in range(4):
            self.assertEqual(self.log_in(client, "viewer", "wrong"), 200)
        self.assertEqual(self.log_in(client, "viewer"), 302)
        # A success resets the count (AXES_RESET_ON_SUCCESS), so four more failures still pass.
        other = Client()
        for _ in range(4):
            self.assertEqual(self.log_in(other, "viewer", "wrong"), 200)
        self.assertEqual(self.log_in(other, "viewer"), 302)

    def test_failures_under_every_spelling_count_together(self) -> None:
        client = Client()
        for login in ("viewer", MOBILE, " " + MOBILE, "１３９２２２２３３３３"):
            self.assertEqual(self.log_in(client, login, "wrong"), 200, login)
        self.assertEqual(self.log_in(client, MOBILE + " ", "wrong"), 429)
        self.assertEqual(self.log_in(client, "viewer"), 429)

    def test_other_users_are_not_locked(self) -> None:
        client = Client()
        for _ in range(5):
            self.log_in(client, "viewer", "wrong")
        self.assertEqual(self.log_in(Client(), "org_admin"), 302)
