"""Org pages: personas for every page and write endpoint, query budgets, forms and messages.

Write pages answer 404 to everyone who cannot administer the org, even when they may read it
(viewer, secretary): the views' documented rule, one answer for "not yours to change".
"""

from __future__ import annotations

from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peixun.core.models import AuditEvent
from peixun.orgs import views
from peixun.orgs.models import Organization
from peixun.testing import PersonaTestCase, make_member, make_org, make_user

K = Organization.Kind
READERS = {
    "anonymous": 302,
    "member": 404,
    "secretary": 200,
    "other_secretary": 200,
    "org_admin": 200,
    "viewer": 200,
}


def admin_only(ok: int) -> dict[str, int]:
    return {
        "anonymous": 302,
        "member": 404,
        "secretary": 404,
        "other_secretary": 404,
        "org_admin": ok,
        "viewer": 404,
    }


class TreePersonaTests(PersonaTestCase):
    def test_tree_page(self) -> None:
        self.expect_personas(reverse("orgs:tree"), READERS)

    def test_search(self) -> None:
        self.expect_personas(reverse("orgs:tree") + "?q=支部", READERS)

    def test_children_of_the_unit(self) -> None:
        url = reverse("orgs:children", args=[self.world.unit.pk])
        self.expect_personas(url, {**READERS, "secretary": 404, "other_secretary": 404})

    def test_children_of_a_branch(self) -> None:
        url = reverse("orgs:children", args=[self.world.branch.pk])
        self.expect_personas(url, {**READERS, "other_secretary": 404})

    def test_detail_of_a_branch(self) -> None:
        url = reverse("orgs:detail", args=[self.world.branch.pk])
        self.expect_personas(url, {**READERS, "other_secretary": 404})

    def test_detail_of_the_root(self) -> None:
        url = reverse("orgs:detail", args=[self.world.root.pk])
        self.expect_personas(url, {**READERS, "secretary": 404, "other_secretary": 404})

    def test_unknown_org_is_404(self) -> None:
        response = self.client_for("org_admin").get(reverse("orgs:detail", args=[999999]))
        self.assertEqual(response.status_code, 404)

    def test_platform_admin_reads_everything(self) -> None:
        client = self.client_for("anonymous")
        client.force_login(self.world.platform_admin)
        self.assertEqual(client.get(reverse("orgs:tree")).status_code, 200)
        url = reverse("orgs:detail", args=[self.world.far_branch.pk])
        self.assertEqual(client.get(url).status_code, 200)


class WritePersonaTests(PersonaTestCase):
    def test_add_child_get_and_post(self) -> None:
        url = reverse("orgs:add_child", args=[self.world.branch.pk])
        self.expect_personas(url, admin_only(200))
        data = {"kind": K.GROUP, "name": "第二党小组", "code": "T01010102"}
        self.expect_personas(url, admin_only(302), method="post", data=data)
        self.assertTrue(Organization.objects.filter(code="T01010102").exists())

    def test_rename_get_and_post(self) -> None:
        url = reverse("orgs:rename", args=[self.world.other_branch.pk])
        self.expect_personas(url, admin_only(200))
        data = {"name": "第二党支部（新）", "code": "T010102"}
        self.expect_personas(url, admin_only(302), method="post", data=data)
        self.world.other_branch.refresh_from_db()
        self.assertEqual(self.world.other_branch.name, "第二党支部（新）")

    def test_move_get_and_post(self) -> None:
        url = reverse("orgs:move", args=[self.world.far_branch.pk])
        self.expect_personas(url, admin_only(200))
        data = {"new_parent": self.world.unit.pk}
        self.expect_personas(url, admin_only(302), method="post", data=data)
        moved = Organization.objects.get(pk=self.world.far_branch.pk)
        self.assertEqual(Organization.objects.get_parent(moved), self.world.unit)

    def test_close_get_and_post(self) -> None:
        empty = make_org(self.world.unit, "T010109", "空支部", K.BRANCH)
        url = reverse("orgs:close", args=[empty.pk])
        self.expect_personas(url, admin_only(200))
        self.expect_personas(url, admin_only(302), method="post", data={"on": "2026-01-31"})
        empty.refresh_from_db()
        self.assertEqual(str(empty.closed_on), "2026-01-31")

    def test_create_root_is_for_platform_admins_only(self) -> None:
        url = reverse("orgs:create_root")
        self.expect_personas(url, admin_only(404))
        data = {"kind": K.COMMITTEE, "name": "新县委", "code": "N01"}
        self.expect_personas(url, admin_only(404), method="post", data=data)
        self.assertFalse(Organization.objects.filter(code="N01").exists())
        client = self.client_for("anonymous")
        client.force_login(self.world.platform_admin)
        self.assertEqual(client.get(url).status_code, 200)
        response = client.post(url, data)
        root = Organization.objects.get(code="N01")
        self.assertRedirects(response, reverse("orgs:detail", args=[root.pk]))
        self.assertEqual(root.depth, 1)


class TreePageTests(PersonaTestCase):
    def test_roots_and_member_counts(self) -> None:
        response = self.client_for("viewer").get(reverse("orgs:tree"))
        self.assertContains(response, "测试县直机关工委")
        self.assertContains(response, reverse("orgs:children", args=[self.world.root.pk]))
        # Children load lazily: the unit is not on the first page.
        self.assertNotContains(response, "测试局机关党委")

    def test_secretary_sees_their_branch_as_root(self) -> None:
        response = self.client_for("secretary").get(reverse("orgs:tree"))
        self.assertContains(response, "第一党支部")
        self.assertContains(response, "测试县直机关工委 › 测试局机关党委")
        self.assertNotContains(response, "第二党支部")
        self.assertEqual([o.pk for o in response.context["roots"]], [self.world.branch.pk])
        self.assertEqual(response.context["roots"][0].member_count, 2)

    def test_children_partial_counts_direct_members(self) -> None:
        url = reverse("orgs:children", args=[self.world.unit.pk])
        response = self.client_for("org_admin").get(url)
        nodes = {o.code: o.member_count for o in response.context["nodes"]}
        self.assertEqual(nodes, {"T010101": 2, "T010102": 1})
        self.assertContains(
            response, 'hx-get="' + reverse("orgs:children", args=[self.world.branch.pk])
        )

    def test_closed_orgs_hidden_unless_asked(self) -> None:
        closed = make_org(self.world.unit, "T010108", "已撤销支部", K.BRANCH)
        Organization.objects.filter(pk=closed.pk).update(closed_on="2025-01-01")
        url = reverse("orgs:children", args=[self.world.unit.pk])
        client = self.client_for("org_admin")
        self.assertNotContains(client.get(url), "已撤销支部")
        self.assertContains(client.get(url + "?closed=1"), "已撤销支部")
        self.assertEqual(client.get(reverse("orgs:tree") + "?q=已撤销").context["results"], [])
        self.assertContains(client.get(reverse("orgs:tree") + "?q=已撤销&closed=1"), "已撤销支部")

    def test_many_children_come_in_pages(self) -> None:
        url = reverse("orgs:children", args=[self.world.unit.pk])
        client = self.client_for("org_admin")
        with mock.patch.object(views, "CHILDREN_PER_REQUEST", 1):
            first = client.get(url)
            second = client.get(url + "?page=2")
        self.assertEqual([o.code for o in first.context["nodes"]], ["T010101"])
        self.assertContains(first, url + "?page=2")
        self.assertEqual([o.code for o in second.context["nodes"]], ["T010102"])
        self.assertNotContains(second, "?page=3")

    def test_empty_children_state(self) -> None:
        url = reverse("orgs:children", args=[self.world.group.pk])
        response = self.client_for("org_admin").get(url)
        self.assertContains(response, "没有未撤销的下级党组织。")

    def test_search_shows_trail_and_link(self) -> None:
        response = self.client_for("viewer").get(reverse("orgs:tree") + "?q=第一党小组")
        self.assertContains(response, "测试县直机关工委 › 测试局机关党委 › 第一党支部")
        self.assertContains(response, reverse("orgs:detail", args=[self.world.group.pk]))

    def test_search_by_code_prefix(self) -> None:
        response = self.client_for("viewer").get(reverse("orgs:tree") + "?q=t0102")
        codes = {o.code for o in response.context["results"]}
        self.assertEqual(codes, {"T0102", "T010201"})

    def test_search_stays_in_scope(self) -> None:
        response = self.client_for("secretary").get(reverse("orgs:tree") + "?q=党支部")
        self.assertEqual([o.code for o in response.context["results"]], ["T010101"])

    def test_search_empty_state(self) -> None:
        response = self.client_for("viewer").get(reverse("orgs:tree") + "?q=不存在的组织")
        self.assertContains(response, "没有与“")

    def test_tree_empty_state_for_a_grant_on_a_closed_tree(self) -> None:
        # A viewer whose granted org exists but shows nothing open: the friendly empty state.
        lone = make_org(None, "Z01", "孤立工委", K.WORKING_COMMITTEE)
        viewer = make_user("lone_viewer", role="viewer", org=lone)
        Organization.objects.filter(pk=lone.pk).update(closed_on="2025-01-01")
        client = self.client_for("anonymous")
        client.force_login(viewer)
        # Grants on a closed org lapse, so this actor has no scope left: 404 like a member.
        self.assertEqual(client.get(reverse("orgs:tree")).status_code, 404)


class QueryBudgetTests(PersonaTestCase):
    """The tree page and each children request cost the same whatever the size of the tree."""

    def count_queries(self, url: str) -> int:
        client = self.client_for("org_admin")
        client.get(url)  # warm session and caches outside the measurement
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def test_constant_queries_for_small_and_large_trees(self) -> None:
        tree_url = reverse("orgs:tree")
        unit_url = reverse("orgs:children", args=[self.world.unit.pk])
        small_tree = self.count_queries(tree_url)
        small_children = self.count_queries(unit_url)
        detail_url = reverse("orgs:detail", args=[self.world.unit.pk])
        small_detail = self.count_queries(detail_url)
        for i in range(40):
            branch = make_org(self.world.unit, f"T0101{50 + i:02d}", f"扩充支部{i}", K.BRANCH)
            make_org(branch, f"T0101{50 + i:02d}01", f"扩充小组{i}", K.GROUP)
            make_member(branch, f"党员{i}")
        for i in range(5):
            make_org(self.world.root, f"T01{50 + i:02d}", f"扩充党委{i}", K.COMMITTEE)
        self.assertEqual(self.count_queries(tree_url), small_tree)
        self.assertEqual(self.count_queries(unit_url), small_children)
        self.assertEqual(self.count_queries(detail_url), small_detail)


class DetailPageTests(PersonaTestCase):
    def test_facts_trail_children_and_member_link(self) -> None:
        response = self.client_for("viewer").get(reverse("orgs:detail", args=[self.world.unit.pk]))
        self.assertContains(response, "T0101")
        self.assertContains(response, reverse("orgs:detail", args=[self.world.root.pk]))
        self.assertContains(response, "第二党支部")
        self.assertContains(response, reverse("members:list") + f"?org={self.world.unit.pk}")
        self.assertEqual(response.context["subtree_members"], 3)
        # A viewer reads but is offered no actions.
        self.assertNotContains(response, reverse("orgs:rename", args=[self.world.unit.pk]))

    def test_admin_sees_actions(self) -> None:
        url = reverse("orgs:detail", args=[self.world.unit.pk])
        response = self.client_for("org_admin").get(url)
        for name in ("add_child", "rename", "move", "close"):
            self.assertContains(response, reverse(f"orgs:{name}", args=[self.world.unit.pk]))

    def test_secretary_breadcrumb_does_not_link_out_of_scope(self) -> None:
        url = reverse("orgs:detail", args=[self.world.branch.pk])
        response = self.client_for("secretary").get(url)
        self.assertContains(response, "测试局机关党委")
        self.assertNotContains(response, reverse("orgs:detail", args=[self.world.unit.pk]))


class WriteFormTests(PersonaTestCase):
    def test_add_child_offers_only_allowed_kinds(self) -> None:
        url = reverse("orgs:add_child", args=[self.world.branch.pk])
        form = self.client_for("org_admin").get(url).context["form"]
        self.assertEqual([v for v, _ in form.fields["kind"].choices], [K.GROUP])

    def test_add_child_errors_inline_and_nothing_stored(self) -> None:
        url = reverse("orgs:add_child", args=[self.world.unit.pk])
        before = Organization.objects.count()
        response = self.client_for("org_admin").post(
            url, {"kind": K.BRANCH, "name": "", "code": "T010101"}
        )
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertEqual(set(errors), {"code", "name"})  # every bad field at once
        self.assertContains(response, "is-invalid")
        self.assertEqual(Organization.objects.count(), before)
        response = self.client_for("org_admin").post(
            url, {"kind": K.BRANCH, "name": "  ", "code": "T010199"}
        )
        self.assertIn("name", response.context["form"].errors)
        self.assertEqual(Organization.objects.count(), before)

    def test_success_redirects_with_message(self) -> None:
        url = reverse("orgs:add_child", args=[self.world.unit.pk])
        response = self.client_for("org_admin").post(
            url, {"kind": K.BRANCH, "name": "第四党支部", "code": "ｔ０１０１０４"}, follow=True
        )
        org = Organization.objects.get(code="T010104")  # full-width input folded
        self.assertRedirects(response, reverse("orgs:detail", args=[org.pk]))
        self.assertContains(response, "第四党支部")
        self.assertEqual(len(list(response.context["messages"])), 1)
        self.assertTrue(
            AuditEvent.objects.filter(verb="org.create", object_id=str(org.pk)).exists()
        )

    def test_rename_duplicate_code_inline(self) -> None:
        url = reverse("orgs:rename", args=[self.world.branch.pk])
        response = self.client_for("org_admin").post(url, {"name": "改名", "code": "T010102"})
        self.assertIn("code", response.context["form"].errors)
        self.world.branch.refresh_from_db()
        self.assertEqual(self.world.branch.name, "第一党支部")

    def test_move_offers_only_fitting_administered_targets(self) -> None:
        url = reverse("orgs:move", args=[self.world.branch.pk])
        field = self.client_for("org_admin").get(url).context["form"].fields["new_parent"]
        offered = {code for code in field.queryset.values_list("code", flat=True)}
        # Not its own parent (unit), not itself or its group, not a branch: committees only.
        self.assertEqual(offered, {"T01", "T0102"})
        # The picker offers the same, searched on the server by name or code, labelled by path.
        self.assertEqual(
            self.picked("org_admin", url, "new_parent"),
            ["测试县直机关工委", "测试县直机关工委 › 测试委党委"],
        )
        self.assertEqual(
            self.picked("org_admin", url, "new_parent", "t0102"), ["测试县直机关工委 › 测试委党委"]
        )
        self.assertEqual(self.picked("org_admin", url, "new_parent", "第一"), [])

    def test_move_to_a_target_outside_the_offer_is_an_error(self) -> None:
        url = reverse("orgs:move", args=[self.world.branch.pk])
        response = self.client_for("org_admin").post(url, {"new_parent": self.world.group.pk})
        self.assertIn("new_parent", response.context["form"].errors)
        self.world.branch.refresh_from_db()
        self.assertEqual(Organization.objects.get_parent(self.world.branch), self.world.unit)

    def test_close_with_members_shows_the_service_message(self) -> None:
        url = reverse("orgs:close", args=[self.world.branch.pk])
        response = self.client_for("org_admin").post(url, {"on": "2026-01-31"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "仍有 2 名党员")
        self.world.branch.refresh_from_db()
        self.assertIsNone(self.world.branch.closed_on)
