"""The API 令牌 pages: one's own tokens (list, create with the secret shown once, revoke) and an
org admin's view of a login's tokens; a password change on the page keeps its own session and
ends the others."""

from __future__ import annotations

from django.test import Client, override_settings
from django.urls import reverse

from peixun.accounts.models import ApiToken
from peixun.accounts.services import token_issue
from peixun.core.models import AuditEvent
from peixun.testing import PASSWORD, PersonaTestCase


class OwnTokensPageTests(PersonaTestCase):
    url = reverse("accounts:tokens")

    def test_personas(self) -> None:
        self.expect_personas(
            self.url,
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_the_user_menu_offers_it(self) -> None:
        page = self.client_for("member").get(reverse("members:mine"))
        self.assertContains(page, f'href="{self.url}"')

    def test_create_shows_the_secret_once(self) -> None:
        client = self.client_for("secretary")
        response = client.post(self.url, {"name": "报表脚本", "expires_in_days": 7})
        self.assertEqual(response.status_code, 200)
        token = ApiToken.objects.get()
        self.assertEqual(token.name, "报表脚本")
        self.assertEqual(token.user, self.user("secretary"))
        secret = response.context["issued"]
        self.assertTrue(secret.startswith("px_"))
        self.assertContains(response, secret)
        self.assertIn("no-cache", response["Cache-Control"])
        again = client.get(self.url)
        self.assertNotContains(again, secret)
        self.assertContains(again, "报表脚本")
        bearer = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        self.assertEqual(bearer.get("/api/v1/orgs/").status_code, 200)

    def test_bad_input_is_refused_on_the_form(self) -> None:
        client = self.client_for("secretary")
        for data in (
            {"name": "", "expires_in_days": 7},
            {"name": "ok", "expires_in_days": 0},
            {"name": "ok", "expires_in_days": -3},
            {"name": "ok", "expires_in_days": 91},
            {"name": "ok", "expires_in_days": "many"},
            {"name": "x" * 81, "expires_in_days": 7},
        ):
            with self.subTest(data=data):
                response = client.post(self.url, data)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].errors, data)
                self.assertEqual(response.context["issued"], "")
        self.assertFalse(ApiToken.objects.exists())
        self.assertContains(client.post(self.url, {"name": "ok", "expires_in_days": 91}), "90")

    @override_settings(API_TOKEN_MAX_ACTIVE=2)
    def test_too_many_tokens_is_a_clear_message(self) -> None:
        client = self.client_for("secretary")
        for _ in range(2):
            client.post(self.url, {"name": "a", "expires_in_days": 7})
        refused = client.post(self.url, {"name": "b", "expires_in_days": 7})
        self.assertEqual(ApiToken.objects.count(), 2)
        self.assertTrue(refused.context["form"].non_field_errors())

    def test_revoke_own_and_not_anothers(self) -> None:
        token = token_issue(actor=self.user("member"), name="mine").token
        url = reverse("accounts:token_revoke", args=[token.pk])
        self.assertEqual(self.client_for("other_secretary").post(url).status_code, 404)
        self.assertEqual(self.client_for("secretary").post(url).status_code, 404)
        self.assertEqual(self.client_for("viewer").post(url).status_code, 404)
        self.assertEqual(self.client_for("anonymous").post(url).status_code, 302)
        token.refresh_from_db()
        self.assertIsNone(token.revoked_at)
        response = self.client_for("member").post(url)
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        token.refresh_from_db()
        self.assertIsNotNone(token.revoked_at)
        # Revoked once: the second try says so and changes nothing.
        again = self.client_for("member").post(url, follow=True)
        self.assertEqual(len(list(again.context["messages"])), 1)
        self.assertEqual(AuditEvent.objects.filter(verb="token.revoke").count(), 1)
        self.assertEqual(self.client_for("member").get(url).status_code, 405)


class UserTokensPageTests(PersonaTestCase):
    def test_personas(self) -> None:
        owner = self.user("member")
        token_issue(actor=owner, name="phone app")
        url = reverse("accounts:user_tokens", args=[owner.pk])
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 302,  # their own: the page of their own tokens
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 404,
            },
        )
        page = self.client_for("org_admin").get(url)
        self.assertContains(page, "phone app")
        self.assertContains(page, "李明")
        self.assertNotContains(page, 'id="token-form"')  # an admin never creates someone's token

    def test_bad_ids_are_404(self) -> None:
        client = self.client_for("org_admin")
        for pk in (999999, 2**63):
            url = f"/accounts/users/{pk}/tokens/"
            self.assertEqual(client.get(url).status_code, 404, pk)

    def test_the_admin_revokes_from_the_accounts_list(self) -> None:
        owner = self.user("member")
        token = token_issue(actor=owner, name="phone app").token
        accounts_page = self.client_for("org_admin").get(
            reverse("accounts:org", args=[self.world.branch.pk])
        )
        user_url = reverse("accounts:user_tokens", args=[owner.pk])
        self.assertContains(accounts_page, f'href="{user_url}"')
        response = self.client_for("org_admin").post(
            reverse("accounts:token_revoke", args=[token.pk])
        )
        self.assertRedirects(response, user_url, fetch_redirect_response=False)
        token.refresh_from_db()
        self.assertEqual(token.revoked_by, self.user("org_admin"))
        # No live token: the list no longer links to it.
        accounts_page = self.client_for("org_admin").get(
            reverse("accounts:org", args=[self.world.branch.pk])
        )
        self.assertNotContains(accounts_page, f'href="{user_url}"')


class PasswordChangeEndsOtherSessionsTests(PersonaTestCase):
    def log_in(self, username: str) -> Client:
        client = Client()
        response = client.post(
            reverse("accounts:login"), {"username": username, "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 302)
        return client

    def test_the_page_keeps_its_session_and_ends_the_others(self) -> None:
        desk, phone = self.log_in("secretary"), self.log_in("secretary")
        raw = token_issue(actor=self.user("secretary")).raw
        new = "Lanterns-9-river"
        response = desk.post(
            reverse("accounts:password"),
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )
        self.assertEqual(response.status_code, 302, response.content[:400])
        mine = reverse("members:mine")
        self.assertEqual(desk.get(mine).status_code, 200)
        self.assertEqual(phone.get(mine).status_code, 302)
        bearer = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        self.assertEqual(bearer.get("/api/v1/orgs/").status_code, 401)

    def test_an_admins_reset_ends_the_members_sessions(self) -> None:
        phone = self.log_in("member")
        mine = reverse("members:mine")
        self.assertEqual(phone.get(mine).status_code, 200)
        reset = self.client_for("org_admin").post(
            reverse("accounts:reset", args=[self.user("member").pk])
        )
        self.assertEqual(reset.status_code, 200)
        self.assertEqual(phone.get(mine).status_code, 302)
