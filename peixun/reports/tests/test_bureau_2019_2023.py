"""Issue 14's acceptance test: a 100-member bureau entered for 2019–2023 through API v1 gives,
from the product alone, every figure of seed 002's report that its data supports.

The bureau is built once (`bureau.build_bureau`, only /api/v1/ calls with its org admin's bearer
token); every figure is read back through the API and held against the builder's own hand count
(`Tally`), never against another selector. Each test names the sentence of seed 002 it checks.
A figure the product cannot give yet is an expected failure with its reason.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from typing import Any, ClassVar

from django.test import Client, TestCase

from peixun.testing import PASSWORD, make_user

from .bureau import END, START, YEARS, Tally, build_bureau

TWO = Decimal("0.01")
FOUR = Decimal("0.0001")
ACTIVITIES = ("expert_lecture", "report_meeting", "reading_class", "onsite_teaching")


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


class Bureau2019To2023Tests(TestCase):
    """Built once for all the tests below (about 1,400 API calls)."""

    tally: ClassVar[Tally]

    @classmethod
    def setUpTestData(cls) -> None:
        make_user("platform", role="platform_admin")
        answer = Client().post(
            "/api/v1/auth/token",
            data=json.dumps({"username": "platform", "password": PASSWORD}),
            content_type="application/json",
        )
        cls.tally = build_bureau(answer.json()["token"])

    def get(self, path: str, **params: Any) -> Any:
        response = Client().get(
            f"/api/v1{path}", params, HTTP_AUTHORIZATION=f"Bearer {self.tally.token}"
        )
        self.assertEqual(response.status_code, 200, response.content[:500])
        return (
            response.json() if response["Content-Type"].startswith("application/json") else response
        )

    def figures(self, first_year: int = YEARS[0], last_year: int = YEARS[-1]) -> dict[str, Any]:
        """/api/v1/reports/figures for the bureau, by key."""
        out = self.get(
            "/reports/figures", org=self.tally.root, first_year=first_year, last_year=last_year
        )
        return {f["key"]: f for f in out["figures"]}

    def count(self, path: str, **params: Any) -> int:
        return int(self.get(path, limit=1, **params)["count"])

    # -- the builder
    def test_the_bureau_was_entered_through_the_api(self) -> None:
        """Everything above came through /api/v1/ (a platform admin's token for the tenant, then
        its org admin's). How long it takes is not asserted here: a timed test fails on a busy
        machine, and the API's speed is measured under bench/."""
        self.assertGreater(self.tally.requests, 1000)
        people = self.tally.people.values()
        self.assertEqual(len(self.tally.branches), 11)
        self.assertEqual(sum(1 for p in people if p.status in ("candidate", "activist")), 5)
        self.assertEqual(sum(1 for p in people if p.until is not None), 5)

    def test_gaps_found_are_written_down(self) -> None:
        """What the API refused or got wrong while the bureau was entered (see bureau.py and the
        report of issue 14): when one is fixed, this test says so and the probe can go."""
        found = [gap.split(":")[0] for gap in self.tally.gaps]
        self.assertEqual(found, ["exams"], self.tally.gaps)

    # -- 一、基本情况: 我局党委现有党员100名，分布在11个处室党支部。

    def test_members_at_the_end_and_branches(self) -> None:
        self.assertEqual(self.tally.members_at(END), 100)
        figures = self.figures()
        self.assertEqual(figures["members_end"]["value"], 100)
        self.assertEqual(figures["branches"]["value"], 11)
        self.assertEqual(self.count(f"/orgs/{self.tally.root}/children"), 11)

    def test_members_of_each_year_by_the_roster_of_its_time(self) -> None:
        """Past years count those who were Party members then: leavers for their time, joiners
        from their 入党 date, 发展对象 and 积极分子 never."""
        by_year = self.figures()["members_period"]["by_year"]
        expected = {str(y): len(self.tally.members_of(*year_bounds(y))) for y in YEARS}
        self.assertEqual(by_year, expected)
        self.assertEqual(
            self.figures()["members_period"]["value"], len(self.tally.members_of(START, END))
        )

    def test_compliance_members_of_a_past_year(self) -> None:
        """GET /compliance/orgs/{id}?year= counts the members of that year (branch history)."""
        for year in YEARS:
            out = self.get(f"/compliance/orgs/{self.tally.root}", year=year)
            self.assertEqual(out["members"], len(self.tally.members_of(*year_bounds(year))), year)

    # -- 五年来，党员年均培训时间超过50学时，实现了全体党员教育培训全覆盖。

    def test_the_hand_count_supports_the_seed(self) -> None:
        for year in YEARS:
            self.assertGreater(self.tally.average_hours(year), 50, year)
            self.assertEqual(
                self.tally.trained(year), len(self.tally.members_of(*year_bounds(year))), year
            )
        self.assertGreater(self.tally.five_year_average(), 50)

    def test_yearly_and_five_year_average_hours(self) -> None:
        """党员年均培训时间: each year's, and the five years' (total hours over total
        member-years), from /reports/figures."""
        figure = self.figures()["average_hours"]
        for year in YEARS:
            self.assertEqual(
                Decimal(figure["by_year"][str(year)]).quantize(TWO),
                self.tally.average_hours(year).quantize(TWO),
            )
        self.assertEqual(
            Decimal(figure["value"]).quantize(TWO), self.tally.five_year_average().quantize(TWO)
        )

    def test_coverage(self) -> None:
        """实现了全体党员教育培训全覆盖: every member of each year (and of the five years) has
        hours in it."""
        figure = self.figures()["coverage"]
        for year in YEARS:
            self.assertEqual(Decimal(figure["by_year"][str(year)]), Decimal(1), year)
        self.assertEqual(Decimal(figure["value"]), Decimal(1))

    def test_compliance_average_and_coverage_of_a_past_year(self) -> None:
        """党员年均培训时间 of each year: hours per member-year (a joiner or leaver counts for the
        days they were a Party member), from GET /compliance/orgs/{id}?year=; its coverage is
        the share of those members with a concentrated training that year."""
        for year in YEARS:
            out = self.get(f"/compliance/orgs/{self.tally.root}", year=year)
            self.assertEqual(
                Decimal(out["average_hours"]).quantize(TWO),
                self.tally.average_hours(year).quantize(TWO),
                year,
            )
            members = len(self.tally.members_of(*year_bounds(year)))
            concentrated = self.tally.trained(year, concentrated=True)
            self.assertEqual(
                Decimal(out["coverage"]), (Decimal(concentrated) / members).quantize(FOUR), year
            )

    def test_online_hours(self) -> None:
        """网络培训 … 确保所有参训党员每年至少完成50个学时的学习 (the hours online, per year)."""
        figure = self.figures()["online_hours"]
        for year in YEARS:
            self.assertEqual(
                Decimal(figure["by_year"][str(year)]), self.tally.hours(year, online=True), year
            )
        total = sum((self.tally.hours(y, online=True) for y in YEARS), Decimal(0))
        self.assertEqual(Decimal(figure["value"]), total)

    # -- 二、主要做法及成效: the activities by type.

    def test_central_group_sessions(self) -> None:
        """五年来共组织中心组学习39次。"""
        self.assertEqual(self.figures()["central_group_sessions"]["value"], 39)
        for year in YEARS:
            held = self.count(
                "/orglife/meetings", org=self.tally.root, kind="central_group", year=year
            )
            self.assertEqual(held, self.tally.meetings["central_group"][year][0], year)

    def test_sessions_on_xi_jinping_thought_in_the_branches(self) -> None:
        """各党支部 … 开展习近平新时代中国特色社会主义思想系列学习培训 … 共计100余次: a topic filter,
        not a title search."""
        held = sum(
            self.count("/orglife/meetings", org=branch, topic="innovation_theory")
            for branch in self.tally.branches
        )
        self.assertEqual(held, self.tally.theory_sessions_in_branches)
        self.assertGreater(held, 100)

    def test_activity_kinds_with_person_times(self) -> None:
        """邀请纪检专家进行专题讲座2次; 举办3期先进事迹报告会; 读书班; 组织优秀共产党员16人参加
        6期现场教学培训."""
        figures = self.figures()
        for kind in ACTIVITIES:
            sessions = sum(n for n, _ in self.tally.meetings[kind].values())
            people = sum(p for _, p in self.tally.meetings[kind].values())
            self.assertEqual(figures[f"{kind}_sessions"]["value"], sessions, kind)
            self.assertEqual(figures[f"{kind}_person_times"]["value"], people, kind)
        self.assertEqual(figures["expert_lecture_sessions"]["value"], 2)
        self.assertEqual(figures["report_meeting_sessions"]["value"], 3)
        self.assertEqual(figures["onsite_teaching_sessions"]["value"], 6)
        self.assertEqual(figures["onsite_teaching_person_times"]["value"], 16)

    def test_classes_by_kind(self) -> None:
        """举办4期党性教育培训班; 党务干部 … 专题培训共计8次; 纪检委员专题培训2次."""
        figure = self.figures()["classes"]
        total = sum(len(v) for v in self.tally.classes.values())
        self.assertEqual(figure["value"], total)
        parts = {p["label"]: p["value"] for p in figure["parts"]}
        self.assertEqual(
            parts,
            {"党性教育": 4, "支部书记培训": 8, "专题培训": 2},
            "labels as the product names kinds",
        )
        self.assertEqual(self.count("/training/classes", kind="party_spirit", state="closed"), 4)

    def test_class_person_times(self) -> None:
        """All classes' trainees (person-times)."""
        self.assertEqual(
            self.figures()["class_person_times"]["value"], self.tally.class_person_times()
        )

    def test_party_spirit_person_times(self) -> None:
        """4期党性教育培训班 … 培训党员干部共计169人次: the person-times by kind of class."""
        self.assertEqual(self.tally.class_person_times("party_spirit"), 169)
        figure = self.figures()["class_person_times"]
        parts = {p["label"]: p["value"] for p in figure["parts"]}
        self.assertEqual(parts["党性教育"], 169)
        self.assertEqual(
            parts,
            {
                "党性教育": 169,
                "支部书记培训": self.tally.class_person_times("secretary"),
                "专题培训": self.tally.class_person_times("special"),
            },
        )
        self.assertEqual(sum(parts.values()), figure["value"])

    # -- 四是加强经费保障。党委五年来共开支党费11万余元。

    def test_spending_by_fund(self) -> None:
        out = self.get(
            "/spending/totals", org=self.tally.root, start=START.isoformat(), end=END.isoformat()
        )
        by_fund = {k: Decimal(v) for k, v in out["by_fund"].items()}
        self.assertEqual(by_fund["party_dues"], self.tally.spent("party_dues"))
        self.assertEqual(by_fund["training_funds"], self.tally.spent("training_funds"))
        self.assertEqual(by_fund["other"], self.tally.spent("other"))
        self.assertEqual(Decimal(out["total"]), self.tally.spent())
        self.assertTrue(Decimal(110000) < by_fund["party_dues"] < Decimal(120000))
        for year in YEARS:
            out = self.get("/spending/totals", org=self.tally.root, year=year)
            self.assertEqual(
                Decimal(out["by_fund"]["party_dues"]), self.tally.spent("party_dues", year), year
            )

    def test_spending_in_the_report_figures(self) -> None:
        figures = self.figures()
        self.assertEqual(
            Decimal(figures["spending_party_dues"]["value"]), self.tally.spent("party_dues")
        )
        self.assertEqual(Decimal(figures["spending_total"]["value"]), self.tally.spent())
        parts = {p["label"]: Decimal(p["value"]) for p in figures["spending_total"]["parts"]}
        self.assertEqual(
            parts,
            {
                "党费": self.tally.spent("party_dues"),
                "培训经费": self.tally.spent("training_funds"),
                "其他经费": self.tally.spent("other"),
            },
        )

    # -- The 贯彻落实情况报告 written from the figures, as .docx through the API.

    def test_report_written_with_the_figures(self) -> None:
        response = Client().post(
            "/api/v1/reports/drafts",
            data=json.dumps(
                {
                    "org": self.tally.root,
                    "kind": "plan_implementation",
                    "first_year": YEARS[0],
                    "last_year": YEARS[-1],
                }
            ),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.tally.token}",
        )
        self.assertEqual(response.status_code, 201, response.content)
        draft = response.json()["id"]
        report = self.get(f"/reports/drafts/{draft}")
        sentences = " ".join(s["text"] for sec in report["sections"] for s in sec["sentences"])
        for figure in ("100", "11", "39", "281"):
            self.assertIn(figure, sentences)
        docx = self.get(f"/reports/drafts/{draft}/report.docx")
        with zipfile.ZipFile(io.BytesIO(docx.content)) as archive:
            text = archive.read("word/document.xml").decode()
        for figure in ("100", "39"):
            self.assertIn(figure, text)
