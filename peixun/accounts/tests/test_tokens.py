"""Personal API tokens: named, expiring, listed without their secret, revocable by their owner
and the admins above the owner, capped per user, and ended by a password change or reset and by
the end of a login. The clock is moved with a mock, never with a sleep."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from unittest import mock

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from peixun.accounts.models import ApiToken, Grant, User
from peixun.accounts.services import (
    accounts_deactivate_departed,
    password_reset,
    token_issue,
    token_revoke,
    token_user,
)
from peixun.core.describers import describe_events
from peixun.core.models import AuditEvent
from peixun.core.scoping import forget_scope, scope_of
from peixun.testing import PASSWORD, PERSONAS, PersonaTestCase

TOKEN_URL = "/api/v1/auth/token"
LIST_URL = "/api/v1/auth/tokens"


def body(**fields: Any) -> dict[str, Any]:
    return {"data": json.dumps(fields), "content_type": "application/json"}


def later(**delta: float) -> Any:
    """The clock moved forward (the services and the bearer check read timezone.now)."""
    return mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + dt.timedelta(**delta)
    )


class TokenCase(PersonaTestCase):
    def issue(self, username: str = "secretary", **fields: Any) -> Any:
        return Client().post(TOKEN_URL, **body(username=username, password=PASSWORD, **fields))

    def raw_token(self, username: str = "secretary", **fields: Any) -> str:
        response = self.issue(username, **fields)
        self.assertEqual(response.status_code, 200, response.content)
        return str(response.json()["token"])

    def bearer(self, raw: str) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


class IssueTests(TokenCase):
    def test_a_named_token_with_the_expiry_asked_for(self) -> None:
        response = self.issue(name="  nightly   export ", expires_in_days=7)
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        token = ApiToken.objects.get(pk=data["id"])
        self.assertEqual(token.name, "nightly export")
        self.assertEqual(data["name"], "nightly export")
        self.assertAlmostEqual(
            (token.expires_at - timezone.now()).total_seconds(), 7 * 86400, delta=60
        )
        self.assertEqual(self.bearer(data["token"]).get("/api/v1/orgs/").status_code, 200)

    def test_defaults_are_named_api_and_last_thirty_days(self) -> None:
        data = self.issue().json()
        token = ApiToken.objects.get(pk=data["id"])
        self.assertEqual(token.name, "API")
        self.assertAlmostEqual(
            (token.expires_at - timezone.now()).total_seconds(), 30 * 86400, delta=60
        )

    def test_each_call_is_a_new_token_and_all_are_listed(self) -> None:
        first = self.raw_token()
        self.raw_token(name="second")
        self.assertEqual(ApiToken.objects.filter(user=self.user("secretary")).count(), 2)
        listed = self.bearer(first).get(LIST_URL).json()
        self.assertEqual(listed["count"], 2)
        self.assertEqual({row["name"] for row in listed["items"]}, {"API", "second"})

    def test_bad_expiry_and_name_are_422_and_store_nothing(self) -> None:
        for fields in (
            {"expires_in_days": 0},
            {"expires_in_days": -5},
            {"expires_in_days": 91},
            {"expires_in_days": 2**63},
            {"expires_in_days": 10**30},
            {"expires_in_days": "soon"},
            {"name": ""},
            {"name": "   "},
            {"name": "x" * 81},
        ):
            with self.subTest(fields=fields):
                response = self.issue(**fields)
                self.assertEqual(response.status_code, 422, response.content)
        self.assertFalse(ApiToken.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(verb="token.issue").exists())

    @override_settings(API_TOKEN_MAX_DAYS=365)
    def test_the_operator_may_allow_longer_tokens(self) -> None:
        self.assertEqual(self.issue(expires_in_days=365).status_code, 200)
        self.assertEqual(self.issue(expires_in_days=366).status_code, 422)

    @override_settings(API_TOKEN_MAX_ACTIVE=3)
    def test_live_tokens_are_capped_with_a_clear_message(self) -> None:
        raws = [self.raw_token() for _ in range(3)]
        refused = self.issue()
        self.assertEqual(refused.status_code, 422)
        self.assertIn("3", refused.content.decode())
        self.assertIn("/api/v1/auth/tokens", refused.content.decode())
        self.assertEqual(ApiToken.objects.count(), 3)
        # Revoking one (or one expiring) makes room again.
        first = ApiToken.objects.order_by("pk").first()
        assert first is not None
        self.assertEqual(self.bearer(raws[1]).delete(f"{LIST_URL}/{first.pk}").status_code, 204)
        self.assertEqual(self.issue().status_code, 200)

    def test_the_issue_is_audited_with_a_sentence(self) -> None:
        data = self.issue(name="报表脚本").json()
        event = AuditEvent.objects.get(verb="token.issue")
        self.assertEqual(event.object_id, str(data["id"]))
        self.assertEqual((event.after or {})["name"], "报表脚本")
        (sentence,) = describe_events([event])
        self.assertIn("报表脚本", sentence)
        self.assertIn("王芳", sentence)


class BearerTests(TokenCase):
    def test_a_revoked_token_answers_401(self) -> None:
        raw = self.raw_token()
        token = ApiToken.objects.get()
        token_revoke(actor=self.user("secretary"), token=token)
        self.assertEqual(self.bearer(raw).get("/api/v1/orgs/").status_code, 401)

    def test_an_expired_token_answers_401(self) -> None:
        raw = self.raw_token(expires_in_days=1)
        with later(hours=23):
            self.assertEqual(self.bearer(raw).get("/api/v1/orgs/").status_code, 200)
        with later(days=1, seconds=1):
            self.assertEqual(self.bearer(raw).get("/api/v1/orgs/").status_code, 401)

    def test_last_use_is_written_at_most_once_a_minute(self) -> None:
        raw = self.raw_token()
        token = ApiToken.objects.get()
        self.assertIsNone(token.last_used_at)
        self.bearer(raw).get("/api/v1/orgs/")
        token.refresh_from_db()
        first_use = token.last_used_at
        self.assertIsNotNone(first_use)
        with later(seconds=30):
            self.bearer(raw).get("/api/v1/orgs/")
        token.refresh_from_db()
        self.assertEqual(token.last_used_at, first_use)
        with later(seconds=61):
            self.bearer(raw).get("/api/v1/orgs/")
        token.refresh_from_db()
        assert token.last_used_at is not None and first_use is not None
        self.assertGreater(token.last_used_at, first_use)

    def test_the_token_query_tells_whether_its_owner_holds_a_grant(self) -> None:
        """A plain member's scope comes without a query of its own; staff still read theirs; a
        grant that has expired counts as none, as in `grants_of`."""
        member = token_user(self.raw_token("member"))
        assert member is not None
        with self.assertNumQueries(0):
            scope = scope_of(member)
        self.assertFalse(scope.is_staff_like)
        self.assertEqual(scope.member_id, self.user("member").member_id)

        secretary = token_user(self.raw_token("secretary"))
        assert secretary is not None
        with self.assertNumQueries(1):
            scope = scope_of(secretary)
        self.assertEqual(scope.manage_paths, (self.world.branch.path,))

        raw = self.raw_token("viewer")
        Grant.objects.filter(user=self.user("viewer")).update(
            expires_on=timezone.localdate() - dt.timedelta(days=1)
        )
        viewer = token_user(raw)
        assert viewer is not None
        with self.assertNumQueries(0):
            self.assertFalse(scope_of(viewer).read_paths)
        # After a grant changes in the same request, the scope is read again.
        forget_scope(viewer)
        with self.assertNumQueries(1):
            self.assertFalse(scope_of(viewer).read_paths)


class ListAndRevokeApiTests(TokenCase):
    def test_list_personas_and_no_secret(self) -> None:
        raw = self.raw_token("member")
        self.expect_personas(
            LIST_URL,
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        # Each sees only their own: the member's token is in no one else's list.
        self.assertEqual(self.client_for("org_admin").get(LIST_URL).json()["count"], 0)
        response = self.bearer(raw).get(LIST_URL)
        (row,) = response.json()["items"]
        self.assertEqual(
            set(row),
            {"id", "name", "created_at", "last_used_at", "expires_at", "revoked_at", "state"},
        )
        self.assertEqual(row["state"], "active")
        self.assertNotIn(raw, response.content.decode())
        self.assertNotIn(ApiToken.objects.get().key_hash, response.content.decode())

    def test_revoke_personas(self) -> None:
        # A fresh token of the member's login for each persona that tries to revoke it.
        expected = {
            "anonymous": 401,
            "member": 204,  # the owner
            "secretary": 404,  # manages the branch but not its logins
            "other_secretary": 404,
            "org_admin": 204,  # an admin above the owner
            "viewer": 404,
        }
        self.assertEqual(set(expected), set(PERSONAS))
        for persona, status in expected.items():
            token = token_issue(actor=self.user("member"), name=persona).token
            response = self.client_for(persona).delete(f"{LIST_URL}/{token.pk}")
            self.assertEqual(response.status_code, status, persona)
            token.refresh_from_db()
            self.assertEqual(token.revoked_at is not None, status == 204, persona)

    def test_a_platform_admin_revokes_any_and_revoking_twice_is_422(self) -> None:
        token = token_issue(actor=self.user("org_admin")).token
        platform = Client()
        platform.force_login(self.world.platform_admin)
        self.assertEqual(platform.delete(f"{LIST_URL}/{token.pk}").status_code, 204)
        token.refresh_from_db()
        self.assertEqual(token.revoked_by, self.world.platform_admin)
        self.assertEqual(platform.delete(f"{LIST_URL}/{token.pk}").status_code, 422)
        self.assertEqual(AuditEvent.objects.filter(verb="token.revoke").count(), 1)

    def test_an_org_admin_cannot_reach_a_staff_login_without_a_member(self) -> None:
        token = token_issue(actor=self.user("viewer")).token
        response = self.client_for("org_admin").delete(f"{LIST_URL}/{token.pk}")
        self.assertEqual(response.status_code, 404)
        with self.assertRaises(PermissionDenied):
            token_revoke(actor=self.user("org_admin"), token=token)

    def test_unknown_and_huge_ids_are_404(self) -> None:
        client = self.client_for("member")
        for token_id in ("999999", str(2**63), str(2**64)):
            with self.subTest(token_id=token_id):
                self.assertIn(client.delete(f"{LIST_URL}/{token_id}").status_code, (404, 422))

    def test_a_login_admins_list_personas(self) -> None:
        owner = self.user("member")
        token_issue(actor=owner, name="phone app")
        url = f"/api/v1/accounts/{owner.pk}/tokens"
        self.expect_personas(
            url,
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 404,
            },
        )
        (row,) = self.client_for("org_admin").get(url).json()["items"]
        self.assertEqual(row["name"], "phone app")

    def test_revocation_is_audited_with_a_sentence(self) -> None:
        token = token_issue(actor=self.user("member"), name="脚本").token
        token_revoke(actor=self.user("org_admin"), token=token)
        event = AuditEvent.objects.get(verb="token.revoke")
        (sentence,) = describe_events([event])
        self.assertIn("脚本", sentence)
        self.assertIn("李明", sentence)
        with self.assertRaises(ValidationError):
            token_revoke(actor=self.user("member"), token=token)


class RevokedByAccountChangesTests(TokenCase):
    def test_a_password_change_revokes_every_token(self) -> None:
        raws = [self.raw_token("member"), self.raw_token("member", name="two")]
        client = self.bearer(raws[0])
        response = client.post(
            "/api/v1/accounts/password", **body(old=PASSWORD, new="Lanterns-9-river")
        )
        self.assertEqual(response.status_code, 204, response.content)
        for raw in raws:
            self.assertEqual(self.bearer(raw).get("/api/v1/members/").status_code, 401)
        event = AuditEvent.objects.get(verb="token.revoke_all")
        self.assertEqual(event.after, {"tokens": 2, "reason": "password_change"})
        self.assertTrue(describe_events([event])[0])
        # The new password gives a new token.
        fresh = Client().post(TOKEN_URL, **body(username="member", password="Lanterns-9-river"))
        self.assertEqual(fresh.status_code, 200)

    def test_a_wrong_old_password_revokes_nothing(self) -> None:
        raw = self.raw_token("member")
        response = self.bearer(raw).post(
            "/api/v1/accounts/password", **body(old="wrong", new="Lanterns-9-river")
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(self.bearer(raw).get("/api/v1/members/").status_code, 200)

    def test_an_admins_reset_revokes_every_token(self) -> None:
        raw = self.raw_token("member")
        password_reset(actor=self.user("org_admin"), user=self.user("member"))
        self.assertEqual(self.bearer(raw).get("/api/v1/members/").status_code, 401)
        event = AuditEvent.objects.get(verb="token.revoke_all")
        self.assertEqual((event.after or {})["reason"], "password_reset")

    def test_the_end_of_a_login_revokes_its_tokens(self) -> None:
        raw = self.raw_token("member")
        accounts_deactivate_departed(actor=self.user("org_admin"), member=self.world.member)
        self.assertEqual(self.bearer(raw).get("/api/v1/members/").status_code, 401)
        self.assertIsNotNone(ApiToken.objects.get().revoked_at)
        # Even switched on again by hand, the login's old token stays dead.
        User.objects.filter(pk=self.user("member").pk).update(is_active=True)
        self.assertEqual(self.bearer(raw).get("/api/v1/members/").status_code, 401)
