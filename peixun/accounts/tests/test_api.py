"""API v1 authentication: tokens, bearer requests, CSRF for session requests, the docs.

django-ninja's `SessionAuth` (an `APIKeyCookie` with `csrf=True`) runs Django's CSRF check on
unsafe methods, so a browser session must send the CSRF token; a bearer token request carries
no cookie a third-party site could ride on, and is not checked.
"""

import json
from typing import Any

import axes.utils
from django.test import Client, override_settings

from peixun.accounts.models import ApiToken, User
from peixun.core.models import AuditEvent
from peixun.testing import PASSWORD, PersonaTestCase

TOKEN_URL = "/api/v1/auth/token"
CSRF_SECRET = "a" * 32  # any 32 alphanumerics: Django accepts the unmasked secret in the header


def token_body(username: str, password: str = PASSWORD) -> dict[str, Any]:
    return {
        "data": json.dumps({"username": username, "password": password}),
        "content_type": "application/json",
    }


class TokenTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        user = cls.world.users["secretary"]
        assert user is not None
        user.mobile = "13911110000"
        user.save(update_fields=["mobile"])

    def issue(self, username: str, password: str = PASSWORD) -> Any:
        return Client().post(TOKEN_URL, **token_body(username, password))

    def test_personas(self) -> None:
        # The token route needs no prior login; every persona exchanges the same credentials.
        self.expect_personas(
            TOKEN_URL,
            {
                "anonymous": 200,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
            method="post",
            **token_body("viewer"),
        )

    def test_token_by_username_then_bearer_requests(self) -> None:
        response = self.issue("secretary")
        self.assertEqual(response.status_code, 200, response.content)
        token = response.json()["token"]
        self.assertFalse(ApiToken.objects.filter(key_hash=token).exists())  # stored hashed only
        self.assertTrue(AuditEvent.objects.filter(verb="token.issue").exists())
        bearer = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        members = bearer.get("/api/v1/members/").json()
        self.assertEqual(sorted(m["name"] for m in members["items"]), ["李明", "王芳"])
        # The headline over a token too: another branch's member does not exist.
        self.assertEqual(
            bearer.get(f"/api/v1/members/{self.world.other_member.pk}").status_code, 404
        )
        changed = bearer.patch(
            f"/api/v1/members/{self.world.member.pk}",
            data=json.dumps({"ethnicity": "满族"}),
            content_type="application/json",
        )
        self.assertEqual(changed.status_code, 200, changed.content)
        event = AuditEvent.objects.get(verb="member.update")
        self.assertEqual(event.actor, self.user("secretary"))

    def test_token_by_mobile_number(self) -> None:
        for login in ("13911110000", "１３９１１１１００００"):  # full-width digits fold
            response = self.issue(login)
            self.assertEqual(response.status_code, 200, login)

    def test_wrong_credentials_are_401(self) -> None:
        self.assertEqual(self.issue("secretary", "wrong").status_code, 401)
        self.assertEqual(self.issue("nobody").status_code, 401)
        self.assertEqual(self.issue("13900000000").status_code, 401)
        self.assertEqual(ApiToken.objects.count(), 0)

    def test_inactive_user_gets_no_token_and_loses_old_ones(self) -> None:
        token = self.issue("viewer").json()["token"]
        User.objects.filter(username="viewer").update(is_active=False)
        self.assertEqual(self.issue("viewer").status_code, 401)
        bearer = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertEqual(bearer.get("/api/v1/orgs/").status_code, 401)

    def test_bad_token_and_bad_body(self) -> None:
        bearer = Client(HTTP_AUTHORIZATION="Bearer not-a-token")
        self.assertEqual(bearer.get("/api/v1/orgs/").status_code, 401)
        missing = Client().post(
            TOKEN_URL, data=json.dumps({"username": "x"}), content_type="application/json"
        )
        self.assertEqual(missing.status_code, 422)

    @override_settings(AXES_ENABLED=True)
    def test_lockout_after_five_failures(self) -> None:
        axes.utils.reset()
        try:
            for _ in range(4):
                self.assertEqual(self.issue("org_admin", "wrong").status_code, 401)
            self.assertEqual(self.issue("org_admin", "wrong").status_code, 429)  # the fifth locks
            locked = self.issue("org_admin")
            self.assertEqual(locked.status_code, 429)  # even the right password, while locked
            self.assertNotIn(b"token", locked.content)
        finally:
            axes.utils.reset()
        self.assertEqual(self.issue("org_admin").status_code, 200)


class CsrfTests(PersonaTestCase):
    def patch(self, client: Client, **headers: Any) -> Any:
        return client.patch(
            f"/api/v1/orgs/{self.world.branch.pk}",
            data=json.dumps({"name": "新名称"}),
            content_type="application/json",
            **headers,
        )

    def test_session_write_needs_the_csrf_token(self) -> None:
        browser = Client(enforce_csrf_checks=True)
        user = self.user("org_admin")
        assert user is not None
        browser.force_login(user)
        self.assertEqual(browser.get("/api/v1/orgs/").status_code, 200)  # reads need no token
        refused = self.patch(browser)
        self.assertEqual(refused.status_code, 403)
        self.world.branch.refresh_from_db()
        self.assertEqual(self.world.branch.name, "第一党支部")
        browser.cookies["csrftoken"] = CSRF_SECRET
        accepted = self.patch(browser, HTTP_X_CSRFTOKEN=CSRF_SECRET)
        self.assertEqual(accepted.status_code, 200, accepted.content)

    def test_bearer_write_needs_no_csrf_token(self) -> None:
        token = Client().post(TOKEN_URL, **token_body("org_admin")).json()["token"]
        client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")
        response = self.patch(client)
        self.assertEqual(response.status_code, 200, response.content)


class DocsTests(PersonaTestCase):
    def test_docs_render(self) -> None:
        self.expect_personas(
            "/api/v1/docs",
            {
                "anonymous": 200,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_openapi_schema(self) -> None:
        self.expect_personas(
            "/api/v1/openapi.json",
            {
                "anonymous": 200,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        schema = Client().get("/api/v1/openapi.json").json()
        for path in (
            "/api/v1/auth/token",
            "/api/v1/orgs/{org_id}/move",
            "/api/v1/members/{member_id}/reveal-id",
            "/api/v1/members/import",
            "/api/v1/audit/",
        ):
            self.assertIn(path, schema["paths"])
        member_out = schema["components"]["schemas"]["MemberOut"]["properties"]
        self.assertIn("id_number_masked", member_out)
        self.assertNotIn("id_number", member_out)
