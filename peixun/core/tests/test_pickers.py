"""The server-side pickers (core.pickers): each page answers its own picker's search from the
same queryset that checks what is posted, within the page's access rules."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peixun.members.models import Member
from peixun.orglife.models import HomeVisit
from peixun.orgs.models import Organization
from peixun.testing import PersonaTestCase, make_member, make_org

MEMBER_NEW = reverse("members:create")
VISIT_NEW = reverse("orglife:visit_new")
MEETINGS = reverse("orglife:list")


class OrgPickerPersonaTests(PersonaTestCase):
    """The org picker of the new-member page: orgs that take members, in the actor's charge."""

    def test_who_may_ask(self) -> None:
        query = f"{MEMBER_NEW}?pick=org&pick_q="
        self.expect_personas(
            query,
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 404,  # reads, never adds members
            },
        )
        response = self.client_for("anonymous").get(query)
        self.assertIn(reverse("accounts:login"), response["Location"])

    def test_each_persona_gets_only_their_subtree(self) -> None:
        self.assertEqual(
            self.picked("secretary", MEMBER_NEW, "org"),
            [
                "测试县直机关工委 › 测试局机关党委 › 第一党支部",
                "测试县直机关工委 › 测试局机关党委 › 第一党支部 › 第一党小组",
            ],
        )
        self.assertEqual(
            self.picked("other_secretary", MEMBER_NEW, "org"),
            ["测试县直机关工委 › 测试局机关党委 › 第二党支部"],
        )
        # Searching cannot reach outside: the other secretary asks for the far branch by name
        # and by code.
        self.assertEqual(self.picked("other_secretary", MEMBER_NEW, "org", "第三"), [])
        self.assertEqual(self.picked("other_secretary", MEMBER_NEW, "org", "T010201"), [])
        # By the start of the code, ignoring case.
        self.assertEqual(
            self.picked("org_admin", MEMBER_NEW, "org", "t0101"),
            [
                "测试县直机关工委 › 测试局机关党委 › 第一党支部",
                "测试县直机关工委 › 测试局机关党委 › 第一党支部 › 第一党小组",
                "测试县直机关工委 › 测试局机关党委 › 第二党支部",
            ],
        )
        self.assertEqual(
            self.picked("org_admin", MEMBER_NEW, "org", "t0102"),
            ["测试县直机关工委 › 测试委党委 › 第三党支部"],
        )

    def test_viewer_picks_within_their_read_scope_on_a_list_filter(self) -> None:
        offered = self.picked("viewer", MEETINGS, "org", "党委")
        self.assertEqual(
            offered, ["测试县直机关工委 › 测试局机关党委", "测试县直机关工委 › 测试委党委"]
        )
        self.assertEqual(self.picked("secretary", MEETINGS, "org", "党委"), [])

    def test_an_unknown_field_is_a_404(self) -> None:
        client = self.client_for("org_admin")
        self.assertEqual(client.get(MEMBER_NEW, {"pick": "name"}).status_code, 404)
        self.assertEqual(client.get(MEMBER_NEW, {"pick": "nonsense"}).status_code, 404)

    def test_the_page_renders_only_the_chosen_option(self) -> None:
        response = self.client_for("org_admin").get(MEMBER_NEW, {"org": self.world.branch.pk})
        body = response.content.decode()
        self.assertIn('data-picker="org"', body)
        self.assertIn("测试县直机关工委 › 测试局机关党委 › 第一党支部</option>", body)
        self.assertNotIn("第二党支部", body)

    def test_posting_an_org_outside_the_offer_is_refused_and_stores_nothing(self) -> None:
        before = Member.objects.count()
        response = self.client_for("secretary").post(
            MEMBER_NEW, {"org": self.world.far_branch.pk, "name": "外人"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("org", response.context["form"].errors)
        self.assertContains(response, "请从列表中选择党组织")
        self.assertNotContains(response, "第三党支部")  # not even named back
        self.assertEqual(Member.objects.count(), before)


class MemberPickerTests(PersonaTestCase):
    """The member picker of the 送学上门 form: members in the actor's charge."""

    def test_who_may_ask(self) -> None:
        self.expect_personas(
            f"{VISIT_NEW}?pick=member",
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 404,
            },
        )

    def test_search_by_name_or_mobile_within_scope(self) -> None:
        branch_path = "测试县直机关工委 › 测试局机关党委 › 第一党支部"
        self.assertEqual(
            sorted(self.picked("secretary", VISIT_NEW, "member")),
            sorted([f"李明 · {branch_path}", f"王芳 · {branch_path}"]),
        )
        self.assertEqual(
            self.picked("secretary", VISIT_NEW, "member", "13800000001"), [f"李明 · {branch_path}"]
        )
        # Full-width digits, as a phone keyboard may type them, are folded.
        self.assertEqual(
            self.picked("secretary", VISIT_NEW, "member", "１３８０００００００１"),
            [f"李明 · {branch_path}"],
        )
        self.assertEqual(self.picked("secretary", VISIT_NEW, "member", "孙丽"), [])
        self.assertEqual(
            self.picked("org_admin", VISIT_NEW, "member", "孙丽"),
            ["孙丽 · 测试县直机关工委 › 测试委党委 › 第三党支部"],
        )

    def test_posting_a_member_outside_the_offer_is_refused_and_stores_nothing(self) -> None:
        response = self.client_for("secretary").post(
            VISIT_NEW,
            {
                "member": self.world.far_member.pk,
                "visited_on": "2026-01-05",
                "visitors": "王芳",
                "content": "党章",
                "hours": "1",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("member", response.context["form"].errors)
        self.assertContains(response, "请从列表中选择党员")
        self.assertFalse(HomeVisit.objects.exists())

    def test_twenty_at_a_time_with_more(self) -> None:
        for n in range(25):
            make_member(self.world.other_branch, f"批量{n:02d}")
        client = self.client_for("other_secretary")
        first = client.get(VISIT_NEW, {"pick": "member", "pick_q": "批量"}).json()
        self.assertEqual(len(first["results"]), 20)
        self.assertTrue(first["more"])
        second = client.get(
            VISIT_NEW, {"pick": "member", "pick_q": "批量", "pick_page": "2"}
        ).json()
        self.assertEqual(len(second["results"]), 5)
        self.assertFalse(second["more"])
        seen = {row["value"] for row in first["results"] + second["results"]}
        self.assertEqual(len(seen), 25)

    def test_query_count_does_not_grow_with_the_tenant(self) -> None:
        client = self.client_for("org_admin")

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(VISIT_NEW, {"pick": "member", "pick_q": ""})
            self.assertEqual(response.status_code, 200)
            return len(captured)

        small = queries()
        K = Organization.Kind
        for n in range(6):
            unit = make_org(self.world.root, f"T0190{n}", f"单位{n}", K.COMMITTEE)
            branch = make_org(unit, f"T0190{n}01", "办公室党支部", K.BRANCH)
            for m in range(4):
                make_member(branch, f"新党员{n}{m}")
        self.assertEqual(queries(), small)
