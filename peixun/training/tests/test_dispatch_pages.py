"""Dispatch pages: persona access for every page and route, what each shows, and the HTMX
decisions on the roster."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peixun.core.models import Notification
from peixun.testing import make_member
from peixun.training.models import Enrolment, Quota, TrainingClass

from .test_dispatch_fixtures import DispatchTestCase


class DispatchPagePersonaTests(DispatchTestCase):
    def url(self, name: str, *args: object) -> str:
        return reverse(f"training:{name}", args=[self.d.training_class.pk, *args])

    def nominated(self) -> Enrolment:
        return Enrolment.objects.create(
            training_class=self.d.training_class,
            member=self.d.wang,
            quota=self.d.quota,
            route="nominated",
            state="nominated",
        )

    def test_roster(self) -> None:
        self.expect_personas(
            self.url("roster"),
            {
                "anonymous": 302,
                "member": 403,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_quotas(self) -> None:
        self.expect_personas(
            self.url("quotas"),
            {
                "anonymous": 302,
                "member": 403,
                "secretary": 403,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 403,
            },
        )

    def test_quota_change(self) -> None:
        self.expect_personas(
            self.url("quota_change", self.d.quota.pk),
            {
                "anonymous": 302,
                "member": 403,
                "secretary": 403,
                "other_secretary": 404,
                "org_admin": 302,
                "viewer": 403,
            },
            method="post",
            data={"places": "4"},
        )
        self.assertEqual(Quota.objects.get(pk=self.d.quota.pk).places, 4)

    def test_nominate(self) -> None:
        self.expect_personas(
            self.url("nominate", self.d.quota.pk),
            {
                "anonymous": 302,
                "member": 403,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 403,
            },
        )

    def test_name_members(self) -> None:
        self.expect_personas(
            self.url("name_members"),
            {
                "anonymous": 302,
                "member": 403,
                "secretary": 403,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 403,
            },
        )

    def test_accept(self) -> None:
        enrolment = self.nominated()
        self.expect_personas(
            self.url("enrolment_action", enrolment.pk, "accept"),
            {
                "anonymous": 302,
                "member": 404,  # not their enrolment: out of what they may read
                "secretary": 403,
                "other_secretary": 404,
                "org_admin": 302,
                "viewer": 403,
            },
            method="post",
        )
        self.assertEqual(Enrolment.objects.get(pk=enrolment.pk).state, "accepted")

    def test_withdraw_by_the_unit(self) -> None:
        enrolment = self.nominated()
        self.expect_personas(
            self.url("enrolment_action", enrolment.pk, "withdraw"),
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 302,
                "other_secretary": 404,
                "org_admin": 302,  # already withdrawn: the error goes back to the roster
                "viewer": 403,
            },
            method="post",
            data={"reason": "工作安排冲突"},
        )
        self.assertEqual(Enrolment.objects.get(pk=enrolment.pk).state, "withdrawn")

    def test_substitute_page(self) -> None:
        self.expect_personas(
            self.url("enrolment_action", self.d.enrolled.pk, "substitute"),
            {
                "anonymous": 302,
                "member": 403,  # their own enrolment: visible, not theirs to act on
                "secretary": 403,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 403,
            },
        )

    def test_unknown_action_and_get_of_a_post_action(self) -> None:
        client = self.client_for("org_admin")
        self.assertEqual(
            client.get(self.url("enrolment_action", self.d.enrolled.pk, "explode")).status_code,
            404,
        )
        self.assertEqual(
            client.get(self.url("enrolment_action", self.d.enrolled.pk, "accept")).status_code,
            405,
        )

    def test_my_places(self) -> None:
        self.expect_personas(
            reverse("training:my_places"),
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 404,
            },
        )

    def test_roster_exports(self) -> None:
        for fmt in ("xlsx", "docx"):
            self.expect_personas(
                self.url("roster_export", fmt),
                {
                    "anonymous": 302,
                    "member": 403,
                    "secretary": 200,
                    "other_secretary": 404,
                    "org_admin": 200,
                    "viewer": 200,
                },
            )
        self.assertEqual(
            self.client_for("org_admin").get(self.url("roster_export", "csv")).status_code, 404
        )

    def test_own_notice(self) -> None:
        self.expect_personas(
            self.url("notice"),
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 404,  # 王芳 holds no place in the class
                "other_secretary": 404,
                "org_admin": 404,  # no member of their own
                "viewer": 404,
            },
        )

    def test_notice_of_a_member(self) -> None:
        self.expect_personas(
            f"{self.url('notice')}?member={self.world.member.pk}",
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 403,
            },
        )

    def test_member_cannot_download_another_members_notice(self) -> None:
        Enrolment.objects.create(
            training_class=self.d.training_class,
            member=self.d.wang,
            quota=self.d.quota,
            route="nominated",
            state="accepted",
        )
        response = self.client_for("member").get(f"{self.url('notice')}?member={self.d.wang.pk}")
        self.assertEqual(response.status_code, 404)
        # A nomination not yet accepted has no notice.
        self.d.wang_user.refresh_from_db()
        response = self.client_for("org_admin").get(f"{self.url('notice')}?member={self.d.chen.pk}")
        self.assertEqual(response.status_code, 404)


class DispatchPageContentTests(DispatchTestCase):
    def url(self, name: str, *args: object) -> str:
        return reverse(f"training:{name}", args=[self.d.training_class.pk, *args])

    def test_roster_shows_places_and_trainees(self) -> None:
        response = self.client_for("org_admin").get(self.url("roster") + "?state=accepted")
        text = response.content.decode()
        self.assertIn("各单位名额", text)
        self.assertIn("第一党支部", text)
        self.assertIn("李明", text)
        self.assertIn("替换", text)
        self.assertIn("退训", text)
        self.assertIn("点名调训", text)

    def test_the_organiser_deciding_sees_the_nominators_warnings(self) -> None:
        exempt = make_member(self.world.branch, "周老", exempt_reason="elderly")
        Enrolment.objects.create(
            training_class=self.d.training_class, member=exempt, quota=self.d.quota,
            route="nominated", state="nominated",
        )  # fmt: skip
        text = self.client_for("org_admin").get(self.url("roster")).content.decode()
        row = text[text.index("周老") :]
        row = row[: row.index('id="enrolment-') if 'id="enrolment-' in row else len(row)]
        self.assertIn("⚠", row)
        self.assertIn("年老体弱", row)

    def test_viewer_sees_no_actions(self) -> None:
        text = (
            self.client_for("viewer").get(self.url("roster") + "?state=accepted").content.decode()
        )
        self.assertIn("李明", text)
        self.assertNotIn("退训理由", text)
        self.assertNotIn("分配名额", text)

    def test_unit_sees_only_its_own_nominations(self) -> None:
        Quota.objects.create(
            training_class=self.d.training_class, org=self.world.other_branch, places=1
        )
        Enrolment.objects.create(
            training_class=self.d.training_class,
            member=self.world.other_member,
            route="named",
            state="accepted",
        )
        text = (
            self.client_for("secretary")
            .get(self.url("roster") + "?state=accepted")
            .content.decode()
        )
        self.assertIn("李明", text)
        self.assertNotIn("赵强", text)
        self.assertNotIn("第二党支部", text)
        self.assertIn("推荐人选", text)

    def test_nominate_page_lists_untrained_and_warnings(self) -> None:
        response = self.client_for("secretary").get(self.url("nominate", self.d.quota.pk))
        text = response.content.decode()
        self.assertIn("本年度尚未参加集中培训", text)
        self.assertIn("王五", text)
        self.assertIn("不属于培训对象", text)  # 钱七 is a candidate for admission
        self.assertIn("免于学时要求", text)  # 周八 is exempt
        self.assertIn("已录取", text)  # 李明 already holds a place
        response = self.client_for("secretary").get(
            self.url("nominate", self.d.quota.pk) + "?q=王五"
        )
        self.assertNotIn("陈六", response.content.decode().split("本单位全部党员")[1])

    def test_nominate_submit_and_over_quota(self) -> None:
        client = self.client_for("secretary")
        url = self.url("nominate", self.d.quota.pk)
        extra = [self.d.wang.pk, self.d.chen.pk, self.world.secretary_member.pk]
        response = client.post(url, {"members": extra})
        self.assertEqual(response.status_code, 200)
        self.assertIn("推荐超出名额", response.content.decode())
        self.assertEqual(Enrolment.objects.filter(state="nominated").count(), 0)
        # Ticked in both lists of the page: counted once.
        response = client.post(url, {"members": [self.d.wang.pk, self.d.chen.pk, self.d.wang.pk]})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            set(Enrolment.objects.filter(state="nominated").values_list("member__name", flat=True)),
            {"王五", "陈六"},
        )

    def test_name_members_submit(self) -> None:
        response = self.client_for("org_admin").post(
            self.url("name_members"), {"members": [self.world.far_member.pk, self.d.qian.pk]}
        )
        self.assertEqual(response.status_code, 302)
        named = Enrolment.objects.filter(route="named", state="accepted")
        self.assertEqual(set(named.values_list("member__name", flat=True)), {"孙丽", "钱七"})

    def test_quotas_page_gives_places(self) -> None:
        client = self.client_for("org_admin")
        offered = self.picked("org_admin", self.url("quotas"), "org")
        self.assertIn("测试县直机关工委 › 测试局机关党委", offered)  # a direct child
        # Any depth below the organiser is found by name; the unit with places is not offered.
        self.assertEqual(
            self.picked("org_admin", self.url("quotas"), "org", "党支部"),
            [
                "测试县直机关工委 › 测试局机关党委 › 第二党支部",
                "测试县直机关工委 › 测试委党委 › 第三党支部",
            ],
        )
        response = client.post(self.url("quotas"), {"org": self.world.other_branch.pk, "places": 2})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            Quota.objects.get(
                training_class=self.d.training_class, org=self.world.other_branch
            ).places,
            2,
        )
        response = client.post(self.url("quotas"), {"org": self.world.far_branch.pk, "places": 9})
        self.assertEqual(response.status_code, 200)
        self.assertIn("超出培训班计划人数", response.content.decode())

    def test_htmx_quota_change_and_remove(self) -> None:
        quota = Quota.objects.create(
            training_class=self.d.training_class, org=self.world.other_branch, places=1
        )
        client = self.client_for("org_admin")
        url = self.url("quota_change", quota.pk)
        response = client.post(url, {"places": "99"}, HTTP_HX_REQUEST="true")
        self.assertIn("超出培训班计划人数", response.content.decode())
        self.assertEqual(Quota.objects.get(pk=quota.pk).places, 1)
        response = client.post(url, {"places": "2"}, HTTP_HX_REQUEST="true")
        self.assertIn("第二党支部现有2个名额", response.content.decode())
        response = client.post(url, {"remove": "1"}, HTTP_HX_REQUEST="true")
        self.assertIn("已删除第二党支部的名额", response.content.decode())
        self.assertFalse(Quota.objects.filter(pk=quota.pk).exists())

    def test_htmx_return_needs_a_reason_then_returns(self) -> None:
        enrolment = Enrolment.objects.create(
            training_class=self.d.training_class,
            member=self.d.wang,
            quota=self.d.quota,
            route="nominated",
            state="nominated",
            nominated_by=self.user("secretary"),
        )
        client = self.client_for("org_admin")
        url = self.url("enrolment_action", enrolment.pk, "return")
        response = client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 200)
        self.assertIn("请说明退回推荐的理由", response.content.decode())
        self.assertEqual(Enrolment.objects.get(pk=enrolment.pk).state, "nominated")
        response = client.post(url, {"reason": "名额已满"}, HTTP_HX_REQUEST="true")
        text = response.content.decode()
        self.assertIn(f'id="enrolment-{enrolment.pk}"', text)
        self.assertIn("已退回推荐单位", text)
        self.assertEqual(Enrolment.objects.get(pk=enrolment.pk).state, "returned")
        # The unit resubmits from its roster.
        response = self.client_for("secretary").post(
            self.url("enrolment_action", enrolment.pk, "resubmit"), HTTP_HX_REQUEST="true"
        )
        self.assertIn("已重新报送", response.content.decode())
        self.assertEqual(Enrolment.objects.get(pk=enrolment.pk).state, "nominated")

    def test_substitute_page_submits(self) -> None:
        client = self.client_for("org_admin")
        url = self.url("enrolment_action", self.d.enrolled.pk, "substitute")
        text = client.get(url).content.decode()
        self.assertIn("王五", text)
        self.assertNotIn("钱七", text, "only the audience is offered for a unit's place")
        response = client.post(url, {"member": self.d.wang.pk, "reason": ""})
        self.assertIn("请说明替换的理由", response.content.decode())
        response = client.post(url, {"member": self.d.wang.pk, "reason": "工作调动"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Enrolment.objects.get(pk=self.d.enrolled.pk).state, "replaced")
        self.assertTrue(Notification.objects.filter(recipient=self.d.wang_user).exists())

    def test_my_places_lists_the_branch_places(self) -> None:
        text = self.client_for("secretary").get(reverse("training:my_places")).content.decode()
        self.assertIn(self.d.training_class.title, text)
        self.assertIn("第一党支部：共3个名额，已用1个，剩余2个", text)
        text = (
            self.client_for("other_secretary").get(reverse("training:my_places")).content.decode()
        )
        self.assertIn("你的单位暂未获得已发布培训班的名额", text)
        TrainingClass.objects.filter(pk=self.d.training_class.pk).update(state="closed")
        text = self.client_for("secretary").get(reverse("training:my_places")).content.decode()
        self.assertNotIn(self.d.training_class.title, text)


class DispatchQueryCountTests(DispatchTestCase):
    """Pages that list members or enrolments keep a constant number of queries as rows grow."""

    def count(self, persona: str, url: str) -> int:
        client = self.client_for(persona)
        client.get(url)  # warm the session and the scope
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(client.get(url).status_code, 200)
        return len(queries)

    def test_roster_and_nominate_pages(self) -> None:
        tc = self.d.training_class
        urls = [
            (
                "org_admin",
                reverse("training:roster", args=[tc.pk]) + "?state=accepted",
            ),
            ("secretary", reverse("training:nominate", args=[tc.pk, self.d.quota.pk])),
            ("org_admin", reverse("training:name_members", args=[tc.pk])),
            ("secretary", reverse("training:my_places")),
        ]
        urls.append(("org_admin", reverse("training:roster", args=[tc.pk]) + "?state=nominated"))
        Enrolment.objects.create(
            training_class=tc, member=make_member(self.world.branch, "推荐人0"),
            quota=self.d.quota, route="nominated", state="nominated",
        )  # fmt: skip
        before = [self.count(persona, url) for persona, url in urls]
        for n in range(6):
            member = make_member(self.world.branch, f"新学员{n}")
            Enrolment.objects.create(
                training_class=tc, member=member, route="named", state="accepted"
            )
            Enrolment.objects.create(
                training_class=tc, member=make_member(self.world.branch, f"推荐人{n + 1}"),
                quota=self.d.quota, route="nominated", state="nominated",
            )  # fmt: skip
        after = [self.count(persona, url) for persona, url in urls]
        self.assertEqual(before, after)
