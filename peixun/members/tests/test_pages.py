"""Member pages: who gets what (all six personas), filters, constant query counts, and writes.

Access rules under test (see the views' docstring):
- the list is 404 for a plain member (their page is 我的);
- write pages are a uniform 404 for anyone who cannot use them, viewers and plain members
  included, even when they can read the record;
- revealing an ID number: 404 out of scope, 403 when visible but not an org admin over it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.members.models import Member, Membership
from peixun.orgs.models import Position
from peixun.testing import PersonaTestCase, make_member, make_user, new_id_number

READ_ALL = {
    "anonymous": 302,
    "member": 404,
    "secretary": 200,
    "other_secretary": 200,
    "org_admin": 200,
    "viewer": 200,
}
# A write page on a member of the first branch (or its group).
WRITE_OUR_BRANCH = {
    "anonymous": 302,
    "member": 404,
    "secretary": 200,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 404,
}


def new_member_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "陈新",
        "id_number": new_id_number(dt.date(1991, 4, 3)),
        "gender": "",
        "birth_date": "",
        "ethnicity": "汉族",
        "mobile": "13900001111",
        "education": "bachelor",
        "status": "full",
        "joined_on": "2015-07-01",
        "confirmed_on": "2016-07-01",
        "cadre_rank": "none",
        "employment": "on_duty",
        "exempt_reason": "",
    }
    data.update(overrides)
    return data


def edit_post(member: Member, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": member.name,
        "gender": member.gender,
        "birth_date": member.birth_date.isoformat(),
        "ethnicity": member.ethnicity,
        "mobile": member.mobile,
        "education": member.education,
        "status": member.status,
        "joined_on": member.joined_on.isoformat() if member.joined_on else "",
        "confirmed_on": member.confirmed_on.isoformat() if member.confirmed_on else "",
        "cadre_rank": member.cadre_rank,
        "employment": member.employment,
        "exempt_reason": member.exempt_reason,
    }
    data.update(overrides)
    return data


class ListPageTests(PersonaTestCase):
    exempt: ClassVar[Member]
    cadre: ClassVar[Member]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.exempt = make_member(
            w.group, "周老", exempt_reason="elderly", employment="retired", cadre_rank="none"
        )
        cls.cadre = make_member(w.branch, "吴干", cadre_rank="township", mobile="13700000009")

    def test_personas(self) -> None:
        self.expect_personas(reverse("members:list"), READ_ALL)

    def names(self, persona: str = "org_admin", **params: Any) -> list[str]:
        response = self.client_for(persona).get(reverse("members:list"), params)
        self.assertEqual(response.status_code, 200)
        return [m.name for m in response.context["page"].object_list]

    def test_scope_of_each_reader(self) -> None:
        self.assertEqual(set(self.names("secretary")), {"李明", "王芳", "周老", "吴干"})
        self.assertEqual(set(self.names("other_secretary")), {"赵强"})
        self.assertEqual(len(self.names("viewer")), 6)

    def test_filters(self) -> None:
        w = self.world
        self.assertEqual(self.names(q="李"), ["李明"])
        self.assertEqual(self.names(q="1370000"), ["吴干"])
        self.assertEqual(self.names(q="１３７"), ["吴干"])  # full-width digits fold
        self.assertEqual(self.names(cadre_rank="township"), ["吴干"])
        self.assertEqual(self.names(exempt="yes"), ["周老"])
        self.assertNotIn("周老", self.names(exempt="no"))
        self.assertEqual(self.names(employment="retired"), ["周老"])
        self.assertEqual(self.names(position="secretary"), ["王芳"])
        self.assertEqual(set(self.names(org=w.other_branch.pk)), {"赵强"})
        self.assertEqual(set(self.names(org=w.group.pk)), {"周老"})
        self.assertEqual(self.names(status="activist"), [])
        # An unknown choice drops that filter instead of failing.
        self.assertEqual(len(self.names(status="bogus")), 6)

    def test_org_filter_out_of_scope_is_404(self) -> None:
        w = self.world
        client = self.client_for("secretary")
        self.assertEqual(
            client.get(reverse("members:list"), {"org": w.far_branch.pk}).status_code, 404
        )
        self.assertEqual(client.get(reverse("members:list"), {"org": "x"}).status_code, 404)

    def test_page_shows_columns_count_masked_id_and_links(self) -> None:
        w = self.world
        page = self.client_for("org_admin").get(reverse("members:list"), {"q": "李明"})
        html = page.content.decode()
        self.assertIn(w.member.id_number_masked, html)
        self.assertNotIn(w.member.reveal_id_number(), html)
        self.assertIn(reverse("members:detail", args=[w.member.pk]), html)
        self.assertIn(reverse("roster:export") + "?q=", html)
        self.assertIn(reverse("roster:import"), html)
        self.assertIn("13800000001", html)
        self.assertEqual(page.context["page"].paginator.count, 1)
        exempt_html = self.client_for("org_admin").get(reverse("members:list"), {"q": "周老"})
        self.assertIn("badge", exempt_html.content.decode())

    def test_org_filter_chip_and_export_keep_the_other_filters(self) -> None:
        w = self.world
        response = self.client_for("org_admin").get(
            reverse("members:list"), {"org": w.group.pk, "status": "full"}
        )
        html = response.content.decode()
        self.assertIn("第一党小组", html)
        self.assertIn('href="?status=full"', html)  # removes only the org filter
        self.assertIn(f"{reverse('roster:export')}?org={w.group.pk}&amp;status=full", html)

    def test_viewer_gets_no_import_or_new_button(self) -> None:
        html = self.client_for("viewer").get(reverse("members:list")).content.decode()
        self.assertNotIn(reverse("roster:import"), html)
        self.assertNotIn(reverse("members:create"), html)
        self.assertIn(reverse("roster:export"), html)

    def test_empty_state(self) -> None:
        response = self.client_for("org_admin").get(reverse("members:list"), {"q": "无此人"})
        self.assertEqual(response.context["page"].paginator.count, 0)
        self.assertContains(response, "alert")

    def test_pagination(self) -> None:
        with self.settings(PAGE_SIZE=2):
            first = self.client_for("org_admin").get(reverse("members:list"))
            self.assertEqual(len(first.context["page"].object_list), 2)
            self.assertEqual(first.context["page"].paginator.num_pages, 3)
            last = self.client_for("org_admin").get(reverse("members:list"), {"page": 3})
            self.assertEqual(len(last.context["page"].object_list), 2)

    def test_constant_query_count(self) -> None:
        w = self.world
        client = self.client_for("org_admin")
        url = reverse("members:list")
        client.get(url)  # warm up session and caches
        with CaptureQueriesContext(connection) as small:
            client.get(url, {"position": "secretary"})
            client.get(url)
        for i in range(25):
            Position.objects.create(
                member=make_member(w.other_branch, f"批量{i}", exempt_reason="ill"),
                org=w.other_branch,
                role="secretary",
                since=dt.date(2020, 1, 1),
            )
        with CaptureQueriesContext(connection) as large:
            client.get(url, {"position": "secretary"})
            response = client.get(url)
        self.assertEqual(response.context["page"].paginator.count, 31)
        self.assertEqual(len(small.captured_queries), len(large.captured_queries))


class DetailPageTests(PersonaTestCase):
    def test_personas(self) -> None:
        w = self.world
        self.expect_personas(
            reverse("members:detail", args=[w.member.pk]),
            {
                "anonymous": 302,
                "member": 200,  # their own record
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        self.expect_personas(
            reverse("members:detail", args=[w.other_member.pk]),
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_shows_facts_history_positions_masked(self) -> None:
        w = self.world
        html = (
            self.client_for("secretary")
            .get(reverse("members:detail", args=[w.secretary_member.pk]))
            .content.decode()
        )
        self.assertIn(w.secretary_member.id_number_masked, html)
        self.assertNotIn(w.secretary_member.reveal_id_number(), html)
        self.assertIn("第一党支部", html)
        self.assertIn("2022-01-01", html)  # position since
        self.assertIn("2010-07-01", html)  # membership since
        self.assertIn(reverse("members:edit", args=[w.secretary_member.pk]), html)
        self.assertNotIn(reverse("members:reveal_id", args=[w.secretary_member.pk]), html)

    def test_buttons_by_persona(self) -> None:
        w = self.world
        url = reverse("members:detail", args=[w.member.pk])
        reveal = reverse("members:reveal_id", args=[w.member.pk])
        admin_html = self.client_for("org_admin").get(url).content.decode()
        self.assertIn(reveal, admin_html)
        self.assertIn("hx-post", admin_html)
        for persona in ("viewer", "member"):
            html = self.client_for(persona).get(url).content.decode()
            self.assertNotIn(reveal, html)
            self.assertNotIn(reverse("members:edit", args=[w.member.pk]), html)

    def test_constant_query_count(self) -> None:
        w = self.world
        client = self.client_for("org_admin")
        url = reverse("members:detail", args=[w.member.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as small:
            client.get(url)
        for year in range(2012, 2020):
            Position.objects.create(
                member=w.member,
                org=w.branch,
                role="propaganda",
                since=dt.date(year, 1, 1),
                until=dt.date(year, 12, 31),
            )
        with CaptureQueriesContext(connection) as large:
            client.get(url)
        self.assertEqual(len(small.captured_queries), len(large.captured_queries))


class RevealTests(PersonaTestCase):
    def test_personas(self) -> None:
        w = self.world
        self.expect_personas(
            reverse("members:reveal_id", args=[w.member.pk]),
            {
                "anonymous": 302,
                "member": 403,  # sees their own record, may not reveal
                "secretary": 403,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 403,
            },
            method="post",
        )
        self.assertEqual(AuditEvent.objects.filter(verb="member.reveal_id").count(), 1)

    def test_htmx_swaps_in_plain_number_and_audits(self) -> None:
        w = self.world
        response = self.client_for("org_admin").post(
            reverse("members:reveal_id", args=[w.member.pk]), headers={"HX-Request": "true"}
        )
        self.assertContains(response, w.member.reveal_id_number())
        self.assertNotContains(response, "<html")
        self.assertIn("no-cache", response["Cache-Control"])
        event = AuditEvent.objects.get(verb="member.reveal_id")
        self.assertEqual(event.actor, self.user("org_admin"))
        self.assertEqual(event.object_id, str(w.member.pk))

    def test_platform_admin_may_reveal(self) -> None:
        w = self.world
        client = self.client_class()
        client.force_login(w.platform_admin)
        response = client.post(reverse("members:reveal_id", args=[w.far_member.pk]))
        self.assertContains(response, w.far_member.reveal_id_number())

    def test_get_is_not_allowed(self) -> None:
        w = self.world
        response = self.client_for("org_admin").get(
            reverse("members:reveal_id", args=[w.member.pk])
        )
        self.assertEqual(response.status_code, 405)
        self.assertFalse(AuditEvent.objects.filter(verb="member.reveal_id").exists())


class MinePageTests(PersonaTestCase):
    def test_personas(self) -> None:
        self.expect_personas(
            reverse("members:mine"),
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,  # no member record: a friendly note
                "viewer": 200,
            },
        )

    def test_own_facts_masked(self) -> None:
        w = self.world
        response = self.client_for("member").get(reverse("members:mine"))
        self.assertEqual(response.context["member"], w.member)
        html = response.content.decode()
        self.assertIn("李明", html)
        self.assertIn("第一党支部", html)
        self.assertIn(w.member.id_number_masked, html)
        self.assertNotIn(w.member.reveal_id_number(), html)
        self.assertNotIn("hx-post", html)

    def test_no_member_record(self) -> None:
        response = self.client_for("org_admin").get(reverse("members:mine"))
        self.assertIsNone(response.context["member"])
        self.assertContains(response, "alert-info")

    def test_plain_member_lands_on_the_workbench_after_login(self) -> None:
        from peixun.testing import PASSWORD

        response = self.client.post(
            reverse("accounts:login"), {"username": "member", "password": PASSWORD}, follow=True
        )
        # The workbench (工作台) is everyone's home; 我的 stays one tap away in the navigation.
        self.assertEqual(response.redirect_chain[-1][0], reverse("core:home"))
        self.assertContains(response, reverse("members:mine"))


class CreatePageTests(PersonaTestCase):
    def url(self) -> str:
        return reverse("members:create") + f"?org={self.world.branch.pk}"

    def test_personas_get(self) -> None:
        self.expect_personas(self.url(), WRITE_OUR_BRANCH)

    def test_personas_post_writes_nothing_when_refused_or_invalid(self) -> None:
        before = Member.objects.count()
        self.expect_personas(
            self.url(),
            WRITE_OUR_BRANCH,
            method="post",
            data=new_member_post(name="", org=self.world.branch.pk),
        )
        self.assertEqual(Member.objects.count(), before)

    def test_refused_personas_write_nothing_with_valid_data(self) -> None:
        for persona in ("member", "other_secretary", "viewer"):
            data = new_member_post(org=self.world.branch.pk)
            response = self.client_for(persona).post(self.url(), data)
            self.assertEqual(response.status_code, 404)
        self.assertFalse(Member.objects.filter(name="陈新").exists())

    def test_secretary_creates(self) -> None:
        w = self.world
        response = self.client_for("secretary").post(self.url(), new_member_post(org=w.group.pk))
        member = Member.objects.get(name="陈新")
        self.assertRedirects(response, reverse("members:detail", args=[member.pk]))
        self.assertEqual(member.org, w.group)
        self.assertEqual(member.birth_date, dt.date(1991, 4, 3))
        self.assertTrue(Membership.objects.filter(member=member, until__isnull=True).exists())
        self.assertTrue(AuditEvent.objects.filter(verb="member.create").exists())

    def test_org_choices_limited_to_member_orgs_in_scope(self) -> None:
        w = self.world
        response = self.client_for("secretary").get(self.url())
        orgs = set(response.context["form"].fields["org"].queryset)
        self.assertEqual(orgs, {w.branch, w.group})
        # Posting an org outside the choices is a form error, nothing stored.
        response = self.client_for("secretary").post(
            self.url(), new_member_post(org=w.other_branch.pk)
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("org", response.context["form"].errors)
        self.assertFalse(Member.objects.filter(name="陈新").exists())
        # A committee cannot be preselected either.
        url = reverse("members:create") + f"?org={w.unit.pk}"
        self.assertEqual(self.client_for("org_admin").get(url).status_code, 404)

    def test_service_errors_land_on_fields(self) -> None:
        w = self.world
        response = self.client_for("org_admin").post(
            self.url(),
            new_member_post(
                org=w.branch.pk,
                id_number=w.member.reveal_id_number(),
                mobile="12345",
                confirmed_on="2014-01-01",
            ),
        )
        errors = response.context["form"].errors
        self.assertIn("mobile", errors)
        self.assertIn("confirmed_on", errors)
        self.assertFalse(Member.objects.filter(name="陈新").exists())
        duplicate = self.client_for("org_admin").post(
            self.url(), new_member_post(org=w.branch.pk, id_number=w.member.reveal_id_number())
        )
        self.assertIn("id_number", duplicate.context["form"].errors)
        self.assertFalse(Member.objects.filter(name="陈新").exists())


class EditPageTests(PersonaTestCase):
    def test_personas(self) -> None:
        w = self.world
        url = reverse("members:edit", args=[w.member.pk])
        self.expect_personas(url, WRITE_OUR_BRANCH)
        self.expect_personas(
            url,
            {**WRITE_OUR_BRANCH, "secretary": 302, "org_admin": 302},
            method="post",
            data=edit_post(w.member, mobile="13911112222"),
        )
        w.member.refresh_from_db()
        self.assertEqual(w.member.mobile, "13911112222")

    def test_only_org_admin_sees_id_number_field(self) -> None:
        w = self.world
        url = reverse("members:edit", args=[w.member.pk])
        self.assertNotIn("id_number", self.client_for("secretary").get(url).context["form"].fields)
        self.assertIn("id_number", self.client_for("org_admin").get(url).context["form"].fields)

    def test_secretary_cannot_slip_an_id_number_in(self) -> None:
        w = self.world
        old_hash = w.member.id_number_hash
        self.client_for("secretary").post(
            reverse("members:edit", args=[w.member.pk]),
            edit_post(w.member, id_number=new_id_number(w.member.birth_date)),
        )
        w.member.refresh_from_db()
        self.assertEqual(w.member.id_number_hash, old_hash)

    def test_errors_map_to_fields_and_nothing_changes(self) -> None:
        w = self.world
        response = self.client_for("secretary").post(
            reverse("members:edit", args=[w.member.pk]),
            edit_post(w.member, name="李明改", birth_date="1999-01-01", joined_on="2031-01-01"),
        )
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertIn("birth_date", errors)  # disagrees with the stored ID number
        self.assertIn("joined_on", errors)
        w.member.refresh_from_db()
        self.assertEqual(w.member.name, "李明")
        self.assertFalse(AuditEvent.objects.filter(verb="member.update").exists())


class TransferPageTests(PersonaTestCase):
    def test_personas(self) -> None:
        w = self.world
        url = reverse("members:transfer", args=[w.member.pk])
        self.expect_personas(url, WRITE_OUR_BRANCH)
        # Missing effective date: the form comes back for those who may use it, 404 for others.
        self.expect_personas(url, WRITE_OUR_BRANCH, method="post", data={"to_org": w.group.pk})
        self.assertEqual(Membership.objects.filter(member=w.member).count(), 1)

    def test_secretary_moves_member_into_group(self) -> None:
        w = self.world
        today = timezone.localdate()
        response = self.client_for("secretary").post(
            reverse("members:transfer", args=[w.member.pk]),
            {"to_org": w.group.pk, "effective": today.isoformat(), "note": "调整"},
        )
        self.assertRedirects(response, reverse("members:detail", args=[w.member.pk]))
        w.member.refresh_from_db()
        self.assertEqual(w.member.org, w.group)
        self.assertEqual(Membership.objects.filter(member=w.member).count(), 2)

    def test_targets_are_member_orgs_the_actor_manages(self) -> None:
        w = self.world
        url = reverse("members:transfer", args=[w.member.pk])
        targets = set(
            self.client_for("secretary").get(url).context["form"].fields["to_org"].queryset
        )
        self.assertEqual(targets, {w.group})
        response = self.client_for("secretary").post(
            url, {"to_org": w.other_branch.pk, "effective": "2024-01-01"}
        )
        self.assertIn("to_org", response.context["form"].errors)
        w.member.refresh_from_db()
        self.assertEqual(w.member.org, w.branch)

    def test_service_error_on_effective(self) -> None:
        w = self.world
        response = self.client_for("org_admin").post(
            reverse("members:transfer", args=[w.member.pk]),
            {"to_org": w.far_branch.pk, "effective": "2005-01-01"},
        )
        self.assertIn("effective", response.context["form"].errors)
        self.assertEqual(Membership.objects.filter(member=w.member).count(), 1)


class PositionPageTests(PersonaTestCase):
    position: ClassVar[Position]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.position = Position.objects.get(member=cls.world.secretary_member)

    def test_add_personas(self) -> None:
        w = self.world
        url = reverse("members:position_add", args=[w.member.pk])
        self.expect_personas(url, WRITE_OUR_BRANCH)
        self.expect_personas(
            url,
            {**WRITE_OUR_BRANCH, "secretary": 302, "org_admin": 302},
            method="post",
            data={
                "org": w.branch.pk,
                "role": "propaganda",
                "kind": "part_time",
                "since": "2024-01-01",
            },
        )
        self.assertEqual(Position.objects.filter(member=w.member, role="propaganda").count(), 2)

    def test_add_choices_and_errors(self) -> None:
        w = self.world
        url = reverse("members:position_add", args=[w.member.pk])
        orgs = set(self.client_for("org_admin").get(url).context["form"].fields["org"].queryset)
        self.assertEqual(orgs, {w.root, w.unit, w.branch, w.group})
        response = self.client_for("org_admin").post(
            url,
            {
                "org": w.unit.pk,
                "role": "secretary",
                "kind": "full_time",
                "since": "2024-01-01",
                "until": "2023-01-01",
            },
        )
        self.assertIn("until", response.context["form"].errors)
        self.assertFalse(Position.objects.filter(member=w.member).exists())

    def test_end_personas(self) -> None:
        w = self.world
        url = reverse("members:position_end", args=[w.secretary_member.pk, self.position.pk])
        self.expect_personas(url, WRITE_OUR_BRANCH)
        self.expect_personas(
            url, WRITE_OUR_BRANCH, method="post", data={"until": "2021-01-01"}
        )  # before its start: the service error comes back on the form
        self.position.refresh_from_db()
        self.assertIsNone(self.position.until)

    def test_end(self) -> None:
        w = self.world
        url = reverse("members:position_end", args=[w.secretary_member.pk, self.position.pk])
        response = self.client_for("secretary").post(url, {"until": "2024-06-30"})
        self.assertRedirects(response, reverse("members:detail", args=[w.secretary_member.pk]))
        self.position.refresh_from_db()
        self.assertEqual(self.position.until, dt.date(2024, 6, 30))
        # An ended position has no end page any more.
        self.assertEqual(self.client_for("secretary").get(url).status_code, 404)

    def test_end_position_of_another_member_is_404(self) -> None:
        w = self.world
        url = reverse("members:position_end", args=[w.member.pk, self.position.pk])
        self.assertEqual(self.client_for("org_admin").get(url).status_code, 404)

    def test_unit_admin_below_root(self) -> None:
        """An org admin over the unit manages the branch below it but nothing under far_unit."""
        w = self.world
        unit_admin = make_user("unit_admin", role="org_admin", org=w.unit)
        client = self.client_class()
        client.force_login(unit_admin)
        self.assertEqual(client.get(reverse("members:edit", args=[w.member.pk])).status_code, 200)
        self.assertEqual(
            client.get(reverse("members:edit", args=[w.far_member.pk])).status_code, 404
        )
