"""Services with a real database: reports stored or struck, completion sticks, credit once,
bad input refused with nothing stored."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import override_settings

from peixun.core.models import AuditEvent
from peixun.hours.models import CreditEntry, Kind, YearlyRollup
from peixun.learning.models import Completion, Course, ItemProgress, PlaySession, Strike
from peixun.learning.services import (
    course_create,
    course_item_add,
    course_publish,
    document_open,
    play_start,
    presence_confirm,
    progress_report,
    quiz_submit,
)
from peixun.testing import PersonaTestCase

from .fixtures import MEDIA, age_session, item_of, make_course


@override_settings(MEDIA_ROOT=MEDIA)
class ReportTests(PersonaTestCase):
    def setUp(self) -> None:
        self.course = make_course(self.world, seconds=60, quiz=False, move_on="watched")
        self.video = item_of(self.course, "video")
        self.member = self.user("member")

    def start(self) -> PlaySession:
        return play_start(actor=self.member, item=self.video)

    def report(self, token: str, intervals: list[list[float]], elapsed: float = 10, **kw: object):  # type: ignore[no-untyped-def]
        return progress_report(
            actor=self.member, item=self.video, token=token, intervals=intervals,
            elapsed=elapsed, **kw,
        )  # fmt: skip

    def test_watching_to_the_end_completes_and_credits_once(self) -> None:
        session = self.start()
        for n in range(6):
            age_session(self.world.member.pk, 10)
            result = self.report(session.token, [[n * 10, n * 10 + 10]], position=n * 10 + 10)
            self.assertTrue(result.accepted, result)
        self.assertTrue(result.completed)
        self.assertEqual(result.unique_seconds, 60)
        completion = Completion.objects.get(member=self.world.member, course=self.course)
        self.assertEqual(completion.hours, Decimal("0.25"))  # a minute: the short band
        self.assertEqual(completion.unique_seconds, 60)
        entry = completion.credit
        assert entry is not None
        self.assertEqual(entry.kind, Kind.ONLINE_TRAINING)
        self.assertTrue(entry.online)
        self.assertEqual(entry.source, CreditEntry.Source.COURSE)
        self.assertEqual(entry.reference, f"course:{self.course.pk}")
        self.assertEqual(entry.topic, "innovation_theory")
        self.assertIn(self.course.title, entry.title)
        rollup = YearlyRollup.objects.get(member=self.world.member, kind=Kind.ONLINE_TRAINING)
        self.assertEqual(rollup.online_hours, Decimal("0.25"))
        # The same last report again (a retry), and a rewatch: no second credit.
        age_session(self.world.member.pk, 10)
        again = self.report(session.token, [[50, 60]])
        self.assertTrue(again.accepted and again.completed)
        self.assertEqual(CreditEntry.objects.filter(member=self.world.member).count(), 1)
        self.assertTrue(AuditEvent.objects.filter(verb="learning.completion.create").exists())

    def test_completion_sticks(self) -> None:
        session = self.start()
        age_session(self.world.member.pk, 60)
        self.report(session.token, [[0, 60]], elapsed=60)
        self.assertTrue(Completion.objects.filter(course=self.course).exists())
        # The course is made stricter and the progress wiped: the completion stays.
        Course.objects.filter(pk=self.course.pk).update(watch_percent=100, move_on="passed")
        ItemProgress.objects.filter(item=self.video).update(intervals=[], unique_seconds=0)
        age_session(self.world.member.pk, 10)
        result = self.report(session.token, [[0, 5]], elapsed=10)
        self.assertTrue(result.completed)
        self.assertEqual(Completion.objects.filter(course=self.course).count(), 1)

    def test_a_completed_course_answers_completed_while_far_from_watched(self) -> None:
        session = self.start()
        age_session(self.world.member.pk, 60)
        self.report(session.token, [[0, 60]], elapsed=60)
        # Progress wiped, rule unchanged: the report cannot complete the course, and still
        # answers that it is complete.
        ItemProgress.objects.filter(item=self.video).update(intervals=[], unique_seconds=0)
        age_session(self.world.member.pk, 10)
        result = self.report(session.token, [[0, 5]], elapsed=10)
        self.assertTrue(result.accepted and result.completed)
        self.assertEqual(Completion.objects.filter(course=self.course).count(), 1)

    def test_a_report_far_from_complete_asks_less(self) -> None:
        """The completion rules are asked only when the report could complete the course: a
        report far from it makes fewer queries than the one that completes it."""
        session = self.start()
        age_session(self.world.member.pk, 10)
        with self.assertNumQueries(10):  # 8 statements in a savepoint
            result = self.report(session.token, [[0, 10]])
        self.assertTrue(result.accepted)
        self.assertFalse(result.completed)
        age_session(self.world.member.pk, 50)
        result = self.report(session.token, [[10, 54]], elapsed=50)  # 90 % of 60 s
        self.assertTrue(result.accepted and result.completed, result)

    def test_double_speed_earns_nothing_beyond_real_time(self) -> None:
        session = self.start()
        age_session(self.world.member.pk, 10)
        result = self.report(session.token, [[0, 20]], elapsed=10)
        self.assertFalse(result.accepted)
        self.assertEqual(result.reason, "speed")
        self.assertEqual(ItemProgress.objects.get(item=self.video).unique_seconds, 0)
        strike = Strike.objects.get()
        self.assertEqual(strike.reason, "speed")
        self.assertEqual(strike.detail["claimed"], 20)
        # Lying about the player's clock is caught by the server's.
        result = self.report(session.token, [[0, 20]], elapsed=20)
        self.assertEqual(result.reason, "wall_clock")
        self.assertEqual(ItemProgress.objects.get(item=self.video).unique_seconds, 0)

    def test_skip_ahead_earns_nothing(self) -> None:
        session = self.start()
        age_session(self.world.member.pk, 10)
        self.assertTrue(self.report(session.token, [[0, 10]]).accepted)
        age_session(self.world.member.pk, 10)
        result = self.report(session.token, [[45, 55]], position=55)
        self.assertEqual(result.reason, "skip")
        progress = ItemProgress.objects.get(item=self.video)
        self.assertEqual(progress.unique_seconds, 10)
        self.assertEqual(progress.intervals, [[0.0, 10.0]])
        self.assertEqual(progress.position, 0)  # nothing of the refused report is kept

    def test_backwards_is_struck(self) -> None:
        session = self.start()
        age_session(self.world.member.pk, 10)
        self.assertEqual(self.report(session.token, [[10, 0]]).reason, "backwards")
        self.assertEqual(Strike.objects.get().reason, "backwards")

    def test_another_item_playing_is_struck(self) -> None:
        other = make_course(self.world, title="第二门课", seconds=60, quiz=False, move_on="watched")
        old = self.start()
        play_start(actor=self.member, item=item_of(other, "video"))
        age_session(self.world.member.pk, 10)
        result = self.report(old.token, [[0, 10]])
        self.assertEqual(result.reason, "concurrent")
        self.assertEqual(Strike.objects.get().item, self.video)

    def test_unanswered_presence_check_does_not_count(self) -> None:
        session = self.start()
        age_session(self.world.member.pk, 11 * 60 + 5)
        result = self.report(session.token, [[0, 10]])
        self.assertEqual(result.reason, "presence")
        self.assertFalse(Strike.objects.exists())
        self.assertEqual(ItemProgress.objects.get(item=self.video).unique_seconds, 0)
        presence_confirm(actor=self.member, token=session.token)
        result = self.report(session.token, [[0, 10]])
        self.assertTrue(result.accepted)
        self.assertGreater(result.presence_due_in, 500)

    def test_bad_reports_are_refused_with_nothing_stored(self) -> None:
        session = self.start()
        for bad in ("x", [[0, 500]], [[0]], [["a", "b"]]):
            with self.assertRaises(ValidationError):
                self.report(session.token, bad)  # type: ignore[arg-type]
        with self.assertRaises(ValidationError):
            self.report(session.token, [[0, 5]], elapsed="soon")  # type: ignore[arg-type]
        self.assertFalse(Strike.objects.exists())
        self.assertEqual(ItemProgress.objects.get(item=self.video).intervals, [])
        with self.assertRaises(ValidationError):
            presence_confirm(actor=self.member, token="nope")

    def test_a_report_before_starting_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            self.report("", [[0, 5]])

    def test_who_may_play(self) -> None:
        # Staff without a member record, and a member whose branch is outside the owner's tree.
        with self.assertRaises(Http404):
            play_start(actor=self.user("viewer"), item=self.video)
        far = make_course(self.world, org=self.world.other_branch, title="二支部课", quiz=False,
                          move_on="watched")  # fmt: skip
        from peixun.learning.services import learner_item

        with self.assertRaises(Http404):
            learner_item(actor=self.member, item_id=item_of(far, "video").pk)
        self.assertEqual(learner_item(actor=self.member, item_id=self.video.pk), self.video)


@override_settings(MEDIA_ROOT=MEDIA)
class QuizAndDocumentTests(PersonaTestCase):
    def test_a_course_of_two_videos_completes_on_their_sum(self) -> None:
        admin = self.world.users["org_admin"]
        course = make_course(self.world, seconds=60, quiz=False, move_on="watched", publish=False)
        second = course_item_add(
            actor=admin, course=course, kind="video", title="第二讲", duration_seconds=60,
            file=SimpleUploadedFile("second.webm", b"\x1a\x45\xdf\xa3" + b"\x00" * 60,
                                    content_type="video/webm"),
        )  # fmt: skip
        course_publish(actor=admin, course=course)
        first = course.items.get(title="第一讲")
        member = self.user("member")

        def watch(item, start: float, end: float):  # type: ignore[no-untyped-def]
            session = play_start(actor=member, item=item)
            age_session(self.world.member.pk, end - start)
            return progress_report(
                actor=member, item=item, token=session.token, intervals=[[start, end]],
                elapsed=end - start,
            )  # fmt: skip

        self.assertFalse(watch(first, 0, 60).completed)  # 60 of 120 s
        self.assertFalse(watch(second, 0, 40).completed)  # 100 of 120: under 90 %
        result = watch(second, 40, 48)  # 108 of 120 = 90 %
        self.assertTrue(result.accepted and result.completed, result)
        self.assertEqual(Completion.objects.get(course=course).unique_seconds, 108)

    def test_quiz_and_document_complete_a_course_with_a_quiz_credit(self) -> None:
        course = make_course(
            self.world, seconds=20 * 60, document=True, move_on="watched_and_passed"
        )
        member = self.user("member")
        quiz = item_of(course, "quiz")
        qids = list(quiz.questions.order_by("id").values_list("pk", flat=True))
        failed = quiz_submit(actor=member, item=quiz, answers={str(qids[0]): False})
        self.assertFalse(failed.passed)
        self.assertEqual(failed.percent, Decimal("0.0"))
        passed = quiz_submit(actor=member, item=quiz, answers={str(q): True for q in qids})
        self.assertTrue(passed.passed)
        # A double tap returns the passing attempt.
        self.assertEqual(quiz_submit(actor=member, item=quiz, answers={}).pk, passed.pk)
        self.assertFalse(Completion.objects.exists())  # not watched yet
        document_open(actor=member, item=item_of(course, "document"))
        video = item_of(course, "video")
        ItemProgress.objects.filter(item=video).delete()
        session = play_start(actor=member, item=video)
        # Watch the whole 20 minutes in 2-minute reports.
        for n in range(10):
            age_session(self.world.member.pk, 120)
            r = progress_report(actor=member, item=video, token=session.token,
                                intervals=[[n * 120, n * 120 + 120]], elapsed=120)  # fmt: skip
            presence_confirm(actor=member, token=session.token)
            self.assertTrue(r.accepted, r)
        completion = Completion.objects.get()
        self.assertEqual(completion.hours, Decimal("1.00"))  # 0.5 (15–30 min) + 0.5 (quiz)
        self.assertEqual(completion.quiz_percent, Decimal("100.0"))
        self.assertEqual(completion.credit.hours, Decimal("1.00"))  # type: ignore[union-attr]

    def test_stated_hours_win_over_bands(self) -> None:
        course = make_course(self.world, seconds=60, move_on="passed", hours="2")
        quiz = item_of(course, "quiz")
        qids = quiz.questions.values_list("pk", flat=True)
        quiz_submit(actor=self.user("member"), item=quiz, answers={str(q): True for q in qids})
        self.assertEqual(Completion.objects.get().hours, Decimal("2"))

    def test_bad_quiz_answers(self) -> None:
        course = make_course(self.world, seconds=60, move_on="passed")
        quiz = item_of(course, "quiz")
        with self.assertRaises(ValidationError):
            quiz_submit(actor=self.user("member"), item=quiz, answers={"999999": True})
        qid = quiz.questions.first().pk  # type: ignore[union-attr]
        with self.assertRaises(ValidationError):
            quiz_submit(actor=self.user("member"), item=quiz, answers={str(qid): "maybe"})
        with self.assertRaises(ValidationError):
            document_open(actor=self.user("member"), item=quiz)


@override_settings(MEDIA_ROOT=MEDIA)
class CatalogueTests(PersonaTestCase):
    def test_create_checks_permission_input_and_files(self) -> None:
        with self.assertRaises(PermissionDenied):
            course_create(actor=self.user("secretary"), org=self.world.root, title="x")
        with self.assertRaises(ValidationError):
            course_create(actor=self.user("org_admin"), org=self.world.root, title=" ")
        with self.assertRaises(ValidationError):
            course_create(actor=self.user("org_admin"), org=self.world.root, title="x", hours="0.3")
        with self.assertRaises(ValidationError):
            course_create(
                actor=self.user("org_admin"), org=self.world.root, title="x", watch_percent=0
            )
        course = course_create(
            actor=self.user("secretary"), org=self.world.branch, title="支部微课"
        )
        admin = self.user("org_admin")
        bad_files = [
            SimpleUploadedFile("a.webm", b"<html>not a video</html>"),
            SimpleUploadedFile("a.exe", b"MZ\x90\x00"),
            SimpleUploadedFile("a.webm", b""),
        ]
        for upload in bad_files:
            with self.assertRaises(ValidationError):
                course_item_add(actor=admin, course=course, kind="video", title="v", file=upload,
                                duration_seconds=60)  # fmt: skip
        with self.assertRaises(ValidationError):
            course_item_add(actor=admin, course=course, kind="video", title="v",
                            file=SimpleUploadedFile("a.webm", b"\x1a\x45\xdf\xa3" + b"\0" * 9),
                            duration_seconds=0)  # fmt: skip
        with self.assertRaises(ValidationError):
            course_item_add(actor=admin, course=course, kind="quiz", title="q", questions=[])
        self.assertFalse(course.items.exists())
        # Nothing to watch: publishing is refused.
        with self.assertRaises(ValidationError):
            course_publish(actor=admin, course=course)

    def test_members_see_published_courses_of_their_tree_only(self) -> None:
        published = make_course(self.world, quiz=False, move_on="watched")
        draft = make_course(self.world, quiz=False, move_on="watched", publish=False, title="草稿")
        far = make_course(self.world, org=self.world.far_unit, quiz=False, move_on="watched",
                          title="他单位课程")  # fmt: skip
        mine = set(Course.objects.visible_to(self.user("member")))
        self.assertIn(published, mine)
        self.assertNotIn(draft, mine)
        self.assertNotIn(far, mine)
        # Staff of the tenant see every course of it, drafts included.
        self.assertEqual(
            set(Course.objects.visible_to(self.user("viewer"))), {published, draft, far}
        )
