"""Onboarding a county from an empty database, through the pages: the platform admin creates a
tenant and its first org admin, who activates, opens logins for a branch, prints the slips and
grants a secretary; the secretary and a member activate with the codes on their slips, and each
lands on their workbench."""

from __future__ import annotations

import io
import re

from django.test import Client, TestCase
from django.urls import reverse
from docx import Document

from peixun.accounts.models import Grant, User
from peixun.core.models import AuditEvent
from peixun.orgs.models import Organization
from peixun.orgs.services import org_create
from peixun.testing import make_member, make_user

STRONG = "Dangyuan-2026-Peixun"
CODE = re.compile(r"\b[A-Z0-9]{5}-[A-Z0-9]{5}\b")


def activate(code: str) -> Client:
    phone = Client()
    response = phone.post(
        reverse("accounts:activate"),
        {"code": code, "new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.status_code == 302, response.content[:500]
    return phone


class OnboardingTests(TestCase):
    def test_a_county_from_an_empty_database(self) -> None:
        platform = Client()
        platform.force_login(make_user("platform", role=Grant.Role.PLATFORM_ADMIN))
        done = platform.post(
            reverse("accounts:tenant_new"),
            {
                "name": "示范县委组织部",
                "code": "SF01",
                "kind": Organization.Kind.COMMITTEE,
                "admin_username": "county_admin",
                "admin_mobile": "",
            },
        )
        self.assertEqual(done.status_code, 200)
        root = Organization.objects.get(code="SF01")
        admin_code = done.context["issued"].code
        self.assertContains(done, admin_code)

        admin = activate(admin_code)
        self.assertTrue(User.objects.get(username="county_admin").has_usable_password())
        self.assertEqual(admin.get("/").status_code, 200)

        branch = org_create(
            actor=User.objects.get(username="county_admin"),
            parent=root,
            code="SF0101",
            name="办公室党支部",
            kind=Organization.Kind.BRANCH,
        )
        wang = make_member(branch, "王书记")
        make_member(branch, "李党员")
        created = admin.post(reverse("accounts:create", args=[branch.pk]), {"mode": "org"})
        self.assertEqual(created.status_code, 302)
        self.assertEqual(User.objects.filter(member__org=branch).count(), 2)

        slips = admin.post(reverse("accounts:slips", args=[branch.pk]))
        self.assertEqual(slips.status_code, 200)
        text = "\n".join(p.text for p in Document(io.BytesIO(slips.content)).paragraphs)
        text += "\n".join(
            cell.text
            for table in Document(io.BytesIO(slips.content)).tables
            for row in table.rows
            for cell in row.cells
        )
        codes = CODE.findall(text)
        self.assertEqual(len(set(codes)), 2, text[:800])

        wang_user = User.objects.get(member=wang)
        granted = admin.post(
            reverse("accounts:grant_new"),
            {"user": wang_user.pk, "role": Grant.Role.SECRETARY, "org": branch.pk},
        )
        self.assertIn(granted.status_code, (200, 302))
        self.assertTrue(
            Grant.objects.filter(user=wang_user, role=Grant.Role.SECRETARY, org=branch).exists()
        )

        # Each slip's code activates its own member's login; each lands on a workbench.
        names = set()
        for code in set(codes):
            phone = activate(code)
            home = phone.get("/")
            self.assertEqual(home.status_code, 200)
            user = home.wsgi_request.user
            assert isinstance(user, User) and user.member is not None
            names.add(user.member.name)
        self.assertEqual(names, {"王书记", "李党员"})
        self.assertTrue(AuditEvent.objects.filter(verb="grant.create").exists())
