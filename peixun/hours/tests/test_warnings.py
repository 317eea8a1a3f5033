"""run_warnings: members at risk or behind are told privately, secretaries get one digest for
their branch, once a day, with email only when SMTP is configured."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import ClassVar

from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings

from peixun.core.models import Notification
from peixun.hours.models import Kind
from peixun.hours.selectors import upcoming_activities_for
from peixun.hours.services import entry_record, requirements_seed_defaults, warnings_run
from peixun.members.models import Member
from peixun.testing import PersonaTestCase, make_member

AS_OF = dt.date(2025, 7, 1)


class WarningTests(PersonaTestCase):
    grouped: ClassVar[Member]
    exempt: ClassVar[Member]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        requirements_seed_defaults(actor=None, tenant=w.root, from_year=2020)
        # On pace: the secretary and the other branch's member. Behind: everyone else.
        entry_record(
            actor=w.platform_admin,
            members=[w.secretary_member, w.other_member],
            on=dt.date(2025, 5, 10),
            hours=Decimal(40),
            kind=Kind.CONCENTRATED_TRAINING,
            title="春季集中轮训",
            concentrated=True,
        )
        cls.grouped = make_member(w.group, "钱进")
        cls.exempt = make_member(w.branch, "周老", exempt_reason=cls.exempt_reason())

    @staticmethod
    def exempt_reason() -> str:
        return Member.ExemptReason.ELDERLY

    def notes(self, persona: str) -> list[Notification]:
        return list(Notification.objects.filter(recipient=self.user(persona)))

    def test_member_warned_privately_and_secretary_gets_one_digest(self) -> None:
        report = warnings_run(as_of=AS_OF, tenant=self.world.root)
        (warning,) = self.notes("member")
        self.assertEqual(warning.kind, Notification.Kind.HOURS_WARNING)
        self.assertIn("党员每年集中学习培训不少于32学时", warning.body)
        self.assertIn("李明", warning.body)
        self.assertEqual(warning.url, f"/compliance/members/{self.world.member.pk}/")
        for other in ("王芳", "钱进", "孙丽", "赵强"):
            self.assertNotIn(other, warning.body)  # nobody else's figures in a member's notice
        (digest,) = self.notes("secretary")  # on pace herself: only the digest
        self.assertEqual(digest.kind, Notification.Kind.BRANCH_DIGEST)
        self.assertEqual(digest.url, f"/compliance/orgs/{self.world.branch.pk}/")
        self.assertIn("2", digest.title)  # 李明 and 钱进 (in the branch's Party group)
        for name in ("李明", "钱进"):
            self.assertIn(name, digest.body)
        for name in ("周老", "孙丽", "赵强", "王芳"):  # exempt, other branches, on pace
            self.assertNotIn(name, digest.body)
        # No digests or warnings for anyone else: no public list, no ranking.
        self.assertEqual(self.notes("other_secretary"), [])
        self.assertEqual(self.notes("org_admin"), [])
        self.assertEqual(self.notes("viewer"), [])
        self.assertEqual(report.members_notified, 1)
        self.assertEqual(report.digests_sent, 1)
        self.assertIn("第三党支部", report.branches_without_secretary)
        self.assertGreaterEqual(report.members_without_account, 2)  # 钱进, 孙丽

    def test_links_open_for_their_recipients(self) -> None:
        warnings_run(as_of=AS_OF)
        (warning,) = self.notes("member")
        (digest,) = self.notes("secretary")
        self.assertEqual(self.client_for("member").get(warning.url).status_code, 200)
        self.assertEqual(self.client_for("secretary").get(digest.url).status_code, 200)

    def test_digest_names_in_name_order_not_by_hours(self) -> None:
        warnings_run(as_of=AS_OF, tenant=self.world.root)
        (digest,) = self.notes("secretary")
        lines = [line for line in digest.body.splitlines() if line.startswith("·")]
        self.assertEqual(lines, sorted(lines))

    def test_running_twice_sends_nothing_new_and_next_day_sends_again(self) -> None:
        warnings_run(as_of=AS_OF)
        before = Notification.objects.count()
        again = warnings_run(as_of=AS_OF)
        self.assertEqual(Notification.objects.count(), before)
        self.assertEqual((again.members_notified, again.digests_sent), (0, 0))
        warnings_run(as_of=AS_OF + dt.timedelta(days=1))
        self.assertEqual(Notification.objects.count(), before * 2)

    def test_exempt_member_is_never_warned(self) -> None:
        from peixun.accounts.models import User

        User.objects.create_user(username="zhoulao", password="x-pass-123", member=self.exempt)
        warnings_run(as_of=AS_OF)
        self.assertFalse(Notification.objects.filter(recipient__username="zhoulao").exists())

    @override_settings(
        EMAIL_HOST="smtp.example.org",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    def test_email_when_smtp_configured(self) -> None:
        for persona, address in (("member", "li@example.org"), ("secretary", "wang@example.org")):
            user = self.user(persona)
            assert user is not None
            user.email = address
            user.save()
        with self.captureOnCommitCallbacks(execute=True):
            warnings_run(as_of=AS_OF)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), ["li@example.org", "wang@example.org"]
        )
        with self.captureOnCommitCallbacks(execute=True):
            warnings_run(as_of=AS_OF)
        self.assertEqual(len(mail.outbox), 2)

    def test_no_email_without_smtp(self) -> None:
        user = self.user("member")
        assert user is not None
        user.email = "li@example.org"
        user.save()
        with self.settings(EMAIL_HOST=""), self.captureOnCommitCallbacks(execute=True):
            warnings_run(as_of=AS_OF)
        self.assertEqual(mail.outbox, [])
        self.assertEqual(len(self.notes("member")), 1)

    def test_command(self) -> None:
        out = io.StringIO()
        call_command("run_warnings", date="2025-07-01", tenant="t01", stdout=out)
        self.assertIn("1 member notification(s) sent", out.getvalue())
        self.assertIn("第三党支部", out.getvalue())
        out = io.StringIO()
        call_command("run_warnings", date="2025-07-01", stdout=out)
        self.assertIn("0 member notification(s) sent", out.getvalue())
        with self.assertRaises(CommandError):
            call_command("run_warnings", date="2025-13-01", stdout=io.StringIO())
        with self.assertRaises(CommandError):
            call_command("run_warnings", tenant="NOPE", stdout=io.StringIO())
        with self.assertRaises(CommandError):
            call_command("run_warnings", tenant="T0101", stdout=io.StringIO())  # not a root

    def test_activity_suggestions_list_open_classes_that_fit(self) -> None:
        from peixun.events.tests.fixtures import make_class

        self.assertEqual(upcoming_activities_for(self.world.member.pk, AS_OF), [])
        w = self.world
        soon = AS_OF + dt.timedelta(days=10)
        for title, audience, statuses in (
            ("党员冬训班", w.unit, []),
            ("第一支部专题班", w.branch, [Member.Status.FULL]),
            ("外单位班", w.far_unit, []),  # another subtree
            ("发展对象班", w.unit, [Member.Status.CANDIDATE]),  # another status
            ("党性教育班", w.root, []),
            ("第四期班", w.root, []),  # a fourth fitting class: only three are suggested
        ):
            make_class(
                w.root,
                title=title,
                audience_org=audience,
                audience_statuses=statuses,
                starts_on=soon,
                ends_on=soon,
            )
            soon += dt.timedelta(days=1)
        make_class(w.root, title="已开班", audience_org=w.unit, starts_on=AS_OF, ends_on=AS_OF)
        make_class(
            w.root, title="草稿班", audience_org=w.unit, starts_on=soon, ends_on=soon, state="draft"
        )
        suggestions = upcoming_activities_for(w.member.pk, AS_OF)
        self.assertEqual(
            [title.split("（")[0] for title, _url in suggestions],
            ["党员冬训班", "第一支部专题班", "党性教育班"],
        )
        self.assertTrue(all(url == "/training/mine/#open-classes" for _t, url in suggestions))
        warnings_run(as_of=AS_OF, tenant=w.root)
        (warning,) = self.notes("member")
        self.assertIn("党员冬训班", warning.body)
        self.assertIn("/training/mine/#open-classes", warning.body)
