"""/api/v1/exams/bank/… and /papers… for every persona; the answer forms, the filters, and bad
input that must leave the bank and the papers as they were."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, ClassVar

from django.test import Client

from peixun.accounts.services import token_issue
from peixun.core.models import AuditEvent
from peixun.testing import PersonaTestCase

from ..models import Paper, PaperQuestion, Question
from ..services import paper_create, paper_questions_add, question_create, question_retire
from .fixtures import add_questions, make_exam

API = "/api/v1/exams/"
# An object of the first branch: its secretary and the org admin above may change it; the other
# branch's secretary and a plain member do not see it; the viewer sees it and may not change it.
BRANCH_READ = {
    "anonymous": 401,
    "member": 404,
    "secretary": 200,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}
BRANCH_WRITE = {**BRANCH_READ, "viewer": 403}
# An object of the tenant root is shared down: every staff persona reads it, only the org admin
# (a manager of the root) changes it.
ROOT_READ = {**BRANCH_READ, "other_secretary": 200}
ROOT_WRITE = {**ROOT_READ, "secretary": 403, "other_secretary": 403, "viewer": 403}


def body(data: Any) -> dict[str, Any]:
    return {"data": json.dumps(data, default=str), "content_type": "application/json"}


NOT_JSON: dict[str, Any] = {"data": "{not json", "content_type": "application/json"}


def bearer(user: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_issue(actor=user).raw}")


class BankApiTests(PersonaTestCase):
    questions: ClassVar[list[Question]]
    branch_question: ClassVar[Question]
    retired: ClassVar[Question]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.questions = add_questions(w, per_kind=2)
        cls.branch_question = question_create(
            actor=w.users["secretary"], org=w.branch,
            data={"kind": "judge", "stem": "支部自编：三会一课应按期召开。", "answer": "对",
                  "topics": "组织生活"},
        )  # fmt: skip
        cls.retired = question_create(
            actor=w.users["org_admin"], org=w.root,
            data={"kind": "blank", "stem": "已停用的填空题____。", "answer": "旧"},
        )  # fmt: skip
        question_retire(actor=w.users["org_admin"], question=cls.retired)

    def ids(self, persona: str, query: str = "") -> list[int]:
        response = self.client_for(persona).get(f"{API}bank/questions?limit=500&{query}")
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual(data["count"], len(data["items"]))
        return [row["id"] for row in data["items"]]

    def test_reads_per_persona(self) -> None:
        self.expect_personas(f"{API}bank/questions", ROOT_READ)
        self.expect_personas(f"{API}bank/questions/{self.branch_question.pk}", BRANCH_READ)
        self.expect_personas(f"{API}bank/questions/{self.questions[0].pk}", ROOT_READ)
        self.expect_personas(f"{API}bank/questions/999999", {**BRANCH_READ, "secretary": 404,
                                                             "org_admin": 404, "viewer": 404})  # fmt: skip
        # The branch's own question is not shared sideways.
        self.assertIn(self.branch_question.pk, self.ids("secretary"))
        self.assertNotIn(self.branch_question.pk, self.ids("other_secretary"))
        self.assertIn(self.branch_question.pk, self.ids("org_admin"))
        one = self.client_for("secretary").get(f"{API}bank/questions/{self.branch_question.pk}")
        self.assertEqual(one.json()["answer"], [True])
        self.assertEqual(one.json()["topics"], ["组织生活"])

    def test_filters_and_pages(self) -> None:
        everyone = self.ids("org_admin")
        self.assertNotIn(self.retired.pk, everyone)
        self.assertIn(self.retired.pk, self.ids("org_admin", "retired=true"))
        singles = self.ids("org_admin", "kind=single")
        self.assertEqual(set(singles), {q.pk for q in self.questions if q.kind == "single"})
        self.assertEqual(self.ids("org_admin", "difficulty=3"),
                         [q.pk for q in reversed(self.questions) if q.kind == "blank"])  # fmt: skip
        self.assertEqual(self.ids("org_admin", "topic=组织生活"), [self.branch_question.pk])
        self.assertEqual(self.ids("org_admin", "q=三会一课"), [self.branch_question.pk])
        page = self.client_for("org_admin").get(f"{API}bank/questions?limit=3&offset=3").json()
        self.assertEqual((page["count"], len(page["items"])), (len(everyone), 3))
        self.assertEqual([r["id"] for r in page["items"]], everyone[3:6])
        bad = self.client_for("org_admin").get(f"{API}bank/questions?difficulty=hard")
        self.assertEqual(bad.status_code, 422)

    def test_create_per_persona(self) -> None:
        w = self.world
        for persona, status in {**BRANCH_WRITE, "secretary": 201, "org_admin": 201,
                                "other_secretary": 422}.items():  # fmt: skip
            with self.subTest(persona=persona):
                stem = f"{persona}：支部党员大会每季度至少召开____次。"
                response = self.client_for(persona).post(f"{API}bank/questions", **body({
                    "org": w.branch.pk, "kind": "blank", "stem": stem, "answer": "一|1",
                }))  # fmt: skip
                self.assertEqual(response.status_code, status, response.content)
                self.assertEqual(Question.objects.filter(stem=stem).exists(), status == 201)
        # The other branch's secretary may not name the first branch: it is a field error.
        refused = self.client_for("other_secretary").post(f"{API}bank/questions", **body({
            "org": w.branch.pk, "kind": "judge", "stem": "越权的题。", "answer": "对",
        }))  # fmt: skip
        self.assertEqual(refused.json()["detail"][0]["loc"], ["body", "org"])

    def test_answer_as_letters_words_or_the_stored_list(self) -> None:
        client = self.client_for("secretary")
        org = self.world.branch.pk
        options = ["政治意识", "大局意识", "核心意识", "看齐意识"]
        cases: list[tuple[dict[str, Any], Any]] = [
            ({"kind": "multiple", "options": options, "answer": "acd"}, [0, 2, 3]),
            ({"kind": "multiple", "options": options, "answer": [3, 0, 2]}, [0, 2, 3]),
            ({"kind": "single", "options": options, "answer": "B"}, [1]),
            ({"kind": "single", "options": options, "answer": [1]}, [1]),
            ({"kind": "judge", "answer": "错"}, [False]),
            ({"kind": "judge", "answer": [True]}, [True]),
            ({"kind": "blank", "answer": "人民|人民群众"}, ["人民", "人民群众"]),
            ({"kind": "blank", "answer": ["人民"]}, ["人民"]),
        ]
        for n, (fields, stored) in enumerate(cases):
            with self.subTest(fields=fields):
                response = client.post(f"{API}bank/questions", **body({
                    "org": org, "stem": f"第{n}题：____", "topics": ["党章", "党规"], **fields,
                }))  # fmt: skip
                self.assertEqual(response.status_code, 201, response.content)
                self.assertEqual(response.json()["answer"], stored)
                question = Question.objects.get(pk=response.json()["id"])
                self.assertEqual((question.answer, question.topics), (stored, "党章、党规"))

    def test_bad_questions_store_nothing(self) -> None:
        client = self.client_for("secretary")
        org = self.world.branch.pk
        before = Question.objects.count()
        cases: list[tuple[Any, str | None]] = [
            ({"org": org, "kind": "single", "stem": "题", "options": ["甲", "乙"], "answer": "C"},
             "answer"),
            ({"org": org, "kind": "single", "stem": "题", "options": ["甲"], "answer": "A"},
             "options"),
            ({"org": org, "kind": "multiple", "stem": "题", "options": ["甲", "乙"], "answer": [0]},
             "answer"),
            ({"org": org, "kind": "essay", "stem": "题", "answer": "x"}, "kind"),
            ({"org": org, "kind": "judge", "stem": "", "answer": "对"}, "stem"),
            ({"org": org, "kind": "judge", "stem": "题", "answer": "也许"}, "answer"),
            ({"org": org, "kind": "judge", "stem": "题", "answer": "对", "difficulty": 7},
             "difficulty"),
            # The same question as one already in the branch's bank.
            ({"org": org, "kind": "judge", "stem": self.branch_question.stem, "answer": "错"},
             "stem"),
            # Schema errors: no org, options not a list, a list for a body.
            ({"kind": "judge", "stem": "题", "answer": "对"}, None),
            ({"org": org, "kind": "single", "stem": "题", "options": "甲乙", "answer": "A"}, None),
            ([{"org": org}], None),
        ]  # fmt: skip
        for data, field in cases:
            with self.subTest(data=data):
                response = client.post(f"{API}bank/questions", **body(data))
                self.assertEqual(response.status_code, 422, response.content)
                if field:
                    self.assertEqual(response.json()["detail"][0]["loc"], ["body", field])
        # A body that is not JSON at all is ninja's 400, as in every app of API v1.
        self.assertEqual(client.post(f"{API}bank/questions", **NOT_JSON).status_code, 400)
        self.assertEqual(Question.objects.count(), before)

    def test_change_per_persona(self) -> None:
        url = f"{API}bank/questions/{self.branch_question.pk}"
        for persona, status in BRANCH_WRITE.items():
            with self.subTest(persona=persona):
                response = self.client_for(persona).patch(url, **body({"source": persona}))
                self.assertEqual(response.status_code, status, response.content)
                self.branch_question.refresh_from_db()
                self.assertEqual(self.branch_question.source == persona, status == 200)
        # The root's question is read by the branch secretary, not changed by them.
        self.expect_personas(f"{API}bank/questions/{self.questions[0].pk}", {
            **ROOT_WRITE, "org_admin": 200,
        }, method="patch", **body({"explanation": "改"}))  # fmt: skip

    def test_a_partial_change_keeps_the_rest_and_a_bad_one_changes_nothing(self) -> None:
        client = self.client_for("org_admin")
        single = next(q for q in self.questions if q.kind == "single")
        url = f"{API}bank/questions/{single.pk}"
        changed = client.patch(url, **body({"answer": "B", "topics": "党章、党史"}))
        self.assertEqual(changed.status_code, 200, changed.content)
        self.assertEqual(changed.json()["answer"], [1])
        self.assertEqual(changed.json()["options"], single.options)
        self.assertEqual(changed.json()["topics"], ["党章", "党史"])
        single.refresh_from_db()
        events = AuditEvent.objects.filter(verb="exams.question.update").count()
        for data in ({"answer": "Z"}, {"stem": None}, {"kind": "blank", "answer": None},
                     {"difficulty": "hard"}):  # fmt: skip
            with self.subTest(data=data):
                self.assertEqual(client.patch(url, **body(data)).status_code, 422)
        self.assertEqual(client.patch(url, **NOT_JSON).status_code, 400)
        kept = Question.objects.get(pk=single.pk)
        self.assertEqual((kept.kind, kept.stem, kept.answer, kept.topics, kept.updated_at),
                         (single.kind, single.stem, [1], "党章、党史", single.updated_at))  # fmt: skip
        self.assertEqual(AuditEvent.objects.filter(verb="exams.question.update").count(), events)

    def test_retire_per_persona(self) -> None:
        url = f"{API}bank/questions/{self.branch_question.pk}/retire"
        for persona, status in BRANCH_WRITE.items():
            with self.subTest(persona=persona):
                Question.objects.filter(pk=self.branch_question.pk).update(retired=False)
                response = self.client_for(persona).post(url, **body({"retired": True}))
                self.assertEqual(response.status_code, status, response.content)
                self.branch_question.refresh_from_db()
                self.assertEqual(self.branch_question.retired, status == 200)
        self.client_for("secretary").post(url, **body({"retired": True}))
        self.assertNotIn(self.branch_question.pk, self.ids("secretary"))
        back = self.client_for("secretary").post(url, **body({"retired": False}))
        self.assertFalse(back.json()["retired"])
        self.assertIn(self.branch_question.pk, self.ids("secretary"))
        self.expect_personas(f"{API}bank/questions/{self.questions[0].pk}/retire", {
            **ROOT_WRITE, "org_admin": 200,
        }, method="post", **body({"retired": False}))  # fmt: skip

    def test_a_bearer_token_works_as_the_session_does(self) -> None:
        w = self.world
        client = bearer(w.users["secretary"])
        listed = client.get(f"{API}bank/questions?limit=500").json()
        self.assertIn(self.branch_question.pk, [r["id"] for r in listed["items"]])
        made = client.post(f"{API}bank/questions", **body({
            "org": w.branch.pk, "kind": "judge", "stem": "令牌建的题。", "answer": "对",
        }))  # fmt: skip
        self.assertEqual(made.status_code, 201)
        self.assertEqual(bearer(w.users["member"]).get(f"{API}bank/questions").status_code, 404)
        wrong = Client(HTTP_AUTHORIZATION="Bearer px_not-a-token")
        self.assertEqual(wrong.get(f"{API}bank/questions").status_code, 401)


class PaperApiTests(PersonaTestCase):
    questions: ClassVar[list[Question]]
    branch_question: ClassVar[Question]
    root_paper: ClassVar[Paper]
    branch_paper: ClassVar[Paper]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.questions = add_questions(w, per_kind=3)
        cls.branch_question = question_create(
            actor=w.users["secretary"], org=w.branch,
            data={"kind": "judge", "stem": "支部自编判断题。", "answer": "对"},
        )  # fmt: skip
        cls.root_paper = paper_create(
            actor=w.users["org_admin"], org=w.root, title="县级卷", mode="rules",
            rules=[{"topic": "党章", "kind": "judge", "count": 2}],
        )  # fmt: skip
        cls.branch_paper = cls.fixed(w.branch, "支部卷")

    @classmethod
    def fixed(cls, org: Any, title: str) -> Paper:
        paper = paper_create(
            actor=cls.world.users["org_admin"], org=org, title=title, mode="fixed",
            points={"judge": "2.5"},
        )  # fmt: skip
        judges = [q.pk for q in cls.questions if q.kind == "judge"][:2]
        paper_questions_add(actor=cls.world.users["org_admin"], paper=paper, question_ids=judges)
        return paper

    def test_reads_per_persona(self) -> None:
        self.expect_personas(f"{API}papers", ROOT_READ)
        self.expect_personas(f"{API}papers/{self.root_paper.pk}", ROOT_READ)
        self.expect_personas(f"{API}papers/{self.branch_paper.pk}", BRANCH_READ)
        listed = self.client_for("other_secretary").get(f"{API}papers").json()
        self.assertEqual([p["id"] for p in listed["items"]], [self.root_paper.pk])
        found = self.client_for("org_admin").get(f"{API}papers?q=支部").json()
        self.assertEqual([p["id"] for p in found["items"]], [self.branch_paper.pk])
        one = self.client_for("secretary").get(f"{API}papers/{self.branch_paper.pk}").json()
        self.assertEqual(one["mode"], "fixed")
        self.assertEqual([r["position"] for r in one["rows"]], [1, 2])
        self.assertEqual({r["points"] for r in one["rows"]}, {"2.5"})
        self.assertEqual(one["points"]["judge"], "2.5")

    def test_create_per_persona(self) -> None:
        w = self.world
        for persona, status in {**BRANCH_WRITE, "secretary": 201, "org_admin": 201,
                                "other_secretary": 422}.items():  # fmt: skip
            with self.subTest(persona=persona):
                title = f"{persona} 的卷"
                response = self.client_for(persona).post(f"{API}papers", **body({
                    "org": w.branch.pk, "title": title, "mode": "fixed",
                }))  # fmt: skip
                self.assertEqual(response.status_code, status, response.content)
                self.assertEqual(Paper.objects.filter(title=title).exists(), status == 201)

    def test_create_a_rules_paper_with_points(self) -> None:
        response = self.client_for("secretary").post(f"{API}papers", **body({
            "org": self.world.branch.pk, "title": "抽题卷", "mode": "rules",
            "rules": [{"topic": "党章", "kind": "single", "difficulty": 0, "count": 3},
                      {"kind": "judge", "count": 4}],
            "points": {"single": "2.5", "judge": 1},
        }))  # fmt: skip
        self.assertEqual(response.status_code, 201, response.content)
        paper = response.json()
        self.assertEqual(paper["rules"][1], {"topic": "", "kind": "judge", "difficulty": 0,
                                             "count": 4})  # fmt: skip
        self.assertEqual((paper["points"]["single"], paper["points"]["judge"]), ("2.5", "1.0"))
        self.assertEqual(paper["points"]["multiple"], "3.0")
        self.assertEqual(paper["rows"], [])

    def test_bad_papers_store_nothing(self) -> None:
        client = self.client_for("org_admin")
        org = self.world.root.pk
        before = Paper.objects.count()
        cases: list[tuple[Any, str | None]] = [
            ({"org": org, "title": "", "mode": "fixed"}, "title"),
            ({"org": org, "title": "卷", "mode": "mixed"}, "mode"),
            ({"org": org, "title": "卷", "mode": "rules", "rules": []}, "rules"),
            ({"org": org, "title": "卷", "mode": "rules", "rules": [{"kind": "essay", "count": 1}]},
             "rules"),
            # More than the bank holds (3 judges, plus the branch's one the root can't use).
            ({"org": org, "title": "卷", "mode": "rules", "rules": [{"kind": "judge", "count": 4}]},
             "rules"),
            ({"org": org, "title": "卷", "mode": "fixed", "points": {"single": "0"}}, "points"),
            ({"org": org, "title": "卷", "mode": "fixed", "points": {"single": "1.25"}}, "points"),
            ({"org": org, "title": "卷", "mode": "rules", "rules": "judge×4"}, None),
            ({"title": "卷", "mode": "fixed"}, None),
        ]  # fmt: skip
        for data, field in cases:
            with self.subTest(data=data):
                response = client.post(f"{API}papers", **body(data))
                self.assertEqual(response.status_code, 422, response.content)
                if field:
                    self.assertEqual(response.json()["detail"][0]["loc"], ["body", field])
        self.assertEqual(client.post(f"{API}papers", **NOT_JSON).status_code, 400)
        self.assertEqual(Paper.objects.count(), before)

    def test_change_per_persona(self) -> None:
        for persona, status in BRANCH_WRITE.items():
            with self.subTest(persona=persona):
                paper = self.fixed(self.world.branch, f"卷-{persona}")
                response = self.client_for(persona).patch(
                    f"{API}papers/{paper.pk}", **body({"title": "改名", "points": {"judge": "4"}})
                )
                self.assertEqual(response.status_code, status, response.content)
                paper.refresh_from_db()
                changed = status == 200
                self.assertEqual(paper.title == "改名", changed)
                # A fixed paper's rows take the new points of their type.
                points = set(paper.rows.values_list("points", flat=True))
                self.assertEqual(points, {Decimal("4" if changed else "2.5")})
        self.expect_personas(f"{API}papers/{self.root_paper.pk}", {
            **ROOT_WRITE, "org_admin": 200,
        }, method="patch", **body({"rules": [{"kind": "judge", "count": 3}]}))  # fmt: skip
        self.root_paper.refresh_from_db()
        self.assertEqual(self.root_paper.rules[0]["count"], 3)
        short = self.client_for("org_admin").patch(
            f"{API}papers/{self.root_paper.pk}", **body({"rules": [{"kind": "judge", "count": 9}]})
        )
        self.assertEqual(short.status_code, 422)
        self.root_paper.refresh_from_db()
        self.assertEqual(self.root_paper.rules[0]["count"], 3)

    def test_add_and_remove_questions_per_persona(self) -> None:
        single = next(q for q in self.questions if q.kind == "single")
        for persona, status in BRANCH_WRITE.items():
            with self.subTest(persona=persona):
                paper = self.fixed(self.world.branch, f"卷-{persona}")
                client = self.client_for(persona)
                added = client.post(f"{API}papers/{paper.pk}/questions",
                                    **body({"ids": [single.pk, self.branch_question.pk]}))  # fmt: skip
                self.assertEqual(added.status_code, status, added.content)
                removed = client.delete(f"{API}papers/{paper.pk}/questions/{single.pk}")
                self.assertEqual(removed.status_code, status if status != 200 else 200)
                rows = list(paper.rows.values_list("question_id", "position"))
                if status == 200:
                    self.assertEqual(rows[-1], (self.branch_question.pk, 4))
                    self.assertEqual(len(rows), 3)
                    self.assertEqual(
                        [r["question_id"] for r in removed.json()["rows"]],
                        [q for q, _p in rows],
                    )
                else:
                    self.assertEqual(len(rows), 2)

    def test_bad_question_lists_add_nothing(self) -> None:
        client = self.client_for("org_admin")
        paper = self.fixed(self.world.root, "县级固定卷")
        url = f"{API}papers/{paper.pk}/questions"
        retired = next(q for q in self.questions if q.kind == "blank")
        question_retire(actor=self.world.users["org_admin"], question=retired)
        single = next(q for q in self.questions if q.kind == "single")
        for ids in (
            [single.pk, self.branch_question.pk],  # the branch's bank is not the root's to use
            [single.pk, retired.pk],
            [single.pk, 999999],
        ):
            with self.subTest(ids=ids):
                response = client.post(url, **body({"ids": ids}))
                self.assertEqual(response.status_code, 422, response.content)
                self.assertEqual(response.json()["detail"][0]["loc"], ["body", "questions"])
        self.assertEqual(client.post(url, **body({"ids": "1,2"})).status_code, 422)
        self.assertEqual(client.post(url, **body({})).status_code, 422)
        self.assertEqual(paper.rows.count(), 2)
        # A rules paper has no rows to add to; a question not on the paper can't be taken off.
        self.assertEqual(client.post(f"{API}papers/{self.root_paper.pk}/questions",
                                     **body({"ids": [single.pk]})).status_code, 422)  # fmt: skip
        gone = client.delete(f"{url}/{single.pk}")
        self.assertEqual(gone.status_code, 422)
        self.assertEqual(self.client_for("org_admin").delete(f"{API}papers/999999/questions/1")
                         .status_code, 404)  # fmt: skip

    def test_a_paper_in_use_is_not_changed(self) -> None:
        paper = self.fixed(self.world.root, "已用卷")
        make_exam(self.world, paper)
        client = self.client_for("org_admin")
        single = next(q for q in self.questions if q.kind == "single")
        responses = [
            client.patch(f"{API}papers/{paper.pk}", **body({"title": "改"})),
            client.post(f"{API}papers/{paper.pk}/questions", **body({"ids": [single.pk]})),
            client.delete(f"{API}papers/{paper.pk}/questions/{paper.rows.first().question_id}"),  # type: ignore[union-attr]
        ]
        self.assertEqual([r.status_code for r in responses], [422, 422, 422])
        self.assertEqual(responses[0].json()["detail"][0]["loc"], ["body", "paper"])
        paper.refresh_from_db()
        self.assertEqual((paper.title, paper.rows.count()), ("已用卷", 2))
        self.assertEqual(PaperQuestion.objects.filter(paper=paper, question=single).count(), 0)
