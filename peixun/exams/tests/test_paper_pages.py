"""Paper pages for every persona; building a fixed paper from the bank and a rules paper through
the pages, with rules the bank can't fill, bad points and a paper already in use."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from peixun.testing import PersonaTestCase

from ..models import Paper, PaperQuestion, Question
from ..services import paper_create, paper_questions_add, question_retire
from .fixtures import add_questions, fixed_paper, make_exam, rules_paper

READERS = {
    "anonymous": 302,
    "member": 404,
    "secretary": 200,
    "other_secretary": 200,
    "org_admin": 200,
    "viewer": 200,
}
BRANCH_ONLY = {**READERS, "other_secretary": 404}


def paper_post(org: Any, **fields: Any) -> dict[str, Any]:
    data = {
        "org": org.pk, "title": "2025年第四季度应知应会测试卷", "mode": "fixed",
        "points_single": "2", "points_multiple": "3", "points_judge": "1", "points_blank": "2",
    }  # fmt: skip
    data.update(fields)
    return data


def rule(n: int, kind: str, count: Any, topic: str = "党章", difficulty: Any = 0) -> dict[str, Any]:
    return {
        f"rule{n}_topic": topic,
        f"rule{n}_kind": kind,
        f"rule{n}_difficulty": difficulty,
        f"rule{n}_count": count,
    }


class PaperPageTests(PersonaTestCase):
    questions: ClassVar[list[Question]]
    by_kind: ClassVar[dict[str, list[Question]]]
    branch_paper: ClassVar[Paper]
    root_rules: ClassVar[Paper]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.questions = add_questions(w, per_kind=3)  # 12 in the root's bank
        cls.by_kind = {}
        for question in cls.questions:
            cls.by_kind.setdefault(question.kind, []).append(question)
        cls.branch_paper = paper_create(
            actor=w.users["secretary"], org=w.branch, title="第一支部固定试卷", mode="fixed"
        )
        paper_questions_add(
            actor=w.users["secretary"],
            paper=cls.branch_paper,
            question_ids=[cls.by_kind["single"][0].pk, cls.by_kind["judge"][0].pk],
        )
        cls.root_rules = rules_paper(w, per_kind=2, title="工委抽题试卷")

    def test_pages_for_every_persona(self) -> None:
        self.expect_personas("/exams/papers/", READERS)
        self.expect_personas("/exams/papers/new/", {**READERS, "viewer": 403})
        branch = f"/exams/papers/{self.branch_paper.pk}/"
        self.expect_personas(branch, BRANCH_ONLY)
        self.expect_personas(f"/exams/papers/{self.root_rules.pk}/", READERS)
        self.expect_personas(f"{branch}edit/", {**BRANCH_ONLY, "viewer": 403})
        self.expect_personas(
            f"/exams/papers/{self.root_rules.pk}/edit/",
            {**READERS, "secretary": 403, "other_secretary": 403, "viewer": 403},
        )
        listed = self.client_for("other_secretary").get("/exams/papers/")
        self.assertContains(listed, self.root_rules.title)
        self.assertNotContains(listed, self.branch_paper.title)
        self.assertContains(listed, self.world.root.name)
        multiple = self.by_kind["multiple"][0].pk
        self.expect_personas(
            f"{branch}add/",
            {"anonymous": 302, "member": 404, "other_secretary": 404, "viewer": 403,
             "secretary": 302, "org_admin": 302},
            method="post",
            data={"question": [multiple]},
        )  # fmt: skip
        self.assertEqual(
            list(self.branch_paper.rows.values_list("question_id", flat=True)),
            [self.by_kind["single"][0].pk, self.by_kind["judge"][0].pk, multiple],
        )
        self.expect_personas(
            f"{branch}remove/",
            {"anonymous": 302, "member": 404, "other_secretary": 404, "viewer": 403,
             "secretary": 302, "org_admin": 400},
            method="post",
            data={"question": multiple},
        )  # fmt: skip
        self.assertFalse(self.branch_paper.rows.filter(question_id=multiple).exists())

    def test_build_a_fixed_paper_through_the_pages(self) -> None:
        w = self.world
        secretary = self.client_for("secretary")
        before = Paper.objects.count()
        untitled = secretary.post("/exams/papers/new/", paper_post(w.branch, title=""))
        self.assertEqual(untitled.status_code, 400)
        zero = secretary.post("/exams/papers/new/", paper_post(w.branch, points_single="0"))
        self.assertEqual(zero.status_code, 400)
        not_mine = secretary.post("/exams/papers/new/", paper_post(w.root))
        self.assertEqual(not_mine.status_code, 400)
        self.assertEqual(Paper.objects.count(), before)
        made = secretary.post("/exams/papers/new/", paper_post(w.branch, points_single="2.5"))
        paper = Paper.objects.get(title="2025年第四季度应知应会测试卷")
        self.assertRedirects(made, f"/exams/papers/{paper.pk}/")
        self.assertEqual(
            (paper.org, paper.mode, paper.points["single"]), (w.branch, "fixed", "2.5")
        )

        detail = secretary.get(f"/exams/papers/{paper.pk}/")
        self.assertContains(detail, 'id="bank-candidates"')
        self.assertEqual(detail.context["page"].paginator.count, len(self.questions))
        judges = secretary.get(f"/exams/papers/{paper.pk}/", {"kind": "judge"})
        self.assertEqual(
            {q.pk for q in judges.context["page"].object_list},
            {q.pk for q in self.by_kind["judge"]},
        )
        nothing = secretary.post(f"/exams/papers/{paper.pk}/add/", {})
        self.assertEqual(nothing.status_code, 400)
        picked = [self.by_kind["single"][0].pk, self.by_kind["blank"][1].pk]
        added = secretary.post(f"/exams/papers/{paper.pk}/add/", {"question": picked})
        self.assertRedirects(added, f"/exams/papers/{paper.pk}/")
        rows = list(paper.rows.order_by("position"))
        self.assertEqual([r.question_id for r in rows], picked)
        self.assertEqual([r.points for r in rows], [Decimal("2.5"), Decimal("2")])
        detail = secretary.get(f"/exams/papers/{paper.pk}/")
        self.assertEqual(detail.context["total_points"], Decimal("4.5"))
        self.assertEqual(detail.context["page"].paginator.count, len(self.questions) - 2)
        self.assertContains(detail, 'id="paper-questions"')

        retired = self.by_kind["multiple"][2]
        question_retire(actor=self.user("org_admin"), question=retired)
        refused = secretary.post(f"/exams/papers/{paper.pk}/add/", {"question": [retired.pk]})
        self.assertEqual(refused.status_code, 400)
        self.assertContains(refused, str(retired.pk), status_code=400)
        # The branch's own bank is not the other branch's: their question can't be added.
        theirs = Question.objects.create(
            org=w.other_branch, kind="judge", stem="其他支部的题", answer=[True], fingerprint="x"
        )
        foreign = secretary.post(f"/exams/papers/{paper.pk}/add/", {"question": [theirs.pk]})
        self.assertEqual(foreign.status_code, 400)
        self.assertEqual(paper.rows.count(), 2)

        removed = secretary.post(f"/exams/papers/{paper.pk}/remove/", {"question": picked[0]})
        self.assertRedirects(removed, f"/exams/papers/{paper.pk}/")
        self.assertEqual(list(paper.rows.values_list("question_id", flat=True)), [picked[1]])
        gone = secretary.post(f"/exams/papers/{paper.pk}/remove/", {"question": picked[0]})
        self.assertEqual(gone.status_code, 400)
        junk = secretary.post(f"/exams/papers/{paper.pk}/remove/", {"question": "abc"})
        self.assertEqual(junk.status_code, 400)

        edited = secretary.post(
            f"/exams/papers/{paper.pk}/edit/", paper_post(w.branch, title="改名后的试卷")
        )
        self.assertRedirects(edited, f"/exams/papers/{paper.pk}/")
        paper.refresh_from_db()
        self.assertEqual(paper.title, "改名后的试卷")

    def test_a_rules_paper_the_bank_cannot_fill_is_refused(self) -> None:
        w = self.world
        admin = self.client_for("org_admin")
        before = Paper.objects.count()
        too_many = admin.post(
            "/exams/papers/new/",
            paper_post(w.root, mode="rules", title="抽题卷", **rule(0, "single", 2),
                       **rule(1, "judge", 50)),
        )  # fmt: skip
        self.assertEqual(too_many.status_code, 400)
        self.assertContains(too_many, "50", status_code=400)
        self.assertTrue(too_many.context["form"].non_field_errors())
        no_kind = admin.post(
            "/exams/papers/new/", paper_post(w.root, mode="rules", **rule(0, "", 2))
        )
        self.assertEqual(no_kind.status_code, 400)
        no_rules = admin.post("/exams/papers/new/", paper_post(w.root, mode="rules"))
        self.assertEqual(no_rules.status_code, 400)
        wrong_topic = admin.post(
            "/exams/papers/new/", paper_post(w.root, mode="rules", **rule(0, "single", 1, "党史"))
        )
        self.assertEqual(wrong_topic.status_code, 400)
        self.assertEqual(Paper.objects.count(), before)

        made = admin.post(
            "/exams/papers/new/",
            paper_post(w.root, mode="rules", title="抽题卷", **rule(0, "single", 2),
                       **rule(2, "blank", 3, difficulty=3), points_blank="4"),
        )  # fmt: skip
        paper = Paper.objects.get(title="抽题卷")
        self.assertRedirects(made, f"/exams/papers/{paper.pk}/")
        self.assertEqual(
            paper.rules,
            [{"topic": "党章", "kind": "single", "difficulty": 0, "count": 2},
             {"topic": "党章", "kind": "blank", "difficulty": 3, "count": 3}],
        )  # fmt: skip
        detail = admin.get(f"/exams/papers/{paper.pk}/")
        self.assertContains(detail, 'id="paper-rules"')
        self.assertNotContains(detail, 'id="rules-shortfall"')
        self.assertEqual(detail.context["total_count"], 5)
        self.assertEqual(detail.context["total_points"], Decimal("16"))

        # Retiring blank questions leaves the bank short: the page says so.
        question_retire(actor=self.user("org_admin"), question=self.by_kind["blank"][0])
        short = admin.get(f"/exams/papers/{paper.pk}/")
        self.assertContains(short, 'id="rules-shortfall"')
        self.assertEqual(len(short.context["shortfall"]), 1)

        refused = admin.post(
            f"/exams/papers/{paper.pk}/edit/",
            paper_post(w.root, title="抽题卷", **rule(0, "multiple", 9)),
        )
        self.assertEqual(refused.status_code, 400)
        paper.refresh_from_db()
        self.assertEqual(paper.rules[0]["kind"], "single")
        edited = admin.post(
            f"/exams/papers/{paper.pk}/edit/",
            paper_post(w.root, title="抽题卷（修订）", **rule(0, "multiple", 3)),
        )
        self.assertRedirects(edited, f"/exams/papers/{paper.pk}/")
        paper.refresh_from_db()
        self.assertEqual(
            (paper.title, paper.rules[0]["count"], len(paper.rules)), ("抽题卷（修订）", 3, 1)
        )

    def test_a_paper_in_use_is_shown_locked(self) -> None:
        paper = fixed_paper(self.world, self.by_kind["single"], title="已用试卷")
        make_exam(self.world, paper, publish=True)
        admin = self.client_for("org_admin")
        detail = admin.get(f"/exams/papers/{paper.pk}/")
        self.assertTrue(detail.context["in_use"])
        self.assertNotContains(detail, f'href="/exams/papers/{paper.pk}/edit/"')
        self.assertNotContains(detail, 'id="bank-candidates"')
        added = admin.post(
            f"/exams/papers/{paper.pk}/add/", {"question": [self.by_kind["judge"][1].pk]}
        )
        self.assertEqual(added.status_code, 400)
        edit = admin.post(
            f"/exams/papers/{paper.pk}/edit/", paper_post(self.world.root, title="想改名")
        )
        self.assertEqual(edit.status_code, 400)
        self.assertEqual(PaperQuestion.objects.filter(paper=paper).count(), 3)
        paper.refresh_from_db()
        self.assertEqual(paper.title, "已用试卷")

    def test_the_list_searches_and_counts_questions(self) -> None:
        admin = self.client_for("org_admin")
        page = admin.get("/exams/papers/")
        totals = {p.pk: p.question_total for p in page.context["page"].object_list}
        self.assertEqual(totals[self.branch_paper.pk], 2)
        self.assertEqual(totals[self.root_rules.pk], 8)
        found = admin.get("/exams/papers/", {"q": "抽题"})
        self.assertContains(found, self.root_rules.title)
        self.assertNotContains(found, self.branch_paper.title)
        none = admin.get("/exams/papers/", {"q": "没有的试卷"})
        self.assertNotContains(none, "<table")
