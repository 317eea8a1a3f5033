"""/api/v1/training/ dispatch routes: persona access for each, the shapes, and bad input."""

from __future__ import annotations

import json
from typing import Any

from peixun.core.models import Notification
from peixun.training.models import Enrolment, Quota

from .test_dispatch_fixtures import DispatchTestCase

API = "/api/v1/training"
JSON = "application/json"


class DispatchApiPersonaTests(DispatchTestCase):
    def cls_url(self, tail: str) -> str:
        return f"{API}/classes/{self.d.training_class.pk}/{tail}"

    def nominated(self) -> Enrolment:
        return Enrolment.objects.create(
            training_class=self.d.training_class,
            member=self.d.wang,
            quota=self.d.quota,
            route="nominated",
            state="nominated",
        )

    def post(self, persona: str, url: str, body: Any = None) -> Any:
        return self.client_for(persona).post(url, json.dumps(body or {}), content_type=JSON)

    def test_list_quotas(self) -> None:
        self.expect_personas(
            self.cls_url("quotas"),
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        data = self.client_for("secretary").get(self.cls_url("quotas")).json()
        self.assertEqual(data[0]["org"]["name"], "第一党支部")
        self.assertEqual((data[0]["places"], data[0]["taken"], data[0]["left"]), (3, 1, 2))

    def test_put_quota(self) -> None:
        self.expect_personas(
            self.cls_url("quotas"),
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 403,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 403,
            },
            method="put",
            data=json.dumps({"org": self.world.other_branch.pk, "places": 2}),
            content_type=JSON,
        )
        self.assertEqual(
            Quota.objects.get(
                training_class=self.d.training_class, org=self.world.other_branch
            ).places,
            2,
        )

    def test_change_and_delete_quota(self) -> None:
        quota = Quota.objects.create(
            training_class=self.d.training_class, org=self.world.other_branch, places=1
        )
        client = self.client_for("org_admin")
        url = self.cls_url(f"quotas/{quota.pk}")
        response = client.put(url, json.dumps({"places": 2}), content_type=JSON)
        self.assertEqual(response.json()["places"], 2)
        response = client.put(
            self.cls_url(f"quotas/{self.d.quota.pk}"), json.dumps({"places": 0}), content_type=JSON
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(client.delete(self.cls_url(f"quotas/{self.d.quota.pk}")).status_code, 422)
        self.assertEqual(self.client_for("viewer").delete(url).status_code, 403)
        # The other branch has places now: it sees the class, but may not change its places.
        self.assertEqual(self.client_for("other_secretary").delete(url).status_code, 403)
        self.assertEqual(client.delete(url).status_code, 204)
        self.assertFalse(Quota.objects.filter(pk=quota.pk).exists())
        self.assertEqual(client.delete(self.cls_url("quotas/999999")).status_code, 404)

    def test_list_enrolments(self) -> None:
        self.expect_personas(
            self.cls_url("enrolments"),
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        data = self.client_for("viewer").get(self.cls_url("enrolments?state=accepted")).json()
        self.assertEqual(data["count"], 1)
        item = data["items"][0]
        self.assertEqual(item["member"]["name"], "李明")
        self.assertEqual(item["quota_org"]["name"], "第一党支部")
        self.assertEqual(item["state"], "accepted")
        response = self.client_for("viewer").get(self.cls_url("enrolments?state=bogus"))
        self.assertEqual(response.status_code, 422)

    def test_nominate(self) -> None:
        self.expect_personas(
            self.cls_url("nominations"),
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 201,
                "other_secretary": 404,
                "org_admin": 422,  # 王五 was nominated by the secretary a moment before
                "viewer": 403,
            },
            method="post",
            data=json.dumps({"quota_id": self.d.quota.pk, "member_ids": [self.d.wang.pk]}),
            content_type=JSON,
        )
        self.assertEqual(Enrolment.objects.get(member=self.d.wang).state, "nominated")

    def test_nominate_answers(self) -> None:
        response = self.post(
            "secretary",
            self.cls_url("nominations"),
            {"quota_id": self.d.quota.pk, "member_ids": [self.d.wang.pk, self.d.zhou.pk]},
        )
        self.assertEqual(response.status_code, 201)
        data = response.json()
        self.assertEqual([e["member"]["name"] for e in data["enrolments"]], ["王五", "周八"])
        self.assertEqual([w["code"] for w in data["warnings"]], ["exempt"])
        # Over quota: one place left, two asked for.
        response = self.post(
            "secretary",
            self.cls_url("nominations"),
            {
                "quota_id": self.d.quota.pk,
                "member_ids": [self.d.chen.pk, self.world.secretary_member.pk],
            },
        )
        self.assertEqual(response.status_code, 422)
        detail = response.json()["detail"][0]
        self.assertEqual(detail["loc"], ["body", "member_ids"])
        self.assertIn("推荐超出名额", detail["msg"])
        self.assertIn("共有3个名额，已占用3个，本次推荐2人", detail["msg"])
        # A member out of scope reads the same as an unknown one.
        for ids in ([self.world.far_member.pk], [999999]):
            response = self.post(
                "secretary",
                self.cls_url("nominations"),
                {"quota_id": self.d.quota.pk, "member_ids": ids},
            )
            self.assertEqual(response.status_code, 422)
            self.assertIn("管理范围内", response.json()["detail"][0]["msg"])
        response = self.post(
            "secretary",
            self.cls_url("nominations"),
            {"quota_id": 999999, "member_ids": [self.d.chen.pk]},
        )
        self.assertEqual(response.json()["detail"][0]["loc"], ["body", "quota_id"])
        self.assertEqual(Enrolment.objects.active().count(), 3)

    def test_named(self) -> None:
        self.expect_personas(
            self.cls_url("named"),
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 403,
                "other_secretary": 404,
                "org_admin": 201,
                "viewer": 403,
            },
            method="post",
            data=json.dumps({"member_ids": [self.d.qian.pk]}),
            content_type=JSON,
        )
        enrolment = Enrolment.objects.get(member=self.d.qian)
        self.assertEqual((enrolment.route, enrolment.state), ("named", "accepted"))

    def test_candidates(self) -> None:
        url = self.cls_url(f"nomination-candidates?quota_id={self.d.quota.pk}")
        self.expect_personas(
            url,
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 403,
            },
        )
        data = self.client_for("secretary").get(url).json()
        by_name = {c["member"]["name"]: c for c in data["candidates"]}
        self.assertFalse(by_name["钱七"]["fits_audience"])
        self.assertEqual(by_name["李明"]["enrolled_state"], "accepted")
        self.assertEqual([w["code"] for w in by_name["周八"]["warnings"]], ["exempt"])
        untrained = {c["member"]["name"] for c in data["without_training"]}
        self.assertIn("王五", untrained)
        self.assertNotIn("李明", untrained, "already holds a place")
        self.assertNotIn("钱七", untrained, "outside the audience")
        self.assertNotIn("周八", untrained, "exempt")
        self.assertEqual(data["quota"]["left"], 2)
        response = self.client_for("secretary").get(
            self.cls_url("nomination-candidates?quota_id=999999")
        )
        self.assertEqual(response.status_code, 404)

    def test_accept(self) -> None:
        enrolment = self.nominated()
        self.expect_personas(
            f"{API}/enrolments/{enrolment.pk}/accept",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 403,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 403,
            },
            method="post",
        )
        self.assertEqual(Enrolment.objects.get(pk=enrolment.pk).state, "accepted")
        self.assertTrue(Notification.objects.filter(recipient=self.d.wang_user).exists())

    def test_return_and_resubmit(self) -> None:
        enrolment = self.nominated()
        url = f"{API}/enrolments/{enrolment.pk}"
        response = self.post("org_admin", f"{url}/return", {"reason": ""})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["detail"][0]["loc"], ["body", "reason"])
        response = self.post("org_admin", f"{url}/return", {"reason": "不符合条件"})
        self.assertEqual(response.json()["state"], "returned")
        self.assertEqual(self.post("org_admin", f"{url}/return", {"reason": "x"}).status_code, 422)
        self.expect_personas(
            f"{url}/resubmit",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 422,  # already resubmitted by the secretary
                "viewer": 403,
            },
            method="post",
        )
        self.assertEqual(Enrolment.objects.get(pk=enrolment.pk).state, "nominated")

    def test_withdraw(self) -> None:
        url = f"{API}/enrolments/{self.d.enrolled.pk}/withdraw"
        self.expect_personas(
            url,
            {
                "anonymous": 401,
                "member": 403,  # their own place: visible, not theirs to withdraw
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 422,  # already withdrawn
                "viewer": 403,
            },
            method="post",
            data=json.dumps({"reason": "生病住院"}),
            content_type=JSON,
        )
        self.assertEqual(Enrolment.objects.get(pk=self.d.enrolled.pk).state, "withdrawn")

    def test_substitute(self) -> None:
        url = f"{API}/enrolments/{self.d.enrolled.pk}/substitute"
        body = json.dumps({"member_id": self.d.wang.pk, "reason": "工作调动"})
        self.expect_personas(
            url,
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 403,
                "other_secretary": 404,
                "org_admin": 201,
                "viewer": 403,
            },
            method="post",
            data=body,
            content_type=JSON,
        )
        new = Enrolment.objects.get(member=self.d.wang)
        self.assertEqual((new.route, new.replaces_id), ("substitute", self.d.enrolled.pk))
        self.assertEqual(Enrolment.objects.active().filter(quota=self.d.quota).count(), 1)
        response = self.post(
            "org_admin",
            f"{API}/enrolments/{new.pk}/substitute",
            {"member_id": self.d.qian.pk, "reason": "x"},
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["detail"][0]["loc"], ["body", "member_id"])
