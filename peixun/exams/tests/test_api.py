"""/api/v1/exams/ for every persona: bank, papers, exams, results, taking; and bad input."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any, ClassVar
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from peixun.testing import PersonaTestCase

from ..documents import TEMPLATE_HEADERS
from ..models import Answer, Attempt, Candidate, Exam, Paper, Question
from ..services import GRACE, question_create
from .fixtures import add_questions, make_exam, rules_paper
from .test_taking import right_answer

API = "/api/v1/exams/"
BRANCH_READ = {
    "anonymous": 401,
    "member": 404,
    "secretary": 200,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}


def body(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(data, default=str), "content_type": "application/json"}


class ExamApiTests(PersonaTestCase):
    questions: ClassVar[list[Question]]
    branch_question: ClassVar[Question]
    paper: ClassVar[Paper]
    exam: ClassVar[Exam]
    branch_exam: ClassVar[Exam]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.questions = add_questions(w, per_kind=3)
        cls.branch_question = question_create(
            actor=w.users["secretary"], org=w.branch,
            data={"kind": "judge", "stem": "支部自编判断题。", "answer": "对"},
        )  # fmt: skip
        cls.paper = rules_paper(w, per_kind=2)
        cls.exam = make_exam(w, cls.paper, show_answers="after_submit")
        cls.branch_exam = make_exam(w, cls.paper, org=w.branch, title="支部测试", seed="b")

    def test_bank_paper_and_exam_reads(self) -> None:
        self.expect_personas(f"{API}bank/questions/{self.branch_question.pk}", BRANCH_READ)
        self.expect_personas(f"{API}bank/questions", {**BRANCH_READ, "other_secretary": 200})
        # The root's bank is shared down: the other branch's secretary sees it, not the branch's.
        listed = self.client_for("other_secretary").get(f"{API}bank/questions?limit=100").json()
        ids = {row["id"] for row in listed["items"]}
        self.assertIn(self.questions[0].pk, ids)
        self.assertNotIn(self.branch_question.pk, ids)
        shared = {**BRANCH_READ, "other_secretary": 200}
        self.expect_personas(f"{API}papers/{self.paper.pk}", shared)
        self.expect_personas(f"{API}papers", shared)
        for suffix in ("", "/results", "/items", "/non-takers"):
            self.expect_personas(
                f"{API}{self.branch_exam.pk}{suffix}",
                {**BRANCH_READ, "member": 200 if suffix == "" and self._member_sampled() else 404},
            )
        self.expect_personas(f"{API}{self.exam.pk}/results", shared)
        self.expect_personas(f"{API}{self.exam.pk}/leaderboard", {
            **{p: 404 for p in BRANCH_READ}, "anonymous": 401,
        })  # fmt: skip
        self.expect_personas(f"{API}", {**shared, "member": 200})
        self.expect_personas(f"{API}attempts", {**shared, "member": 200})

    def _member_sampled(self) -> bool:
        return Candidate.objects.filter(exam=self.branch_exam, member=self.world.member).exists()

    def test_results_are_scoped_to_the_reader(self) -> None:
        rows = self.client_for("other_secretary").get(f"{API}{self.exam.pk}/results").json()
        self.assertEqual([r["org"]["name"] for r in rows["rows"]], ["第二党支部"])
        self.assertEqual(rows["total"]["expected"], 1)
        everyone = self.client_for("org_admin").get(f"{API}{self.exam.pk}/results").json()
        self.assertEqual(everyone["total"]["expected"], 4)
        absent = self.client_for("secretary").get(f"{API}{self.exam.pk}/non-takers").json()
        self.assertEqual(sorted(r["name"] for r in absent["items"]), ["李明", "王芳"])

    def test_writes_refuse_viewers_and_strangers(self) -> None:
        w = self.world
        question = {"org": w.branch.pk, "kind": "blank", "stem": "新题____。", "answer": ["甲"]}
        self.expect_personas(f"{API}bank/questions", {
            "anonymous": 401, "member": 404, "secretary": 201, "other_secretary": 422,
            "org_admin": 422, "viewer": 403,
        }, method="post", **body(question))  # fmt: skip
        self.expect_personas(f"{API}bank/questions/{self.branch_question.pk}/retire", {
            "anonymous": 401, "member": 404, "secretary": 200, "other_secretary": 404,
            "org_admin": 200, "viewer": 403,
        }, method="post", **body({"retired": False}))  # fmt: skip
        self.expect_personas(f"{API}{self.branch_exam.pk}", {
            "anonymous": 401, "member": 404, "secretary": 200, "other_secretary": 404,
            "org_admin": 200, "viewer": 403,
        }, method="patch", **body({"title": "支部测试（改）"}))  # fmt: skip
        self.expect_personas(f"{API}{self.branch_exam.pk}/finalise", {
            "anonymous": 401, "member": 404, "secretary": 422, "other_secretary": 404,
            "org_admin": 422, "viewer": 403,
        }, method="post")  # fmt: skip

    def test_create_paper_and_exam_then_publish_through_the_api(self) -> None:
        admin = self.client_for("org_admin")
        w = self.world
        short = admin.post(f"{API}papers", **body({
            "org": w.root.pk, "title": "太多题", "mode": "rules",
            "rules": [{"kind": "single", "count": 50}],
        }))  # fmt: skip
        self.assertEqual(short.status_code, 422)
        self.assertIn("50", short.json()["detail"][0]["msg"])
        paper = admin.post(f"{API}papers", **body({
            "org": w.root.pk, "title": "固定卷", "mode": "fixed", "points": {"judge": "2"},
        })).json()  # fmt: skip
        judges = [q.pk for q in self.questions if q.kind == "judge"]
        added = admin.post(f"{API}papers/{paper['id']}/questions", **body({"ids": judges}))
        self.assertEqual([r["question_id"] for r in added.json()["rows"]], judges)
        now = timezone.now()
        exam = {
            "org": w.root.pk, "title": "API 测试", "kind": "drill", "paper": paper["id"],
            "opens_at": now - dt.timedelta(minutes=1), "closes_at": now + dt.timedelta(days=1),
        }  # fmt: skip
        bad = admin.post(API, **body({**exam, "closes_at": now - dt.timedelta(days=1)}))
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(bad.json()["detail"][0]["loc"], ["body", "closes_at"])
        created = admin.post(API, **body(exam))
        self.assertEqual(created.status_code, 201)
        self.assertEqual(created.json()["credit_hours"], "0.50")
        published = admin.post(f"{API}{created.json()['id']}/publish", **body({"seed": "api"}))
        self.assertEqual(published.json()["candidates"], 4)
        self.assertEqual(published.json()["exam"]["seed"], "api")

    def test_import_through_the_api(self) -> None:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(list(TEMPLATE_HEADERS))
        sheet.append(["判断", "API 导入的判断题。", *[""] * 8, "对", "党章", "易", "", ""])
        sheet.append(["单选", "坏题", "甲", "乙", *[""] * 6, "Z", "", "", "", ""])
        out = io.BytesIO()
        book.save(out)

        def upload(dry_run: bool) -> Any:
            return self.client_for("org_admin").post(f"{API}bank/import", {
                "org": self.world.root.pk, "dry_run": dry_run,
                "file": SimpleUploadedFile("q.xlsx", out.getvalue()),
            })  # fmt: skip

        checked = upload(True)
        self.assertEqual(checked.status_code, 200)
        self.assertEqual([e["row"] for e in checked.json()["errors"]], [3])
        refused = upload(False)
        self.assertEqual(refused.status_code, 422)
        self.assertFalse(Question.objects.filter(stem="API 导入的判断题。").exists())


class TakingApiTests(PersonaTestCase):
    exam: ClassVar[Exam]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        add_questions(cls.world, per_kind=3)
        cls.exam = make_exam(cls.world, rules_paper(cls.world, per_kind=2),
                             show_answers="after_submit")  # fmt: skip

    def start(self, persona: str = "member") -> dict[str, Any]:
        response = self.client_for(persona).post(f"{API}{self.exam.pk}/attempts")
        self.assertEqual(response.status_code, 200)
        return dict(response.json())

    def test_start_personas(self) -> None:
        self.expect_personas(f"{API}{self.exam.pk}/attempts", {
            "anonymous": 401, "member": 200, "secretary": 200, "other_secretary": 200,
            "org_admin": 404, "viewer": 404,
        }, method="post")  # fmt: skip
        self.assertEqual(Attempt.objects.filter(exam=self.exam).count(), 3)

    def test_the_key_is_never_sent_before_submission(self) -> None:
        attempt = self.start()
        self.assertNotIn("key", json.dumps(attempt["items"]))
        self.assertIsNone(attempt["review"])
        self.assertGreater(attempt["remaining_seconds"], 29 * 60)

    def test_save_resume_and_submit_twice(self) -> None:
        attempt = self.start()
        stored = Attempt.objects.get(pk=attempt["id"])
        client = self.client_for("member")
        for n, item in enumerate(stored.items, start=1):
            saved = client.put(f"{API}attempts/{stored.pk}/answers/{item['q']}",
                               **body({"response": right_answer(item), "seq": n}))  # fmt: skip
            self.assertEqual(saved.status_code, 200, saved.content)
        resumed = self.start()
        self.assertEqual(resumed["id"], attempt["id"])
        self.assertEqual(len(resumed["answers"]), len(stored.items))
        first = client.post(f"{API}attempts/{stored.pk}/submit").json()
        second = client.post(f"{API}attempts/{stored.pk}/submit").json()
        self.assertEqual(first["percent"], "100.0")
        self.assertEqual((first["score"], first["submitted_at"]),
                         (second["score"], second["submitted_at"]))  # fmt: skip
        self.assertTrue(all(r["correct"] for r in first["review"]))
        after = client.put(f"{API}attempts/{stored.pk}/answers/{stored.items[0]['q']}",
                           **body({"response": None}))  # fmt: skip
        self.assertEqual(after.status_code, 422)

    def test_someone_elses_attempt_is_404(self) -> None:
        attempt = self.start()
        self.expect_personas(f"{API}attempts/{attempt['id']}", {
            "anonymous": 401, "member": 200, "secretary": 404, "other_secretary": 404,
            "org_admin": 404, "viewer": 404,
        })  # fmt: skip
        qid = attempt["items"][0]["q"]
        for persona in ("secretary", "org_admin"):
            put = self.client_for(persona).put(f"{API}attempts/{attempt['id']}/answers/{qid}",
                                               **body({"response": None}))  # fmt: skip
            self.assertEqual(put.status_code, 404)
            self.assertEqual(
                self.client_for(persona).post(f"{API}attempts/{attempt['id']}/submit").status_code,
                404,
            )

    def test_bad_answers(self) -> None:
        attempt = self.start()
        client = self.client_for("member")
        url = f"{API}attempts/{attempt['id']}/answers/"
        outside = Question.objects.exclude(pk__in=[i["q"] for i in attempt["items"]]).first()
        assert outside is not None
        cases = [
            (outside.pk, body({"response": True}), "question"),
            (attempt["items"][0]["q"], {"data": "{not json", "content_type": "application/json"},
             None),
            (attempt["items"][0]["q"], body({"response": {"a": 1}}), "response"),
        ]  # fmt: skip
        for qid, payload, field in cases:
            response = client.put(f"{url}{qid}", **payload)
            # A body that is not JSON at all is ninja's 400; a wrong value is our 422.
            self.assertEqual(response.status_code, 422 if field else 400, response.content)
            if field:
                self.assertEqual(response.json()["detail"][0]["loc"], ["body", field])
        self.assertFalse(Answer.objects.filter(attempt_id=attempt["id"]).exists())

    def test_after_the_time_limit_and_after_the_close(self) -> None:
        attempt = self.start()
        stored = Attempt.objects.get(pk=attempt["id"])
        client = self.client_for("member")
        later = stored.deadline_at + GRACE + dt.timedelta(seconds=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            late = client.put(f"{API}attempts/{stored.pk}/answers/{stored.items[0]['q']}",
                              **body({"response": None}))  # fmt: skip
            self.assertEqual(late.status_code, 422)
            self.assertEqual(late.json()["detail"][0]["loc"], ["body", "attempt"])
            submitted = client.post(f"{API}attempts/{stored.pk}/submit").json()
        self.assertTrue(submitted["auto_submitted"])
        Exam.objects.filter(pk=self.exam.pk).update(
            opens_at=timezone.now() - dt.timedelta(days=2),
            closes_at=timezone.now() - dt.timedelta(minutes=1),
        )
        closed = self.client_for("secretary").post(f"{API}{self.exam.pk}/attempts")
        self.assertEqual(closed.status_code, 422)
        self.assertFalse(Attempt.objects.filter(member=self.world.secretary_member).exists())


class WriteRoutePersonaTests(PersonaTestCase):
    """Every write route on objects of the first branch: its secretary and the org admin above
    may; the other branch's secretary gets 404; a viewer 403; a member 404."""

    def test_paper_and_exam_writes(self) -> None:
        w = self.world
        add_questions(w, per_kind=2)
        judge = Question.objects.filter(kind="judge").first()
        assert judge is not None
        secretary = w.users["secretary"]
        from ..services import paper_create

        def fixed_paper() -> Paper:
            return paper_create(actor=secretary, org=w.branch, title="支部卷", mode="fixed")

        writers = {"anonymous": 401, "member": 404, "other_secretary": 404, "viewer": 403}
        for persona, expected in [*writers.items(), ("secretary", 200), ("org_admin", 200)]:
            paper = fixed_paper()
            client = self.client_for(persona)
            with self.subTest(persona=persona):
                got = [
                    client.patch(f"{API}papers/{paper.pk}", **body({"title": "改名"})).status_code,
                    client.post(f"{API}papers/{paper.pk}/questions",
                                **body({"ids": [judge.pk]})).status_code,
                ]  # fmt: skip
                if expected == 200:
                    # The question is on the paper now; take it off again.
                    got.append(
                        client.delete(f"{API}papers/{paper.pk}/questions/{judge.pk}").status_code
                    )
                self.assertEqual(set(got), {expected})
                paper.refresh_from_db()
                self.assertEqual(paper.title == "改名", expected == 200)
        paper = fixed_paper()
        from ..services import paper_questions_add

        paper_questions_add(actor=secretary, paper=paper, question_ids=[judge.pk])
        now = timezone.now()
        exam = {
            "org": w.branch.pk, "title": "支部季度测", "kind": "quarterly", "paper": paper.pk,
            "opens_at": now, "closes_at": now + dt.timedelta(days=1),
        }  # fmt: skip
        self.expect_personas(API, {
            "anonymous": 401, "member": 404, "secretary": 201, "other_secretary": 422,
            "org_admin": 201, "viewer": 403,
        }, method="post", **body(exam))  # fmt: skip
        draft = Exam.objects.filter(org=w.branch).first()
        assert draft is not None
        self.expect_personas(f"{API}{draft.pk}/publish", {
            "anonymous": 401, "member": 404, "secretary": 200, "other_secretary": 404,
            "org_admin": 422, "viewer": 403,
        }, method="post", **body({}))  # fmt: skip
        self.expect_personas(f"{API}{draft.pk}/cancel", {
            "anonymous": 401, "member": 404, "secretary": 200, "other_secretary": 404,
            "org_admin": 422, "viewer": 403,
        }, method="post")  # fmt: skip


class SeedAndBodylessTests(PersonaTestCase):
    def test_only_managers_see_the_seed_and_publish_needs_no_body(self) -> None:
        add_questions(self.world, per_kind=2)
        exam = make_exam(self.world, rules_paper(self.world, per_kind=1), publish=False)
        published = self.client_for("org_admin").post(
            f"{API}{exam.pk}/publish", content_type="application/json"
        )
        self.assertEqual(published.status_code, 200, published.content)
        seed = published.json()["exam"]["seed"]
        self.assertTrue(seed)
        self.assertEqual(self.client_for("member").get(f"{API}{exam.pk}").json()["seed"], "")
        self.assertEqual(self.client_for("viewer").get(f"{API}{exam.pk}").json()["seed"], "")
        self.assertEqual(self.client_for("org_admin").get(f"{API}{exam.pk}").json()["seed"], seed)
