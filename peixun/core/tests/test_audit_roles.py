"""The three-role separation on the audit side: the auditor (审计员) reads the audit trail of
their subtree and reaches nothing else; the security administrator (安全管理员) reads the trail
and keeps logins and grants, but no business page; org admins read the trail as before."""

from __future__ import annotations

from typing import ClassVar

from django.test import Client
from django.urls import reverse

from peixun.accounts.models import Grant, User
from peixun.core.audit import audit_record
from peixun.core.tests.test_no_forbidden_links import crawl
from peixun.members.services import member_update
from peixun.testing import PersonaTestCase, make_user

BUSINESS_PAGES = (
    "orgs:tree",
    "members:list",
    "compliance:index",
    "training:list",
    "plans:list",
    "orglife:list",
    "exams:list",
    "roster:import",
    "hours:record",
    "hours:pending",
    "events:leave_pending",
    "training:my_places",
    "events:settings",
)
ACCOUNT_PAGES = ("accounts:home", "accounts:grants", "accounts:grant_new", "accounts:settings")


class AuditRoleTests(PersonaTestCase):
    auditor: ClassVar[User]
    unit_auditor: ClassVar[User]
    security: ClassVar[User]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        member_update(actor=w.users["secretary"], member=w.member, data={"mobile": "13911112222"})
        audit_record(
            actor=w.users["org_admin"], verb="org.rename", obj=w.far_branch, org=w.far_branch
        )
        cls.auditor = make_user("auditor", role=Grant.Role.AUDITOR, org=w.root)
        cls.unit_auditor = make_user("unit_auditor", role=Grant.Role.AUDITOR, org=w.unit)
        cls.security = make_user("security", role=Grant.Role.SECURITY_ADMIN, org=w.root)

    def client_as(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def test_the_audit_page_and_api_are_open_to_the_audit_roles(self) -> None:
        self.expect_personas(
            reverse("core:audit"),
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 404,
            },
        )
        for user in (self.auditor, self.unit_auditor, self.security):
            client = self.client_as(user)
            self.assertEqual(client.get(reverse("core:audit")).status_code, 200, user)
            self.assertEqual(client.get("/api/v1/audit/").status_code, 200, user)

    def test_an_auditor_reads_only_the_trail_of_their_subtree(self) -> None:
        whole = self.client_as(self.auditor).get(reverse("core:audit")).content.decode()
        self.assertIn("第三党支部", whole)  # the far branch's rename
        self.assertIn("李明", whole)
        unit = self.client_as(self.unit_auditor).get(reverse("core:audit")).content.decode()
        self.assertIn("李明", unit)
        self.assertNotIn("第三党支部", unit)

    def test_an_auditor_gets_no_business_page_and_no_account_page(self) -> None:
        client = self.client_as(self.auditor)
        for name in BUSINESS_PAGES + ACCOUNT_PAGES:
            status = client.get(reverse(name)).status_code
            self.assertIn(status, (403, 404), f"auditor GET {name}: {status}")
        member = reverse("members:detail", args=[self.world.member.pk])
        self.assertEqual(client.get(member).status_code, 404)

    def test_a_security_admin_gets_no_business_page(self) -> None:
        client = self.client_as(self.security)
        for name in BUSINESS_PAGES:
            status = client.get(reverse(name)).status_code
            self.assertIn(status, (403, 404), f"security admin GET {name}: {status}")
        for name in ACCOUNT_PAGES:
            self.assertEqual(client.get(reverse(name), follow=True).status_code, 200, name)

    def test_home_sends_each_to_what_they_keep(self) -> None:
        self.assertRedirects(self.client_as(self.auditor).get("/"), reverse("core:audit"))
        self.assertRedirects(
            self.client_as(self.security).get("/"),
            reverse("accounts:grants"),
            fetch_redirect_response=False,
        )

    def test_the_auditor_menu_holds_the_audit_trail_only(self) -> None:
        page = self.client_as(self.auditor).get(reverse("core:audit")).content.decode()
        self.assertIn(reverse("core:audit"), page)
        for name in BUSINESS_PAGES + ACCOUNT_PAGES:
            self.assertNotIn(f'href="{reverse(name)}"', page, name)

    def test_the_auditor_reaches_only_the_audit_pages_and_no_link_is_forbidden(self) -> None:
        seen, came_from = crawl(self.client_as(self.auditor), start=reverse("core:audit"))
        reached = {url for url, status in seen.items() if status == 200}
        allowed = ("/audit/", "/notifications/", "/accounts/password/")
        self.assertTrue(any(u.startswith("/audit/") for u in reached))
        self.assertEqual(
            {u for u in reached if not u.startswith(allowed)}, set(), "auditor reached these"
        )
        bad = {u: s for u, s in seen.items() if s == 403 or s >= 500}
        self.assertEqual(bad, {}, {u: came_from.get(u) for u in bad})

    def test_the_security_admin_is_shown_no_forbidden_link(self) -> None:
        seen, came_from = crawl(self.client_as(self.security), start=reverse("accounts:grants"))
        bad = {u: s for u, s in seen.items() if s == 403 or s >= 500}
        self.assertEqual(bad, {}, {u: came_from.get(u) for u in bad})
        reached = {url for url, status in seen.items() if status == 200}
        business = ("/orgs/", "/members/", "/training/", "/plans/", "/orglife/", "/exams/")
        self.assertEqual({u for u in reached if u.startswith(business)}, set())
