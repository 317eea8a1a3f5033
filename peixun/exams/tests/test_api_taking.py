"""Taking an exam over /api/v1/exams/ for every persona: start or resume, read, save one answer,
submit; and every way a taker's request can be wrong, none of which may store anything."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, ClassVar
from unittest import mock

from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.testing import PersonaTestCase

from ..models import Answer, Attempt, Exam, Question
from ..services import GRACE
from .fixtures import add_questions, fixed_paper, make_exam, rules_paper
from .test_api_bank import API, NOT_JSON, bearer, body
from .test_taking import right_answer

ONLY_THE_TAKER = {
    "anonymous": 401,
    "member": 200,
    "secretary": 404,
    "other_secretary": 404,
    "org_admin": 404,
    "viewer": 404,
}


def at(moment: dt.datetime) -> Any:
    return mock.patch("django.utils.timezone.now", return_value=moment)


class TakingApiTests(PersonaTestCase):
    questions: ClassVar[list[Question]]
    exam: ClassVar[Exam]
    branch_exam: ClassVar[Exam]
    draft: ClassVar[Exam]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.questions = add_questions(w, per_kind=3)
        paper = rules_paper(w, per_kind=2)
        cls.exam = make_exam(w, paper, show_answers="after_submit")
        judges = fixed_paper(w, [q for q in cls.questions if q.kind == "judge"], title="判断卷")
        cls.branch_exam = make_exam(w, judges, org=w.branch, title="支部测试", seed="b")
        cls.draft = make_exam(w, judges, org=w.branch, title="草稿", publish=False)

    def start(self, persona: str = "member", exam: Exam | None = None) -> dict[str, Any]:
        response = self.client_for(persona).post(f"{API}{(exam or self.exam).pk}/attempts")
        self.assertEqual(response.status_code, 200, response.content)
        return dict(response.json())

    def put(self, attempt: dict[str, Any], qid: int, data: Any, persona: str = "member") -> Any:
        url = f"{API}attempts/{attempt['id']}/answers/{qid}"
        payload = data if isinstance(data, dict) and "content_type" in data else body(data)
        return self.client_for(persona).put(url, **payload)

    def stored(self, attempt: dict[str, Any]) -> dict[int, Any]:
        # What the taker saved: not the graded empty rows a submission adds for the rest.
        rows = Answer.objects.filter(attempt_id=attempt["id"]).exclude(response__isnull=True, seq=0)
        return {a.question_id: (a.response, a.seq) for a in rows}

    # -- start ----------------------------------------------------------------------------------

    def test_start_per_persona_and_resume(self) -> None:
        self.expect_personas(f"{API}{self.exam.pk}/attempts", {
            **ONLY_THE_TAKER, "secretary": 200, "other_secretary": 200,
        }, method="post")  # fmt: skip
        self.assertEqual(Attempt.objects.filter(exam=self.exam).count(), 3)
        first = Attempt.objects.get(exam=self.exam, member=self.world.member)
        again = self.start()
        self.assertEqual((again["id"], again["number"]), (first.pk, 1))
        self.assertEqual([i["q"] for i in again["items"]], [i["q"] for i in first.items])
        self.assertEqual(Attempt.objects.filter(exam=self.exam).count(), 3)

    def test_a_non_candidate_starts_nothing(self) -> None:
        # The other branch's secretary is no candidate of the first branch's exam; a draft has
        # no candidates at all, even for the secretary who can see it.
        for persona, exam in [("other_secretary", self.branch_exam), ("member", self.draft),
                              ("secretary", self.draft), ("org_admin", self.branch_exam)]:  # fmt: skip
            with self.subTest(persona=persona, exam=exam.title):
                response = self.client_for(persona).post(f"{API}{exam.pk}/attempts")
                self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client_for("member").post(f"{API}999999/attempts").status_code, 404)
        self.assertFalse(Attempt.objects.exists())

    def test_start_refused_when_the_exam_is_not_open(self) -> None:
        now = timezone.now()
        later = make_exam(self.world, self.branch_exam.paper, org=self.world.branch, seed="l",
                          opens_at=now + dt.timedelta(hours=1))  # fmt: skip
        closed = make_exam(self.world, self.branch_exam.paper, org=self.world.branch, seed="c")
        Exam.objects.filter(pk=closed.pk).update(
            opens_at=now - dt.timedelta(days=2), closes_at=now - dt.timedelta(minutes=1)
        )
        cancelled = make_exam(self.world, self.branch_exam.paper, org=self.world.branch, seed="x")
        Exam.objects.filter(pk=cancelled.pk).update(state="cancelled")
        for exam in (later, closed, cancelled):
            with self.subTest(exam=exam.pk):
                response = self.client_for("member").post(f"{API}{exam.pk}/attempts")
                self.assertEqual(response.status_code, 422, response.content)
                self.assertEqual(response.json()["detail"][0]["loc"], ["body", "exam"])
        self.assertFalse(Attempt.objects.exists())
        # One attempt allowed: after submitting, a second start is refused.
        attempt = self.start(exam=self.branch_exam)
        self.client_for("member").post(f"{API}attempts/{attempt['id']}/submit")
        used = self.client_for("member").post(f"{API}{self.branch_exam.pk}/attempts")
        self.assertEqual(used.status_code, 422)
        self.assertEqual(Attempt.objects.filter(member=self.world.member).count(), 1)

    # -- read, save, submit: only the taker -----------------------------------------------------

    def test_read_per_persona_never_shows_the_key(self) -> None:
        attempt = self.start()
        self.expect_personas(f"{API}attempts/{attempt['id']}", ONLY_THE_TAKER)
        self.expect_personas(f"{API}attempts/999999", {**ONLY_THE_TAKER, "member": 404})
        view = self.client_for("member").get(f"{API}attempts/{attempt['id']}").json()
        self.assertNotIn("key", json.dumps(view))
        self.assertNotIn("explanation", json.dumps(view))
        self.assertIsNone(view["review"])
        self.assertEqual(len(view["items"]), 8)
        self.assertGreater(view["remaining_seconds"], 29 * 60)

    def test_save_per_persona(self) -> None:
        attempt = self.start()
        item = next(i for i in attempt["items"] if i["kind"] == "judge")
        for persona, status in ONLY_THE_TAKER.items():
            with self.subTest(persona=persona):
                response = self.put(attempt, item["q"], {"response": persona == "member",
                                                         "seq": 1}, persona=persona)  # fmt: skip
                self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(self.stored(attempt), {item["q"]: (True, 1)})

    def test_submit_per_persona(self) -> None:
        attempt = self.start()
        url = f"{API}attempts/{attempt['id']}/submit"
        for persona in ("anonymous", "secretary", "other_secretary", "org_admin", "viewer"):
            with self.subTest(persona=persona):
                response = self.client_for(persona).post(url)
                self.assertEqual(response.status_code, ONLY_THE_TAKER[persona])
                self.assertIsNone(Attempt.objects.get(pk=attempt["id"]).submitted_at)
        self.assertEqual(self.client_for("member").post(url).status_code, 200)
        self.assertIsNotNone(Attempt.objects.get(pk=attempt["id"]).submitted_at)

    def test_bad_answers_change_nothing(self) -> None:
        attempt = self.start()
        single = next(i for i in attempt["items"] if i["kind"] == "single")
        saved = self.put(attempt, single["q"], {"response": 1, "seq": 3})
        self.assertEqual(saved.status_code, 200)
        outside = Question.objects.exclude(pk__in=[i["q"] for i in attempt["items"]]).first()
        assert outside is not None
        cases: list[tuple[int, Any, str | None]] = [
            (outside.pk, {"response": True, "seq": 4}, "question"),
            (999999, {"response": 0, "seq": 4}, "question"),
            (single["q"], {"response": 9, "seq": 4}, "response"),
            (single["q"], {"response": "A", "seq": 4}, "response"),
            (single["q"], {"response": [0, 1], "seq": 4}, "response"),
            (single["q"], {"response": {"a": 1}, "seq": 4}, "response"),
            # Schema errors: no response at all (not a silent clearing), a list, a bad seq.
            (single["q"], {"seq": 4}, None),
            (single["q"], {"answer": 0, "seq": 4}, None),
            (single["q"], [0], None),
            (single["q"], {"response": 0, "seq": "next"}, None),
        ]
        for qid, data, field in cases:
            with self.subTest(qid=qid, data=data):
                response = self.put(attempt, qid, data)
                self.assertEqual(response.status_code, 422, response.content)
                if field:
                    self.assertEqual(response.json()["detail"][0]["loc"], ["body", field])
        # A body that is not JSON at all is ninja's 400, as everywhere in API v1.
        self.assertEqual(self.put(attempt, single["q"], NOT_JSON).status_code, 400)
        self.assertEqual(self.stored(attempt), {single["q"]: ([1], 3)})

    def test_an_older_save_never_overwrites_a_newer_one_and_null_clears(self) -> None:
        attempt = self.start()
        judge = next(i for i in attempt["items"] if i["kind"] == "judge")
        self.put(attempt, judge["q"], {"response": True, "seq": 5})
        stale = self.put(attempt, judge["q"], {"response": False, "seq": 4})
        self.assertEqual((stale.status_code, stale.json()["response"]), (200, True))
        self.assertEqual(self.stored(attempt), {judge["q"]: (True, 5)})
        cleared = self.put(attempt, judge["q"], {"response": None, "seq": 6})
        self.assertIsNone(cleared.json()["response"])
        self.assertEqual(self.stored(attempt), {judge["q"]: (None, 6)})

    # -- the clock ------------------------------------------------------------------------------

    def test_answers_after_the_exam_closes(self) -> None:
        now = timezone.now()
        exam = make_exam(self.world, self.branch_exam.paper, org=self.world.branch, seed="z",
                         closes_at=now + dt.timedelta(minutes=10), show_answers="after_close")  # fmt: skip
        attempt = self.start(exam=exam)
        stored = Attempt.objects.get(pk=attempt["id"])
        # The timer never runs past the close, whatever the time limit.
        self.assertEqual(stored.deadline_at, exam.closes_at)
        first, second = stored.items[0], stored.items[1]
        self.assertEqual(self.put(attempt, first["q"], {"response": first["key"]}).status_code, 200)
        with at(exam.closes_at + GRACE + dt.timedelta(seconds=1)):
            late = self.put(attempt, second["q"], {"response": second["key"], "seq": 1})
            self.assertEqual(late.status_code, 422)
            self.assertEqual(late.json()["detail"][0]["loc"], ["body", "attempt"])
            # The refusal submitted what was saved before the close, and that stays.
            stored.refresh_from_db()
            self.assertTrue(stored.auto_submitted)
            self.assertEqual(stored.score, Decimal(first["points"]))
            self.assertEqual(self.stored(attempt), {first["q"]: (first["key"], 0)})
            again = self.client_for("member").post(f"{API}{exam.pk}/attempts")
            self.assertEqual(again.status_code, 422)
            # After the close the taker may see the key.
            view = self.client_for("member").get(f"{API}attempts/{attempt['id']}").json()
            self.assertEqual(len(view["review"]), 3)
        self.assertEqual(Attempt.objects.filter(exam=exam).count(), 1)
        before_close = self.client_for("member").get(f"{API}attempts/{attempt['id']}").json()
        self.assertIsNone(before_close["review"])

    def test_submit_after_the_time_limit_is_an_automatic_submission(self) -> None:
        attempt = self.start(exam=self.branch_exam)
        stored = Attempt.objects.get(pk=attempt["id"])
        item = stored.items[0]
        self.put(attempt, item["q"], {"response": item["key"], "seq": 1})
        later = stored.deadline_at + GRACE + dt.timedelta(minutes=5)
        with at(later):
            done = self.client_for("member").post(f"{API}attempts/{attempt['id']}/submit")
        self.assertEqual(done.status_code, 200)
        result = done.json()
        self.assertTrue(result["auto_submitted"])
        self.assertEqual(result["score"], item["points"])
        self.assertEqual(result["remaining_seconds"], 0)
        # Submitted when time ran out, not when the request came.
        stored.refresh_from_db()
        self.assertEqual(stored.submitted_at, stored.deadline_at + GRACE)

    def test_coming_back_late_shows_the_result_not_a_clock(self) -> None:
        attempt = self.start(exam=self.branch_exam)
        stored = Attempt.objects.get(pk=attempt["id"])
        with at(stored.deadline_at + GRACE + dt.timedelta(seconds=1)):
            view = self.client_for("member").get(f"{API}attempts/{attempt['id']}").json()
        self.assertIsNotNone(view["submitted_at"])
        self.assertTrue(view["auto_submitted"])
        self.assertEqual((view["remaining_seconds"], view["score"]), (0, "0.0"))

    def test_submit_twice_returns_the_same_result(self) -> None:
        attempt = self.start()
        stored = Attempt.objects.get(pk=attempt["id"])
        for n, item in enumerate(stored.items, start=1):
            self.put(attempt, item["q"], {"response": right_answer(item), "seq": n})
        client = self.client_for("member")
        first = client.post(f"{API}attempts/{attempt['id']}/submit").json()
        second = client.post(f"{API}attempts/{attempt['id']}/submit").json()
        keys = ("score", "max_score", "percent", "passed", "submitted_at", "auto_submitted")
        self.assertEqual({k: first[k] for k in keys}, {k: second[k] for k in keys})
        self.assertEqual((first["percent"], first["passed"], first["auto_submitted"]),
                         ("100.0", True, False))  # fmt: skip
        self.assertTrue(all(r["correct"] for r in first["review"]))
        self.assertEqual(
            AuditEvent.objects.filter(
                verb="exams.attempt.submit", object_id=str(stored.pk)
            ).count(),
            1,
        )
        answers = self.stored(attempt)
        after = self.put(attempt, stored.items[0]["q"], {"response": None, "seq": 99})
        self.assertEqual(after.status_code, 422)
        self.assertEqual(after.json()["detail"][0]["loc"], ["body", "attempt"])
        self.assertEqual(self.stored(attempt), answers)

    def test_taking_with_a_bearer_token(self) -> None:
        client = bearer(self.world.users["member"])
        view = client.post(f"{API}{self.branch_exam.pk}/attempts").json()
        for item in Attempt.objects.get(pk=view["id"]).items:
            saved = client.put(f"{API}attempts/{view['id']}/answers/{item['q']}",
                               **body({"response": item["key"], "seq": 1}))  # fmt: skip
            self.assertEqual(saved.status_code, 200)
        done = client.post(f"{API}attempts/{view['id']}/submit").json()
        self.assertEqual((done["percent"], done["passed"]), ("100.0", True))
        history = client.get(f"{API}attempts").json()
        self.assertEqual([r["id"] for r in history["items"]], [view["id"]])
