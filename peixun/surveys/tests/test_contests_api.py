"""API v1 for competitions and 述学 under /api/v1/surveys/: every persona on the routes, bad
input answering 422 with the field named and nothing stored, a competition run end to end."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from peixun.accounts.models import User
from peixun.members.models import Member
from peixun.orglife.models import Meeting
from peixun.orglife.tests.test_meetings_fixtures import record
from peixun.surveys.models import Contest, Entry, Question, QuestionKind, StudyReport
from peixun.surveys.services.contests import contest_create
from peixun.testing import PersonaTestCase, make_member, make_user

BASE = "/api/v1/surveys"
TODAY = timezone.localdate()
TEXT = "今年系统学习了党的二十届三中全会精神和新修订的纪律处分条例，" * 3


def body(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(data, default=str), "content_type": "application/json"}


class ContestApiTests(PersonaTestCase):
    contest: ClassVar[Contest]
    judge: ClassVar[Member]
    judge_user: ClassVar[User]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.judge = make_member(w.far_branch, "评委甲")
        cls.judge_user = make_user("judge_a", member=cls.judge)
        cls.contest = contest_create(
            actor=w.users["org_admin"],
            org=w.root,
            kind="lecture",
            title="最佳党课",
            year=TODAY.year,
            entry_deadline=TODAY + dt.timedelta(days=5),
        )

    def test_list_and_get(self) -> None:
        everyone = {
            "anonymous": 401,
            "member": 200,
            "secretary": 200,
            "other_secretary": 200,
            "org_admin": 200,
            "viewer": 200,
        }
        self.expect_personas(f"{BASE}/contests/", everyone)
        self.expect_personas(f"{BASE}/contests/{self.contest.pk}", everyone)
        self.expect_personas(
            f"{BASE}/contests/999999",
            {
                **everyone,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 404,
                "viewer": 404,
            },
        )

    def test_create(self) -> None:
        data = {
            "org": self.world.unit.pk,
            "kind": "talk",
            "title": "宣讲比赛",
            "year": TODAY.year,
            "entry_deadline": TODAY.isoformat(),
        }
        self.expect_personas(
            f"{BASE}/contests/",
            # A branch's secretary does not see the unit above: as good as unknown.
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 201,
                "viewer": 403,
            },
            method="post",
            **body(data),
        )
        bad = self.client_for("org_admin").post(
            f"{BASE}/contests/", **body({**data, "kind": "x", "title": ""})
        )
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(Contest.objects.filter(title="").count(), 0)

    def test_update(self) -> None:
        url = f"{BASE}/contests/{self.contest.pk}"
        data = {
            "kind": "lecture",
            "title": "最佳党课（更正）",
            "year": TODAY.year,
            "entry_deadline": (TODAY + dt.timedelta(days=9)).isoformat(),
            "rules": "新规则",
        }
        self.expect_personas(
            url,
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 403,
                "other_secretary": 403,
                "org_admin": 200,
                "viewer": 403,
            },
            method="put",
            **body(data),
        )
        self.assertEqual(Contest.objects.get(pk=self.contest.pk).title, "最佳党课（更正）")
        bad = self.client_for("org_admin").put(url, **body({**data, "title": ""}))
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(Contest.objects.get(pk=self.contest.pk).rules, "新规则")

    def test_run_end_to_end(self) -> None:
        url = f"{BASE}/contests/{self.contest.pk}"
        member = self.client_for("member")
        bad = member.post(f"{url}/entry", {"title": "", "video_url": "ftp://x"})
        self.assertEqual(bad.status_code, 422)
        self.assertFalse(Entry.objects.exists())
        slides = SimpleUploadedFile("党课.pdf", b"%PDF-1.4 x", content_type="application/pdf")
        ok = member.post(f"{url}/entry", {"title": "我的党课", "slides": slides})
        self.assertEqual(ok.status_code, 200, ok.content)
        entry_id = ok.json()["id"]
        self.assertEqual(ok.json()["slides_name"], "党课.pdf")
        self.assertEqual(member.get(f"{url}/entry").status_code, 200)
        staff = {
            "anonymous": 401,
            "member": 404,
            "secretary": 404,
            "other_secretary": 404,
            "org_admin": 200,
            "viewer": 200,
        }
        self.expect_personas(f"{url}/entries", staff)
        admin = self.client_for("org_admin")
        self.assertEqual(admin.post(f"{url}/judging", **body({"judges": []})).status_code, 422)
        started = admin.post(f"{url}/judging", **body({"judges": [self.judge.pk]}))
        self.assertEqual(started.json()["state"], "judging")
        judge = self.client_for("member")
        judge.force_login(self.judge_user)
        self.assertEqual(judge.get(f"{url}/judge").json()[0]["scored"], False)
        form = judge.get(f"{url}/form").json()
        items = [q["id"] for q in form if q["kind"] == QuestionKind.RATING]
        self.assertEqual(
            len(items), Question.objects.filter(form=self.contest.form, kind="rating").count()
        )
        bad_sheet = judge.post(
            f"{url}/entries/{entry_id}/score", **body({"answers": {str(items[0]): 9}})
        )
        self.assertEqual(bad_sheet.status_code, 422)
        sheet = judge.post(
            f"{url}/entries/{entry_id}/score", **body({"answers": {str(q): 4 for q in items}})
        )
        self.assertEqual(sheet.status_code, 204)
        self.expect_personas(f"{url}/results", staff)
        row = admin.get(f"{url}/results").json()["rows"][0]
        self.assertEqual((row["sheets"], row["average"]), (1, str(4 * len(items)) + ".00"))
        self.expect_personas(
            f"{url}/entries/{entry_id}/award",
            # The entrant sees their entry but may not award it; other members do not see it.
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 204,
                "viewer": 403,
            },
            method="post",
            **body({"award": "first"}),
        )
        # Not published: the member sees no award yet, and no recognition list.
        self.assertEqual(member.get(f"{url}/entry").json()["award"], "")
        self.assertEqual(member.get(f"{url}/recognition").status_code, 404)
        self.assertEqual(admin.post(f"{url}/publish").json()["state"], "published")
        listed = self.client_for("other_secretary").get(f"{url}/recognition").json()
        self.assertEqual(
            listed,
            [
                {
                    "award": "first",
                    "award_label": listed[0]["award_label"],
                    "entrant": "李明",
                    "unit": "第一党支部",
                    "title": "我的党课",
                }
            ],
        )
        self.assertEqual(member.get(f"{url}/entry").json()["award"], "first")


class StudyReportApiTests(PersonaTestCase):
    appraisal: ClassVar[Meeting]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.appraisal = record(cls.world.users["secretary"], cls.world.branch, "appraisal")

    def test_mine(self) -> None:
        url = f"{BASE}/study-reports/mine"
        self.expect_personas(
            url,
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 404,
                "viewer": 404,
            },
        )
        client = self.client_for("member")
        bad = client.put(url, **body({"year": TODAY.year, "text": "短", "submit": True}))
        self.assertEqual(bad.status_code, 422)
        self.assertFalse(StudyReport.objects.exists())
        ok = client.put(url, **body({"year": TODAY.year, "text": TEXT, "submit": True}))
        self.assertEqual(ok.json()["state"], "submitted")
        self.assertEqual(client.get(url).json()["report"]["id"], ok.json()["id"])

    def test_branch_review_and_return(self) -> None:
        report = (
            self.client_for("member")
            .put(
                f"{BASE}/study-reports/mine",
                **body({"year": TODAY.year, "text": TEXT, "submit": True}),
            )
            .json()
        )
        staff = {
            "anonymous": 401,
            "member": 404,
            "secretary": 200,
            "other_secretary": 404,
            "org_admin": 200,
            "viewer": 200,
        }
        self.expect_personas(f"{BASE}/study-reports/?org={self.world.branch.pk}", staff)
        listing = self.client_for("secretary").get(f"{BASE}/study-reports/").json()
        self.assertEqual((listing["members"], listing["submitted"]), (2, 1))
        self.expect_personas(f"{BASE}/study-reports/{report['id']}", staff)
        url = f"{BASE}/study-reports/{report['id']}/review"
        self.expect_personas(
            url,
            # The org admin comes after the secretary has reviewed it: a review is final.
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 422,
                "viewer": 403,
            },
            method="post",
            **body({"meeting": self.appraisal.pk, "comment": "好"}),
        )
        self.assertEqual(StudyReport.objects.get().state, "reviewed")
        refused = self.client_for("secretary").post(
            f"{BASE}/study-reports/{report['id']}/return", **body({"reason": "补充"})
        )
        self.assertEqual(refused.status_code, 422)
