"""The 账号 pages, activation, password change, the slips, and the accounts API, per persona."""

from __future__ import annotations

import io
import json
from typing import Any

from django.test import Client
from django.utils import timezone, translation
from docx import Document

from peixun.accounts import services
from peixun.accounts.documents import SlipRow, activation_slips
from peixun.accounts.models import ActivationCode, User
from peixun.accounts.services.accounts import invalid_code_message
from peixun.core.models import AuditEvent
from peixun.testing import PASSWORD, PersonaTestCase, make_member

NEW_PASSWORD = "Lanterns-on-the-river-9"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def as_json(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(data), "content_type": "application/json"}


def page_breaks(data: bytes) -> int:
    document = Document(io.BytesIO(data))
    return sum(
        1
        for p in document.paragraphs
        for br in p._p.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}br")
        if br.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}type") == "page"
    )


class PagePersonaTests(PersonaTestCase):
    def test_org_page(self) -> None:
        url = f"/accounts/orgs/{self.world.branch.pk}/"
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 404,
            },
        )
        response = self.client_for("org_admin").get(url + "?q=李明")
        self.assertContains(response, "李明")
        self.assertNotContains(response, "王芳")
        awaiting = self.client_for("org_admin").get(url + "?status=awaiting")
        self.assertNotContains(awaiting, "李明")
        active = self.client_for("org_admin").get(url + "?status=active&scope=org")
        self.assertContains(active, "李明")

    def test_home_goes_to_the_admins_org(self) -> None:
        self.expect_personas(
            "/accounts/orgs/",
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 302,
                "viewer": 404,
            },
        )

    def test_activate_and_password_pages(self) -> None:
        everyone = dict.fromkeys(
            ("anonymous", "member", "secretary", "other_secretary", "org_admin", "viewer"), 200
        )
        self.expect_personas("/accounts/activate/", everyone)
        self.expect_personas("/accounts/password/", {**everyone, "anonymous": 302})

    def test_writes(self) -> None:
        denied = {
            "anonymous": 302,
            "member": 404,
            "secretary": 404,
            "other_secretary": 404,
            "viewer": 404,
        }
        branch = self.world.branch.pk
        make_member(self.world.branch, "新人")
        self.expect_personas(
            f"/accounts/orgs/{branch}/create/",
            {**denied, "org_admin": 302},
            method="post",
            data={"mode": "subtree"},
        )
        self.assertTrue(User.objects.filter(member__name="新人").exists())
        self.expect_personas(
            f"/accounts/orgs/{branch}/slips.docx",
            {**denied, "org_admin": 200},
            method="post",
            data={"scope": "subtree"},
        )
        lone = make_member(self.world.other_branch, "单个")
        self.expect_personas(
            f"/accounts/members/{lone.pk}/create/", {**denied, "org_admin": 200}, method="post"
        )
        user = User.objects.get(member=lone)
        self.expect_personas(
            f"/accounts/users/{user.pk}/reissue/", {**denied, "org_admin": 200}, method="post"
        )
        active = self.user("member")
        # the org admin's reset runs last: it leaves the member without a password
        self.expect_personas(
            f"/accounts/users/{active.pk}/reset/", {**denied, "org_admin": 200}, method="post"
        )

    def test_bulk_selected(self) -> None:
        a = make_member(self.world.branch, "甲")
        b = make_member(self.world.branch, "乙")
        response = self.client_for("org_admin").post(
            f"/accounts/orgs/{self.world.branch.pk}/create/",
            {"mode": "selected", "member": [a.pk]},
            follow=True,
        )
        self.assertContains(response, "1")
        self.assertTrue(User.objects.filter(member=a).exists())
        self.assertFalse(User.objects.filter(member=b).exists())

    def test_slips_one_page_per_member(self) -> None:
        for i in range(3):
            make_member(self.world.other_branch, f"成员{i}")
        client = self.client_for("org_admin")
        client.post(f"/accounts/orgs/{self.world.other_branch.pk}/create/", {"mode": "subtree"})
        response = client.post(
            f"/accounts/orgs/{self.world.other_branch.pk}/slips.docx", {"scope": "subtree"}
        )
        self.assertEqual(response["Content-Type"], DOCX)
        self.assertEqual(page_breaks(response.content), 2)  # 3 pages
        text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
        self.assertIn("成员0", text)
        self.assertEqual(len(Document(io.BytesIO(response.content)).inline_shapes), 3)
        self.assertTrue(AuditEvent.objects.filter(verb="account.slips_export").exists())

    def test_slips_builder(self) -> None:
        rows = [
            SlipRow(
                f"人{i}", "第一党支部", f"dy{i}", "ABCDE-FGHJK", timezone.now(), "http://x/a?code=1"
            )
            for i in range(5)
        ]
        self.assertEqual(page_breaks(activation_slips(rows)), 4)

    def test_activate_page_logs_in(self) -> None:
        member = make_member(self.world.branch, "激活者", mobile="13600000123")
        issued = services.account_create(actor=self.user("org_admin"), member=member)
        client = Client()
        page = client.get(f"/accounts/activate/?code={issued.code}")
        self.assertContains(page, issued.code)
        bad = client.post(
            "/accounts/activate/",
            {"code": issued.code, "new_password1": NEW_PASSWORD, "new_password2": "other-Pass-1"},
        )
        self.assertEqual(bad.status_code, 200)
        self.assertIsNone(ActivationCode.objects.get(user=issued.user).used_at)
        wrong = client.post(
            "/accounts/activate/",
            {"code": "AAAAA-BBBBB", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        with translation.override("zh-hans"):
            self.assertContains(wrong, invalid_code_message())
        response = client.post(
            "/accounts/activate/",
            {"code": issued.code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(int(client.session["_auth_user_id"]), issued.user.pk)

    def test_password_page(self) -> None:
        client = self.client_for("viewer")
        bad = client.post(
            "/accounts/password/",
            {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        self.assertEqual(bad.status_code, 200)
        ok = client.post(
            "/accounts/password/",
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        self.assertEqual(ok.status_code, 302)
        self.assertEqual(client.get("/accounts/password/").status_code, 200)  # still signed in


class ApiPersonaTests(PersonaTestCase):
    def test_create_one(self) -> None:
        member = make_member(self.world.branch, "接口")
        self.expect_personas(
            "/api/v1/accounts/",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 403,
                "other_secretary": 404,
                "org_admin": 201,
                "viewer": 403,
            },
            method="post",
            **as_json({"member": member.pk}),
        )
        response = self.client_for("org_admin").post(
            "/api/v1/accounts/", **as_json({"member": member.pk})
        )
        self.assertEqual(response.status_code, 422)  # already has one

    def test_create_for_org(self) -> None:
        make_member(self.world.branch, "接口二")
        self.expect_personas(
            f"/api/v1/accounts/orgs/{self.world.branch.pk}",
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 403,
                "other_secretary": 404,
                "org_admin": 201,
                "viewer": 403,
            },
            method="post",
            **as_json({"include_subtree": True}),
        )
        body = (
            self.client_for("org_admin")
            .post(f"/api/v1/accounts/orgs/{self.world.branch.pk}", **as_json({}))
            .json()
        )
        self.assertEqual(body["created"], 0)

    def test_reissue_reset_activate_password(self) -> None:
        member = make_member(self.world.branch, "接口三", mobile="13600000777")
        issued = services.account_create(actor=self.user("org_admin"), member=member)
        expected = {
            "anonymous": 401,
            "member": 404,
            "secretary": 403,
            "other_secretary": 404,
            "org_admin": 200,
            "viewer": 403,
        }
        self.expect_personas(f"/api/v1/accounts/{issued.user.pk}/reissue", expected, method="post")
        code = (
            self.client_for("org_admin")
            .post(f"/api/v1/accounts/{issued.user.pk}/reissue")
            .json()["code"]
        )
        everyone = dict.fromkeys(expected, 422)
        self.expect_personas(
            "/api/v1/accounts/activate",
            everyone,
            method="post",
            **as_json({"code": "WRONG-CODE2", "password": NEW_PASSWORD}),
        )
        ok = Client().post(
            "/api/v1/accounts/activate",
            **as_json({"code": code, "password": NEW_PASSWORD, "login": "13600000777"}),
        )
        self.assertEqual(ok.status_code, 200, ok.content)
        self.assertEqual(ok.json()["login"], "13600000777")
        self.expect_personas(f"/api/v1/accounts/{issued.user.pk}/reset", expected, method="post")
        self.expect_personas(
            "/api/v1/accounts/password",
            {
                "anonymous": 401,
                "member": 204,
                "secretary": 204,
                "other_secretary": 204,
                "org_admin": 204,
                "viewer": 204,
            },
            method="post",
            **as_json({"old": PASSWORD, "new": NEW_PASSWORD}),
        )
