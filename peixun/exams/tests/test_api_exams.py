"""/api/v1/exams/ (the exams themselves) for every persona: the list, create and change, publish,
cancel and finalise, the results per branch, the non-takers, item analysis, the leaderboard and
the caller's own attempts; bad input that must leave every exam as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.utils import timezone

from peixun.hours.models import CreditEntry
from peixun.testing import PersonaTestCase

from ..models import Attempt, Candidate, Exam, ExamRule, Paper, Question
from ..services import attempt_answer_save, attempt_start, attempt_submit
from .fixtures import add_questions, fixed_paper, make_exam
from .test_api_bank import API, BRANCH_READ, BRANCH_WRITE, NOT_JSON, ROOT_READ, body

ALL_STAFF = {**ROOT_READ, "member": 200}


def take(user: Any, exam: Exam, right: bool) -> Attempt:
    """Take a judge-only exam through the services: every answer right, or every one wrong."""
    attempt = attempt_start(actor=user, exam=exam)
    for item in attempt.items:
        attempt_answer_save(actor=user, attempt_id=attempt.pk, question_id=item["q"],
                            response=item["key"] if right else not item["key"])  # fmt: skip
    return attempt_submit(actor=user, attempt_id=attempt.pk)


def close(exam: Exam) -> None:
    now = timezone.now()
    Exam.objects.filter(pk=exam.pk).update(
        opens_at=now - dt.timedelta(days=2), closes_at=now - dt.timedelta(minutes=1)
    )


class ExamApiTests(PersonaTestCase):
    judges: ClassVar[list[Question]]
    paper: ClassVar[Paper]
    exam: ClassVar[Exam]
    branch_exam: ClassVar[Exam]
    draft: ClassVar[Exam]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.judges = [q for q in add_questions(w, per_kind=3) if q.kind == "judge"]
        cls.paper = fixed_paper(w, cls.judges, title="判断题卷")
        cls.exam = make_exam(w, cls.paper, show_answers="after_submit")
        cls.branch_exam = make_exam(w, cls.paper, org=w.branch, title="支部测试", seed="b")
        cls.draft = make_exam(w, cls.paper, org=w.branch, title="支部草稿", publish=False)

    def new_exam(self, data: dict[str, Any] | None = None) -> dict[str, Any]:
        now = timezone.now()
        return {
            "org": self.world.branch.pk, "title": "支部季度测", "kind": "quarterly",
            "paper": self.paper.pk, "opens_at": now - dt.timedelta(minutes=5),
            "closes_at": now + dt.timedelta(days=1), **(data or {}),
        }  # fmt: skip

    def draft_exam(self, **settings: Any) -> Exam:
        return make_exam(self.world, self.paper, org=self.world.branch, publish=False, **settings)

    # -- reads ----------------------------------------------------------------------------------

    def test_list_per_persona(self) -> None:
        self.expect_personas(API, ALL_STAFF)

        def listed(persona: str, query: str = "") -> set[int]:
            return {r["id"] for r in self.client_for(persona).get(f"{API}?{query}").json()["items"]}

        w = self.world
        self.assertEqual(listed("member"), {self.exam.pk, self.branch_exam.pk})
        self.assertEqual(listed("secretary"), {self.exam.pk, self.branch_exam.pk, self.draft.pk})
        self.assertEqual(listed("other_secretary"), {self.exam.pk})
        self.assertEqual(listed("org_admin", "state=draft"), {self.draft.pk})
        self.assertEqual(listed("viewer", "kind=contest"), set())
        # A member who is no candidate (none of the far branch has a login: make one).
        from peixun.testing import make_user

        stranger = make_user("far", member=w.far_member)
        self.client.force_login(stranger)
        self.assertEqual({r["id"] for r in self.client.get(API).json()["items"]}, {self.exam.pk})

    def test_detail_per_persona(self) -> None:
        self.expect_personas(f"{API}{self.draft.pk}", BRANCH_READ)
        self.expect_personas(f"{API}{self.branch_exam.pk}", {**BRANCH_READ, "member": 200})
        self.expect_personas(f"{API}{self.exam.pk}", ALL_STAFF)
        self.expect_personas(f"{API}999999", {p: 404 for p in ALL_STAFF} | {"anonymous": 401})
        one = self.client_for("member").get(f"{API}{self.branch_exam.pk}").json()
        self.assertEqual((one["state"], one["paper_id"], one["org"]["id"]),
                         ("published", self.paper.pk, self.world.branch.pk))  # fmt: skip

    def test_results_per_persona_and_by_branch(self) -> None:
        users = self.world.users
        take(users["member"], self.exam, right=True)
        take(users["secretary"], self.exam, right=False)
        for suffix in ("results", "non-takers", "items"):
            with self.subTest(route=suffix):
                self.expect_personas(f"{API}{self.branch_exam.pk}/{suffix}", BRANCH_READ)
                self.expect_personas(f"{API}{self.exam.pk}/{suffix}", ROOT_READ)
                self.expect_personas(f"{API}{self.draft.pk}/{suffix}", BRANCH_READ)
        admin = self.client_for("org_admin").get(f"{API}{self.exam.pk}/results").json()
        first, second, third = admin["rows"]
        self.assertEqual(first["org"]["name"], "第一党支部")
        self.assertEqual(
            {k: first[k] for k in ("expected", "took", "passed", "participation", "average",
                                   "pass_rate")},
            {"expected": 2, "took": 2, "passed": 1, "participation": "100.0", "average": "50.0",
             "pass_rate": "50.0"},
        )  # fmt: skip
        self.assertEqual((second["took"], second["participation"], second["average"]),
                         (0, "0.0", None))  # fmt: skip
        self.assertEqual(third["org"]["name"], "第三党支部")
        total = admin["total"]
        self.assertEqual((total["expected"], total["took"], total["participation"],
                          total["average"], total["pass_rate"]),
                         (4, 2, "50.0", "50.0", "50.0"))  # fmt: skip
        # A branch secretary counts their branch only.
        mine = self.client_for("secretary").get(f"{API}{self.exam.pk}/results").json()
        self.assertEqual([r["org"]["name"] for r in mine["rows"]], ["第一党支部"])
        self.assertEqual(mine["total"]["expected"], 2)
        absent = self.client_for("org_admin").get(f"{API}{self.exam.pk}/non-takers").json()
        self.assertEqual([(r["name"], r["org"]["name"]) for r in absent["items"]],
                         [("赵强", "第二党支部"), ("孙丽", "第三党支部")])  # fmt: skip
        self.assertEqual(absent["items"][0]["member_id"], self.world.other_member.pk)
        branch = self.client_for("secretary").get(f"{API}{self.exam.pk}/non-takers").json()
        self.assertEqual(branch["count"], 0)
        items = self.client_for("viewer").get(f"{API}{self.exam.pk}/items").json()
        self.assertEqual(sorted(i["question_id"] for i in items), sorted(q.pk for q in self.judges))
        self.assertEqual({(i["shown"], i["correct"], i["difficulty"]) for i in items},
                         {(2, 1, "0.50")})  # fmt: skip
        # The candidate who took it sees their own attempt, never the figures.
        self.assertEqual(self.client_for("member").get(f"{API}{self.exam.pk}/items").status_code,
                         404)  # fmt: skip

    def test_leaderboard_only_when_turned_on(self) -> None:
        w = self.world
        self.expect_personas(f"{API}{self.exam.pk}/leaderboard",
                             {p: 404 for p in ALL_STAFF} | {"anonymous": 401})  # fmt: skip
        ExamRule.objects.create(tenant=w.root, contest_leaderboards=True)
        contest = make_exam(w, self.paper, kind="contest", leaderboard=True, title="知识竞赛")
        branch_contest = make_exam(w, self.paper, org=w.branch, kind="contest",
                                   leaderboard=True, title="支部竞赛", seed="c")  # fmt: skip
        take(w.users["member"], contest, right=True)
        take(w.users["other_secretary"], contest, right=True)
        take(w.users["secretary"], contest, right=False)
        self.expect_personas(f"{API}{contest.pk}/leaderboard", ALL_STAFF)
        self.expect_personas(f"{API}{branch_contest.pk}/leaderboard",
                             {**BRANCH_READ, "member": 200})  # fmt: skip
        board = self.client_for("member").get(f"{API}{contest.pk}/leaderboard").json()
        self.assertEqual(
            [(r["rank"], r["percent"]) for r in board], [(1, "100.0"), (1, "100.0"), (3, "0.0")]
        )
        self.assertEqual({r["name"] for r in board[:2]}, {"李明", "赵强"})
        self.assertEqual(board[2]["name"], "王芳")

    def test_my_attempts(self) -> None:
        users = self.world.users
        take(users["member"], self.exam, right=True)
        take(users["secretary"], self.branch_exam, right=False)
        self.expect_personas(f"{API}attempts", ALL_STAFF)
        mine = self.client_for("member").get(f"{API}attempts").json()
        self.assertEqual(mine["count"], 1)
        row = mine["items"][0]
        self.assertEqual((row["exam_id"], row["exam_title"], row["percent"], row["passed"]),
                         (self.exam.pk, self.exam.title, "100.0", True))  # fmt: skip
        theirs = self.client_for("secretary").get(f"{API}attempts").json()["items"]
        self.assertEqual([r["exam_id"] for r in theirs], [self.branch_exam.pk])
        self.assertEqual(self.client_for("org_admin").get(f"{API}attempts").json()["count"], 0)

    # -- create and change ----------------------------------------------------------------------

    def test_create_per_persona(self) -> None:
        for persona, status in {**BRANCH_WRITE, "secretary": 201, "org_admin": 201,
                                "other_secretary": 422}.items():  # fmt: skip
            with self.subTest(persona=persona):
                title = f"{persona} 的测试"
                response = self.client_for(persona).post(
                    API, **body(self.new_exam({"title": title}))
                )
                self.assertEqual(response.status_code, status, response.content)
                self.assertEqual(Exam.objects.filter(title=title).exists(), status == 201)
        made = Exam.objects.get(title="secretary 的测试")
        self.assertEqual((made.state, made.credit_hours, made.member_statuses),
                         ("draft", Decimal("0.50"), ["full", "probationary"]))  # fmt: skip

    def test_bad_exams_store_nothing(self) -> None:
        w = self.world
        branch_paper = fixed_paper(w, self.judges[:1], title="另卷")
        Paper.objects.filter(pk=branch_paper.pk).update(org=w.branch)
        now = timezone.now()
        cases: list[tuple[str, dict[str, Any], str | None]] = [
            ("secretary", {"closes_at": now - dt.timedelta(days=1)}, "closes_at"),
            ("secretary", {"leaderboard": True}, "leaderboard"),
            ("secretary", {"kind": "contest", "leaderboard": True}, "leaderboard"),
            ("secretary", {"kind": "exam"}, "kind"),
            ("secretary", {"pass_percent": 101}, "pass_percent"),
            ("secretary", {"time_limit_minutes": 0}, "time_limit_minutes"),
            ("secretary", {"attempts_allowed": 11}, "attempts_allowed"),
            ("secretary", {"credit_hours": "9"}, "credit_hours"),
            ("secretary", {"audience": "sample"}, "sample_count"),
            ("secretary", {"member_statuses": ["honorary"]}, "member_statuses"),
            ("secretary", {"show_answers": "sometimes"}, "show_answers"),
            # The other branch can't see the first branch's paper; no one can use a sibling's.
            ("other_secretary", {"org": w.other_branch.pk, "paper": branch_paper.pk}, "paper"),
            ("org_admin", {"org": w.other_branch.pk, "paper": branch_paper.pk}, "paper"),
            ("secretary", {"paper": 999999}, "paper"),
            # Schema errors: a date that is no date, a missing title, a list for a body.
            ("secretary", {"opens_at": "next Monday"}, None),
            ("secretary", {"title": None}, None),
        ]
        before = Exam.objects.count()
        for persona, data, field in cases:
            with self.subTest(data=data):
                response = self.client_for(persona).post(API, **body(self.new_exam(data)))
                self.assertEqual(response.status_code, 422, response.content)
                if field:
                    self.assertIn(["body", field], [d["loc"] for d in response.json()["detail"]])
        self.assertEqual(self.client_for("secretary").post(API, **body([1])).status_code, 422)
        self.assertEqual(self.client_for("secretary").post(API, **NOT_JSON).status_code, 400)
        self.assertEqual(Exam.objects.count(), before)

    def test_change_per_persona(self) -> None:
        for persona, status in BRANCH_WRITE.items():
            with self.subTest(persona=persona):
                exam = self.draft_exam(title="草稿")
                response = self.client_for(persona).patch(
                    f"{API}{exam.pk}", **body({"title": "改名", "time_limit_minutes": 45})
                )
                self.assertEqual(response.status_code, status, response.content)
                exam.refresh_from_db()
                self.assertEqual((exam.title == "改名", exam.time_limit_minutes == 45),
                                 (status == 200, status == 200))  # fmt: skip
        self.expect_personas(f"{API}{self.exam.pk}", {
            **ROOT_READ, "member": 404, "secretary": 403, "other_secretary": 403, "viewer": 403,
        }, method="patch", **body({"title": "第四季度应知应会测试"}))  # fmt: skip

    def test_a_published_exam_changes_only_title_close_and_answers(self) -> None:
        client = self.client_for("secretary")
        url = f"{API}{self.branch_exam.pk}"
        exam = self.branch_exam
        later = exam.closes_at + dt.timedelta(days=1)
        for data, field in [
            ({"time_limit_minutes": 5}, "time_limit_minutes"),
            ({"paper": self.paper.pk, "pass_percent": 80}, "pass_percent"),
            ({"closes_at": exam.closes_at - dt.timedelta(hours=1)}, "closes_at"),
            ({"title": " "}, "title"),
        ]:
            with self.subTest(data=data):
                response = client.patch(url, **body(data))
                self.assertEqual(response.status_code, 422, response.content)
                self.assertEqual(response.json()["detail"][0]["loc"], ["body", field])
        self.assertEqual(client.patch(url, **NOT_JSON).status_code, 400)
        kept = Exam.objects.get(pk=exam.pk)
        self.assertEqual((kept.title, kept.closes_at, kept.time_limit_minutes, kept.updated_at),
                         (exam.title, exam.closes_at, 30, exam.updated_at))  # fmt: skip
        ok = client.patch(url, **body({"title": "支部测试（延期）", "closes_at": later,
                                       "show_answers": "never"}))  # fmt: skip
        self.assertEqual(ok.status_code, 200, ok.content)
        self.assertEqual((ok.json()["title"], ok.json()["show_answers"]),
                         ("支部测试（延期）", "never"))  # fmt: skip

    # -- publish, cancel, finalise --------------------------------------------------------------

    def test_publish_per_persona(self) -> None:
        for persona, status in BRANCH_WRITE.items():
            with self.subTest(persona=persona):
                exam = self.draft_exam()
                response = self.client_for(persona).post(
                    f"{API}{exam.pk}/publish", **body({"seed": f"s-{persona}"})
                )
                self.assertEqual(response.status_code, status, response.content)
                exam.refresh_from_db()
                published = status == 200
                self.assertEqual(exam.state, "published" if published else "draft")
                self.assertEqual(Candidate.objects.filter(exam=exam).count(), 2 if published else 0)
                if published:
                    self.assertEqual(response.json()["candidates"], 2)
                    self.assertEqual(response.json()["exam"]["seed"], f"s-{persona}")
        again = self.client_for("secretary").post(f"{API}{self.branch_exam.pk}/publish", **body({}))
        self.assertEqual(again.status_code, 422)
        self.assertEqual(again.json()["detail"][0]["loc"], ["body", "state"])

    def test_publish_a_sample_with_and_without_a_seed(self) -> None:
        client = self.client_for("org_admin")

        def sample(seed: str | None) -> tuple[str, set[int]]:
            exam = make_exam(self.world, self.paper, publish=False, audience="sample",
                             sample_count=1)  # fmt: skip
            payload = {} if seed is None else {"seed": seed}
            response = client.post(f"{API}{exam.pk}/publish", **body(payload))
            self.assertEqual(response.status_code, 200, response.content)
            # One member of each of the three branches with members.
            self.assertEqual(response.json()["candidates"], 3)
            chosen = set(Candidate.objects.filter(exam=exam).values_list("member_id", flat=True))
            return response.json()["exam"]["seed"], chosen

        first, second = sample("抽测-1"), sample("抽测-1")
        self.assertEqual(first, second)
        drawn, _chosen = sample(None)
        self.assertEqual(len(drawn), 16)

    def test_publish_refused_stores_nothing(self) -> None:
        client = self.client_for("secretary")
        nobody = self.draft_exam(cadre_ranks=["county_plus"])
        empty = fixed_paper(self.world, [], title="空卷")
        no_questions = make_exam(self.world, empty, org=self.world.branch, publish=False)
        for exam, field in ((nobody, "audience"), (no_questions, "paper")):
            with self.subTest(field=field):
                response = client.post(f"{API}{exam.pk}/publish", **body({"seed": "x"}))
                self.assertEqual(response.status_code, 422, response.content)
                self.assertEqual(response.json()["detail"][0]["loc"], ["body", field])
                exam.refresh_from_db()
                self.assertEqual((exam.state, exam.seed), ("draft", ""))
                self.assertFalse(Candidate.objects.filter(exam=exam).exists())

    def test_cancel_per_persona(self) -> None:
        for persona, status in BRANCH_WRITE.items():
            with self.subTest(persona=persona):
                exam = make_exam(self.world, self.paper, org=self.world.branch, seed=persona)
                response = self.client_for(persona).post(f"{API}{exam.pk}/cancel")
                self.assertEqual(response.status_code, status, response.content)
                exam.refresh_from_db()
                self.assertEqual(exam.state, "cancelled" if status == 200 else "published")
        # A cancelled exam is taken no more.
        start = self.client_for("member").post(f"{API}{exam.pk}/attempts")
        self.assertEqual(start.status_code, 200)
        Exam.objects.filter(pk=exam.pk).update(state="cancelled")
        Attempt.objects.filter(exam=exam).delete()
        self.assertEqual(self.client_for("member").post(f"{API}{exam.pk}/attempts").status_code,
                         422)  # fmt: skip
        self.assertFalse(Attempt.objects.filter(exam=exam).exists())

    def test_finalise_per_persona(self) -> None:
        member = self.world.users["member"]
        for persona, status in BRANCH_WRITE.items():
            with self.subTest(persona=persona):
                exam = make_exam(self.world, self.paper, org=self.world.branch, seed=persona)
                take(member, exam, right=True)
                close(exam)
                response = self.client_for(persona).post(f"{API}{exam.pk}/finalise")
                self.assertEqual(response.status_code, status, response.content)
                exam.refresh_from_db()
                done = status == 200
                self.assertEqual(exam.state, "finalised" if done else "published")
                credits = CreditEntry.objects.filter(reference=f"exam:{exam.pk}")
                self.assertEqual(credits.count(), 1 if done else 0)
                if done:
                    finalised = exam
                    self.assertEqual(response.json(),
                                     {"expired": 0, "passed": 1, "credited": 1, "skipped": 0})  # fmt: skip
        # Twice, or a finalised exam cancelled: refused, nothing credited twice.
        client = self.client_for("secretary")
        self.assertEqual(client.post(f"{API}{finalised.pk}/finalise").status_code, 422)
        self.assertEqual(client.post(f"{API}{finalised.pk}/cancel").status_code, 422)
        self.assertEqual(client.patch(f"{API}{finalised.pk}", **body({"title": "改"})).status_code,
                         422)  # fmt: skip
        self.assertEqual(CreditEntry.objects.filter(reference=f"exam:{finalised.pk}").count(), 1)

    def test_finalise_submits_what_is_still_open_and_refuses_an_open_exam(self) -> None:
        users = self.world.users
        exam = make_exam(self.world, self.paper, org=self.world.branch, seed="open")
        client = self.client_for("secretary")
        early = client.post(f"{API}{exam.pk}/finalise")
        self.assertEqual(early.status_code, 422)
        self.assertEqual(early.json()["detail"][0]["loc"], ["body", "state"])
        attempt = attempt_start(actor=users["member"], exam=exam)
        for item in attempt.items:
            attempt_answer_save(actor=users["member"], attempt_id=attempt.pk,
                                question_id=item["q"], response=item["key"])  # fmt: skip
        close(exam)
        result = client.post(f"{API}{exam.pk}/finalise").json()
        self.assertEqual(result, {"expired": 1, "passed": 1, "credited": 1, "skipped": 0})
        attempt.refresh_from_db()
        self.assertTrue(attempt.auto_submitted)
        self.assertEqual(attempt.percent, Decimal("100.0"))
