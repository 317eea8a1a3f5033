"""The audit trail reads as sentences with names (core.describers and each app's describers),
costs one query per object type on a page whatever the page's size, and keeps the codes."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from peixun.core.audit import audit_record
from peixun.core.describers import describe_events
from peixun.core.models import AuditEvent
from peixun.hours.models import CreditEntry
from peixun.hours.services import entry_approve, self_study_file
from peixun.members.services import member_reveal_id
from peixun.testing import PersonaTestCase


class AuditSentenceTests(PersonaTestCase):
    def file(self, title: str = "学习《党章》") -> CreditEntry:
        return self_study_file(
            actor=self.user("member"), on=timezone.localdate(), hours="2", title=title
        )

    def test_an_approval_names_who_whose_filing_and_the_hours(self) -> None:
        entry_approve(actor=self.user("secretary"), entry=self.file())
        event = AuditEvent.objects.get(verb="hours.approve")
        with override("zh-hans"):
            [sentence] = describe_events([event])
        self.assertIn("王芳", sentence)  # the secretary, by her member name
        self.assertIn("李明", sentence)  # whose filing
        self.assertIn("2", sentence)
        self.assertIn("学习《党章》", sentence)
        self.assertNotIn("hours.approve", sentence)
        with override("en"):
            [english] = describe_events([event])
        self.assertEqual(english, "王芳 approved 李明's self-study filing “学习《党章》” (2 hours)")

    def test_unknown_actions_and_objects_still_read_as_sentences(self) -> None:
        w = self.world
        audit_record(actor=w.users["org_admin"], verb="orgs.tidy", obj=w.far_branch)
        audit_record(actor=None, verb="org.create", obj=w.far_unit)
        tidy, created = AuditEvent.objects.order_by("pk")
        with override("en"):
            sentences = describe_events([tidy, created])
        self.assertIn("org_admin", sentences[0])
        self.assertIn("orgs.tidy", sentences[0])  # an unknown verb is quoted, not dropped
        self.assertIn("第三党支部", sentences[0])
        self.assertEqual(sentences[1], "The system created organization “测试委党委”")

    def test_a_removed_object_falls_back_to_the_name_recorded_then(self) -> None:
        entry = self.file("已删除的学习")
        audit_record(actor=self.user("secretary"), verb="hours.reject", obj=entry)
        event = AuditEvent.objects.get(verb="hours.reject")
        event.object_id = "999999"  # as if the row were gone
        with override("en"):
            [sentence] = describe_events([event])
        self.assertIn("已删除的学习", sentence)

    def test_query_count_does_not_grow_with_the_page(self) -> None:
        client = self.client_for("org_admin")

        def page_queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(reverse("core:audit"))
            self.assertEqual(response.status_code, 200)
            return len(ctx.captured_queries)

        def add(n: int) -> None:
            for i in range(n):
                entry = self.file(f"学习 {i}")
                entry_approve(actor=self.user("secretary"), entry=entry)
                member_reveal_id(actor=self.user("org_admin"), member=self.world.far_member)

        add(2)
        small = page_queries()
        add(15)
        self.assertGreater(AuditEvent.objects.count(), 45)
        self.assertEqual(page_queries(), small)

    def test_the_page_shows_sentences_codes_and_filters_still_work(self) -> None:
        entry_approve(actor=self.user("secretary"), entry=self.file())
        member_reveal_id(actor=self.user("org_admin"), member=self.world.far_member)
        client = self.client_for("org_admin")
        page = client.get(reverse("core:audit")).content.decode()
        self.assertIn("李明", page)
        self.assertIn('<code class="text-muted">hours.approve</code>', page)
        only = client.get(reverse("core:audit"), {"verb": "member.reveal"}).content.decode()
        self.assertIn("孙丽", only)
        self.assertNotIn("hours.approve", only)


class ExportSentenceTests(PersonaTestCase):
    """Every audited export and document reads as a sentence in Chinese, never as its code."""

    VERBS = (
        "roster.export",
        "hours.ledger_export",
        "meeting.export",
        "meeting.record_book_export",
        "exams.exam.results_export",
        "exams.question.bank_export",
        "plan.document_export",
        "plan.filings_export",
        "training.roster_export",
        "attendance.template",
    )

    def test_each_export_verb_has_a_phrase(self) -> None:
        for verb in self.VERBS:
            audit_record(actor=self.user("org_admin"), verb=verb, obj=self.world.branch)
        events = list(AuditEvent.objects.order_by("pk"))
        with override("zh-hans"):
            sentences = describe_events(events)
        for verb, sentence in zip(self.VERBS, sentences, strict=True):
            with self.subTest(verb=verb):
                self.assertNotIn(verb, sentence)
                self.assertTrue(any(word in sentence for word in ("导出", "下载")), sentence)
