"""党课 competitions from entries to the published recognition list: the services' rules, the
numbers the organiser sees (computed here by hand), and every page for every persona."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from peixun.accounts.models import User
from peixun.core.models import AuditEvent
from peixun.members.models import Member
from peixun.surveys.models import Contest, Entry, Question, QuestionKind, Response
from peixun.surveys.selectors.contests import (
    contest_get,
    contest_list,
    contest_results,
    judge_queue,
    recognition_list,
)
from peixun.surveys.services.contests import (
    contest_add_judges,
    contest_create,
    contest_publish,
    contest_start_judging,
    entry_award,
    entry_score,
    entry_submit,
    entry_withdraw,
)
from peixun.testing import (
    PersonaTestCase,
    download_names,
    ledger_rows,
    make_member,
    make_org,
    make_user,
)

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n% slides\n"


def slides(name: str = "党课.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def ratings(contest: Contest, values: list[int]) -> dict[int, Any]:
    """A score sheet giving the form's rating items `values` in order."""
    items = [
        q.pk
        for q in Question.objects.filter(form=contest.form, kind=QuestionKind.RATING).order_by(
            "position"
        )
    ]
    return dict(zip(items, values, strict=True))


class ContestTests(PersonaTestCase):
    contest: ClassVar[Contest]
    judge_a: ClassVar[Member]
    judge_b: ClassVar[Member]
    judge_a_user: ClassVar[User]
    judge_b_user: ClassVar[User]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        # Two judges of the tenant: a member of the far branch and one of the other branch.
        cls.judge_a = make_member(w.far_branch, "评委甲")
        cls.judge_b = make_member(w.other_branch, "评委乙")
        cls.judge_a_user = make_user("judge_a", member=cls.judge_a)
        cls.judge_b_user = make_user("judge_b", member=cls.judge_b)
        cls.contest = contest_create(
            actor=w.users["org_admin"],
            org=w.root,
            kind="lecture",
            title="2026年度最佳党课评选",
            year=TODAY.year,
            rules="每个支部推荐一名",
            entry_deadline=TODAY + dt.timedelta(days=10),
        )

    def enter(self, persona: str = "member", title: str = "学习二十届三中全会精神") -> Entry:
        return entry_submit(
            actor=self.user(persona), contest=self.contest, title=title, slides=slides()
        )

    def judging(self) -> tuple[Entry, Entry]:
        first = self.enter("member")
        second = self.enter("secretary", title="弘扬伟大建党精神")
        contest_start_judging(
            actor=self.user("org_admin"), contest=self.contest, judges=[self.judge_a, self.judge_b]
        )
        self.contest.refresh_from_db()
        return first, second

    # -- services --------------------------------------------------------------------------

    def test_create_uses_the_judging_template(self) -> None:
        self.assertEqual(self.contest.form.purpose, "judging")  # type: ignore[union-attr]
        self.assertEqual(len(ratings(self.contest, [1, 1, 1, 1])), 4)
        with self.assertRaises(PermissionDenied):
            contest_create(
                actor=self.user("secretary"),
                org=self.world.root,
                kind="lecture",
                title="x",
                year=TODAY.year,
                entry_deadline=TODAY,
            )
        with self.assertRaises(ValidationError) as caught:
            contest_create(
                actor=self.user("org_admin"),
                org=self.world.root,
                kind="dance",
                title="",
                year=1990,
                entry_deadline=TODAY - dt.timedelta(days=1),
            )
        self.assertEqual(
            set(caught.exception.message_dict), {"kind", "title", "year", "entry_deadline"}
        )

    def test_entry_rules(self) -> None:
        entry = self.enter()
        self.assertEqual((entry.org, entry.slides_name), (self.world.branch, "党课.pdf"))
        # Correcting it keeps one row; withdrawing and entering again too.
        again = entry_submit(
            actor=self.user("member"), contest=self.contest, title="新题目", summary="提纲"
        )
        self.assertEqual((again.pk, again.slides_name), (entry.pk, "党课.pdf"))
        entry_withdraw(actor=self.user("member"), entry=again)
        self.assertEqual(Entry.objects.get(pk=entry.pk).state, "withdrawn")
        self.enter()
        self.assertEqual(Entry.objects.filter(contest=self.contest).count(), 1)
        # Bad input: all at once, nothing stored.
        with self.assertRaises(ValidationError) as caught:
            entry_submit(
                actor=self.user("secretary"),
                contest=self.contest,
                title="",
                slides=slides("x.exe", b"MZ"),
                video_url="javascript:alert(1)",
            )
        self.assertEqual(set(caught.exception.message_dict), {"title", "slides", "video_url"})
        with self.assertRaises(ValidationError) as caught:
            entry_submit(
                actor=self.user("secretary"),
                contest=self.contest,
                title="题",
                slides=slides("renamed.pdf", b"<html>"),
            )
        self.assertIn("slides", caught.exception.message_dict)
        with self.assertRaises(ValidationError):  # nothing of the lecture itself
            entry_submit(actor=self.user("secretary"), contest=self.contest, title="题")
        self.assertEqual(Entry.objects.filter(contest=self.contest).count(), 1)
        # No member behind the account: refused.
        with self.assertRaises(PermissionDenied):
            entry_submit(
                actor=self.user("org_admin"), contest=self.contest, title="题", summary="x"
            )
        # A branch's contest is entered by its own members only.
        branch_contest = contest_create(
            actor=self.user("secretary"),
            org=self.world.branch,
            kind="talk",
            title="微宣讲",
            year=TODAY.year,
            entry_deadline=TODAY,
        )
        with self.assertRaises(PermissionDenied):
            entry_submit(
                actor=self.user("other_secretary"), contest=branch_contest, title="题", summary="x"
            )

    def test_deadline_passed(self) -> None:
        Contest.objects.filter(pk=self.contest.pk).update(
            entry_deadline=TODAY - dt.timedelta(days=1)
        )
        self.contest.refresh_from_db()
        with self.assertRaises(ValidationError):
            self.enter()

    def test_judging_to_published(self) -> None:
        with self.assertRaises(ValidationError):  # no entries yet
            contest_start_judging(
                actor=self.user("org_admin"), contest=self.contest, judges=[self.judge_a]
            )
        first, second = self.judging()
        self.assertEqual(self.contest.state, "judging")
        self.assertFalse(self.contest.survey.anonymous)  # type: ignore[union-attr]
        # Entries are closed now.
        with self.assertRaises(ValidationError):
            self.enter("member", title="改")
        # Judge A: 5+4+4+5 = 18 for the first, 3+3+4+4 = 14 for the second;
        # judge B: 4+4+4+4 = 16 for the first only. By hand: 17.00 and 14.00.
        entry_score(
            actor=self.judge_a_user,
            contest=self.contest,
            entry=first,
            answers=ratings(self.contest, [5, 4, 4, 5]),
        )
        entry_score(
            actor=self.judge_a_user,
            contest=self.contest,
            entry=second,
            answers=ratings(self.contest, [3, 3, 4, 4]),
        )
        entry_score(
            actor=self.judge_b_user,
            contest=self.contest,
            entry=first,
            answers=ratings(self.contest, [4, 4, 4, 4]),
        )
        # A judge's second sheet for the same entry replaces the first.
        entry_score(
            actor=self.judge_b_user,
            contest=self.contest,
            entry=first,
            answers=ratings(self.contest, [4, 4, 4, 4]),
        )
        self.assertEqual(Response.objects.filter(survey=self.contest.survey).count(), 3)
        results = contest_results(actor=self.user("org_admin"), contest=self.contest)
        by_title = {r.entry.title: r for r in results.rows}
        self.assertEqual(str(by_title[first.title].average), "17.00")
        self.assertEqual(by_title[first.title].sheets, 2)
        self.assertEqual(str(by_title[second.title].average), "14.00")
        self.assertEqual([name for _pk, name in results.judges], ["评委甲", "评委乙"])
        queue = judge_queue(actor=self.judge_b_user, contest=self.contest)
        self.assertEqual(
            [(i.entry.pk, i.scored) for i in queue], [(first.pk, True), (second.pk, False)]
        )
        # Not a judge: no score sheet.
        with self.assertRaises(PermissionDenied):
            entry_score(
                actor=self.user("other_secretary"),
                contest=self.contest,
                entry=first,
                answers=ratings(self.contest, [5, 5, 5, 5]),
            )
        # Awards, then publication.
        with self.assertRaises(ValidationError):
            contest_publish(actor=self.user("org_admin"), contest=self.contest)
        with self.assertRaises(ValidationError):
            entry_award(actor=self.user("org_admin"), entry=first, award="gold")
        with self.assertRaises(PermissionDenied):
            entry_award(actor=self.user("secretary"), entry=first, award="first")
        entry_award(actor=self.user("org_admin"), entry=first, award="first")
        entry_award(actor=self.user("org_admin"), entry=second, award="excellence")
        contest_publish(actor=self.user("org_admin"), contest=self.contest)
        self.contest.refresh_from_db()
        self.assertEqual(self.contest.state, "published")
        self.assertEqual(self.contest.survey.state, "closed")  # type: ignore[union-attr]
        listed = recognition_list(actor=self.user("member"), contest=self.contest)
        self.assertEqual(
            [(e.title, e.award) for e in listed],
            [(first.title, "first"), (second.title, "excellence")],
        )
        self.assertTrue(AuditEvent.objects.filter(verb="contest.publish").exists())

    def test_query_counts_do_not_grow(self) -> None:
        """The organiser's results and a judge's queue cost the same few queries whatever the
        number of entries and sheets."""
        first, second = self.judging()
        for entry in (first, second):
            entry_score(
                actor=self.judge_a_user,
                contest=self.contest,
                entry=entry,
                answers=ratings(self.contest, [4, 4, 4, 4]),
            )
        admin = self.user("org_admin")
        contest = contest_get(actor=admin, pk=self.contest.pk)  # as the pages load it
        with self.assertNumQueries(3):
            contest_results(actor=admin, contest=contest)
        judge_queue(actor=self.judge_b_user, contest=contest)  # warm the judge's scope
        with self.assertNumQueries(3):
            judge_queue(actor=self.judge_b_user, contest=contest)
        third = make_member(self.world.other_branch, "新参赛")
        Entry.objects.create(
            contest=self.contest,
            member=third,
            org=self.world.other_branch,
            title="第三件",
            summary="提纲",
            submitted_at=timezone.now(),
        )
        with self.assertNumQueries(3):
            contest_results(actor=admin, contest=contest)
        with self.assertNumQueries(3):
            judge_queue(actor=self.judge_b_user, contest=contest)

    def test_a_judge_from_elsewhere_sees_the_contest(self) -> None:
        """A branch's contest is seen by the branch and its judges, wherever they belong."""
        w = self.world
        branch_contest = contest_create(
            actor=self.user("secretary"),
            org=w.branch,
            kind="talk",
            title="支部微宣讲",
            year=TODAY.year,
            entry_deadline=TODAY,
        )
        entry_submit(actor=self.user("member"), contest=branch_contest, title="题", summary="提纲")
        self.assertNotIn(branch_contest, contest_list(actor=self.judge_a_user))
        contest_start_judging(
            actor=self.user("secretary"), contest=branch_contest, judges=[self.judge_a]
        )
        self.assertIn(branch_contest, contest_list(actor=self.judge_a_user))
        self.assertNotIn(branch_contest, contest_list(actor=self.judge_b_user))
        self.assertNotIn(branch_contest, contest_list(actor=self.user("other_secretary")))
        # Another tenant's member is no judge here.
        stranger = make_member(make_org(None, "X09", "另一县", "working_committee"), "外人")
        with self.assertRaises(ValidationError):
            contest_add_judges(
                actor=self.user("secretary"), contest=branch_contest, judges=[stranger]
            )

    def test_judge_does_not_score_own_entry(self) -> None:
        own = entry_submit(
            actor=self.judge_a_user, contest=self.contest, title="评委自己的党课", summary="提纲"
        )
        self.judging()
        self.assertNotIn(
            own.pk, [i.entry.pk for i in judge_queue(actor=self.judge_a_user, contest=self.contest)]
        )
        with self.assertRaises(PermissionDenied):
            entry_score(
                actor=self.judge_a_user,
                contest=self.contest,
                entry=own,
                answers=ratings(self.contest, [5, 5, 5, 5]),
            )

    # -- pages -----------------------------------------------------------------------------

    def test_list_and_detail_pages(self) -> None:
        url = "/surveys/contests/"
        everyone = {
            "anonymous": 302,
            "member": 200,
            "secretary": 200,
            "other_secretary": 200,
            "org_admin": 200,
            "viewer": 200,
        }
        self.expect_personas(url, everyone)
        self.assertContains(self.client_for("member").get(url), self.contest.title)
        self.expect_personas(f"/surveys/contests/{self.contest.pk}/", everyone)
        branch_contest = contest_create(
            actor=self.user("secretary"),
            org=self.world.branch,
            kind="talk",
            title="支部微宣讲",
            year=TODAY.year,
            entry_deadline=TODAY,
        )
        self.expect_personas(
            f"/surveys/contests/{branch_contest.pk}/",
            {**everyone, "other_secretary": 404},
        )
        self.expect_personas(
            "/surveys/contests/new/",
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 404,
            },
        )

    def test_create_page(self) -> None:
        client = self.client_for("org_admin")
        bad = client.post("/surveys/contests/new/", {"org": self.world.root.pk, "kind": "lecture"})
        self.assertEqual(bad.status_code, 400)
        data = {
            "org": self.world.unit.pk,
            "kind": "talk",
            "title": "理论宣讲比赛",
            "year": TODAY.year,
            "entry_deadline": (TODAY + dt.timedelta(days=3)).isoformat(),
            "rules": "",
        }
        ok = client.post("/surveys/contests/new/", data)
        self.assertEqual(ok.status_code, 302)
        self.assertTrue(Contest.objects.filter(title="理论宣讲比赛", org=self.world.unit).exists())

    def test_enter_page(self) -> None:
        url = f"/surveys/contests/{self.contest.pk}/enter/"
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 404,
                "viewer": 404,
            },
        )
        client = self.client_for("member")
        bad = client.post(url, {"title": "", "video_url": "ftp://x"})
        self.assertEqual(bad.status_code, 400)
        self.assertFalse(Entry.objects.exists())
        ok = client.post(
            url,
            {"title": "我的党课", "video_url": "https://video.example.cn/1", "slides": slides()},
        )
        self.assertEqual(ok.status_code, 302)
        entry = Entry.objects.get()
        slides_url = f"/surveys/contests/{self.contest.pk}/entries/{entry.pk}/slides/"
        self.expect_personas(
            slides_url,
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        fallback, name = download_names(self.client_for("member").get(slides_url))
        self.assertEqual((fallback, name), (f"entry-{entry.pk}-slides.pdf", "党课.pdf"))

    def test_judging_pages(self) -> None:
        first, second = self.judging()
        base = f"/surveys/contests/{self.contest.pk}"
        staff = {
            "anonymous": 302,
            "member": 404,
            "secretary": 404,
            "other_secretary": 404,
            "org_admin": 200,
            "viewer": 200,
        }
        self.expect_personas(f"{base}/judge/", {**staff, "org_admin": 404, "viewer": 404})
        judge = self.client_for("member")
        judge.force_login(self.judge_a_user)
        self.assertContains(judge.get(f"{base}/judge/"), first.title)
        sheet_url = f"{base}/judge/{first.pk}/"
        items = list(ratings(self.contest, [5, 4, 4, 5]).items())
        bad = judge.post(sheet_url, {f"q{items[0][0]}": "5"})
        self.assertEqual(bad.status_code, 400)
        self.assertFalse(Response.objects.exists())
        ok = judge.post(sheet_url, {f"q{q}": str(v) for q, v in items})
        self.assertEqual(ok.status_code, 302)
        self.assertEqual(Response.objects.count(), 1)
        # The organiser's results, the sheets and the export.
        self.expect_personas(f"{base}/results/", staff)
        page = self.client_for("org_admin").get(f"{base}/results/")
        self.assertContains(page, "18.00")
        self.expect_personas(f"{base}/entries/{first.pk}/", {**staff, "member": 200})
        self.expect_personas(f"{base}/results.xlsx", staff)
        sheet = load_workbook(
            io.BytesIO(self.client_for("org_admin").get(f"{base}/results.xlsx").content)
        ).active
        rows = ledger_rows(sheet)
        self.assertEqual({row[0] for row in rows[1:]}, {"李明", "王芳"})
        self.assertTrue(AuditEvent.objects.filter(verb="contest.export").exists())
        # Awards and publication through the pages.
        self.expect_personas(
            f"{base}/entries/{first.pk}/award/",
            {
                "anonymous": 302,
                "member": 403,
                "secretary": 403,
                "other_secretary": 403,
                "org_admin": 302,
                "viewer": 403,
            },
            method="post",
            data={"award": "first"},
        )
        self.assertEqual(Entry.objects.get(pk=first.pk).award, "first")
        # Before publication the recognition list is the organiser's preview only.
        self.expect_personas(f"{base}/recognition/", {**staff, "member": 404})
        self.client_for("org_admin").post(f"{base}/publish/")
        self.expect_personas(
            f"{base}/recognition/",
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        listing = self.client_for("other_secretary").get(f"{base}/recognition/")
        self.assertContains(listing, first.title)
        self.assertNotContains(listing, second.title)  # no award, not listed
        # No scores (the results page shows "18.00"; a bare "18" can be in a random CSP nonce).
        self.assertNotContains(listing, "18.00")

    def test_start_judging_page(self) -> None:
        self.enter()
        url = f"/surveys/contests/{self.contest.pk}/judging/"
        bad = self.client_for("org_admin").post(url, {})
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(Contest.objects.get(pk=self.contest.pk).state, "open")
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 403,
                "secretary": 403,
                "other_secretary": 403,
                "org_admin": 302,
                "viewer": 403,
            },
            method="post",
            data={"judge_1": self.judge_a.pk},
        )
        self.assertEqual(Contest.objects.get(pk=self.contest.pk).state, "judging")
