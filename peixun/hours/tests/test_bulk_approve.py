"""Approving several self-study filings at once: the service (all or nothing, each approval
audited as the single one), the pending page's "approve selected" and the API route."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from peixun.core.models import AuditEvent
from peixun.hours.models import CreditEntry, HoursSettings, YearlyRollup
from peixun.hours.services import MAX_BULK_APPROVE, entries_approve_bulk, self_study_file
from peixun.testing import PersonaTestCase

TODAY = timezone.localdate()
API = "/api/v1/hours/entries/approve"


class BulkApproveTestCase(PersonaTestCase):
    def file(
        self, persona: str = "member", title: str = "自学党章", hours: str = "1.5"
    ) -> CreditEntry:
        return self_study_file(actor=self.user(persona), on=TODAY, hours=hours, title=title)

    def states(self, *entries: CreditEntry) -> list[str]:
        return [CreditEntry.objects.get(pk=e.pk).state for e in entries]

    def approvals(self) -> int:
        return AuditEvent.objects.filter(verb__in=["hours.approve", "hours.approve_first"]).count()


class BulkApproveServiceTests(BulkApproveTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(translation.override("en"))  # the messages are matched in English

    def test_approves_each_and_audits_each(self) -> None:
        first, second = self.file(title="学党章"), self.file(title="学党史", hours="2")
        done = entries_approve_bulk(actor=self.user("secretary"), ids=[first.pk, second.pk])
        self.assertEqual([e.pk for e in done], [first.pk, second.pk])
        self.assertEqual(self.states(first, second), ["confirmed", "confirmed"])
        events = AuditEvent.objects.filter(verb="hours.approve").order_by("id")
        self.assertEqual([e.object_id for e in events], [str(first.pk), str(second.pk)])
        self.assertEqual(YearlyRollup.objects.get(member=self.world.member).hours, Decimal("3.5"))

    def assert_refused(self, persona: str, ids: list[Any], *fragments: str) -> None:
        before = (self.approvals(), list(CreditEntry.objects.values_list("pk", "state")))
        with self.assertRaises(ValidationError) as caught:
            entries_approve_bulk(actor=self.user(persona), ids=ids)
        text = " ".join(caught.exception.messages)
        for fragment in fragments:
            self.assertIn(fragment, text)
        after = (self.approvals(), list(CreditEntry.objects.values_list("pk", "state")))
        self.assertEqual(after, before)
        self.assertFalse(YearlyRollup.objects.exists())

    def test_one_out_of_charge_refuses_them_all(self) -> None:
        mine, theirs = self.file(), self.file("other_secretary", title="另一支部的自学")
        self.assert_refused("secretary", [mine.pk, theirs.pk], f"Filing {theirs.pk} ")
        self.assert_refused("secretary", [mine.pk, 999999], "Filing 999999 ")
        self.assertEqual(self.states(mine, theirs), ["pending", "pending"])

    def test_one_no_longer_pending_refuses_them_all(self) -> None:
        done, waiting = self.file(title="已批"), self.file(title="待批")
        entries_approve_bulk(actor=self.user("secretary"), ids=[done.pk])
        approvals = self.approvals()
        with self.assertRaises(ValidationError) as caught:
            entries_approve_bulk(actor=self.user("org_admin"), ids=[waiting.pk, done.pk])
        self.assertIn("已批", " ".join(caught.exception.messages))
        self.assertEqual(self.states(waiting), ["pending"])
        self.assertEqual(self.approvals(), approvals)

    def test_own_filing_refuses_them_all(self) -> None:
        own, other = self.file("secretary", title="书记的自学"), self.file()
        self.assert_refused("secretary", [other.pk, own.pk], "书记的自学", "your own")

    def test_bad_lists(self) -> None:
        self.assert_refused("secretary", [], "at least one")
        self.assert_refused("secretary", list(range(1, MAX_BULK_APPROVE + 2)), "at most")
        with self.assertRaises(PermissionDenied):
            entries_approve_bulk(actor=self.user("viewer"), ids=[self.file().pk])
        with self.assertRaises(PermissionDenied):
            entries_approve_bulk(actor=self.user("member"), ids=[self.file().pk])

    def test_repeated_ids_approve_once(self) -> None:
        entry = self.file()
        entries_approve_bulk(actor=self.user("secretary"), ids=[entry.pk, entry.pk])
        self.assertEqual(self.approvals(), 1)

    def test_two_stages(self) -> None:
        HoursSettings.objects.update_or_create(
            tenant=self.world.root, defaults={"two_stage_approval": True}
        )
        first, second = self.file(title="一"), self.file(title="二")
        entries_approve_bulk(actor=self.user("secretary"), ids=[first.pk, second.pk])
        self.assertEqual(self.states(first, second), ["pending", "pending"])
        self.assertEqual(AuditEvent.objects.filter(verb="hours.approve_first").count(), 2)
        self.assert_refused("secretary", [first.pk], "waits for the org admin")
        entries_approve_bulk(actor=self.user("org_admin"), ids=[first.pk, second.pk])
        self.assertEqual(self.states(first, second), ["confirmed", "confirmed"])
        self.assertEqual(AuditEvent.objects.filter(verb="hours.approve").count(), 2)


class BulkApprovePageTests(BulkApproveTestCase):
    url = reverse("hours:approve_bulk")

    def test_personas(self) -> None:
        entries = [self.file(title="甲"), self.file(title="乙")]
        ids = [e.pk for e in entries]
        self.expect_personas(
            self.url,
            {
                "anonymous": 302,
                "member": 404,
                "viewer": 404,
                "other_secretary": 302,  # not theirs: "nothing was approved"
                "secretary": 302,
                "org_admin": 302,  # already approved: "nothing was approved"
            },
            method="post",
            data={"ids": ids},
        )
        self.assertEqual(self.states(*entries), ["confirmed", "confirmed"])
        self.assertEqual(self.approvals(), 2)

    def messages_after(self, persona: str, data: dict[str, Any]) -> list[tuple[str, str]]:
        response = self.client_for(persona).post(self.url, data, follow=True)
        self.assertRedirects(response, reverse("hours:pending"))
        return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]

    def test_approve_selected_and_the_messages(self) -> None:
        entries = [self.file(title="甲"), self.file(title="乙"), self.file(title="丙")]
        page = self.client_for("secretary").get(reverse("hours:pending"))
        self.assertTrue(page.context["actionable"])
        for e in entries:
            self.assertContains(page, f'name="ids" value="{e.pk}" form="bulk-approve"')
        self.assertContains(page, 'id="bulk-approve"')
        said = self.messages_after("secretary", {"ids": [entries[0].pk, entries[2].pk]})
        self.assertEqual([level for level, _text in said], ["success"])
        self.assertEqual(self.states(*entries), ["confirmed", "pending", "confirmed"])
        refused = self.messages_after("secretary", {"ids": [entries[0].pk, entries[1].pk]})
        self.assertEqual([level for level, _text in refused], ["error"])
        self.assertIn("甲", refused[0][1])
        self.assertEqual(self.states(entries[1]), ["pending"])
        self.assertEqual(self.messages_after("secretary", {"ids": ["x"]})[0][0], "error")
        self.assertEqual(self.messages_after("secretary", {})[0][0], "error")

    def test_no_checkbox_where_nothing_can_be_approved(self) -> None:
        own = self.file("secretary", title="书记的自学")
        page = self.client_for("secretary").get(reverse("hours:pending"))
        self.assertFalse(page.context["actionable"])
        self.assertNotContains(page, 'id="bulk-approve"')
        self.assertNotContains(page, f'value="{own.pk}" form="bulk-approve"')


class BulkApproveApiTests(BulkApproveTestCase):
    def post(self, persona: str, ids: list[Any]) -> Any:
        return self.client_for(persona).post(
            API, data=json.dumps({"ids": ids}), content_type="application/json"
        )

    def test_personas(self) -> None:
        entries = [self.file(title="甲"), self.file(title="乙")]
        self.expect_personas(
            API,
            {
                "anonymous": 401,
                "member": 403,
                "viewer": 403,
                "other_secretary": 422,
                "secretary": 200,
                "org_admin": 422,  # already approved
            },
            method="post",
            data=json.dumps({"ids": [e.pk for e in entries]}),
            content_type="application/json",
        )
        self.assertEqual(self.states(*entries), ["confirmed", "confirmed"])
        self.assertEqual(self.approvals(), 2)

    def test_answer_and_refusal(self) -> None:
        first, second = self.file(title="甲"), self.file(title="乙")
        answer = self.post("secretary", [second.pk, first.pk])
        self.assertEqual(answer.status_code, 200)
        body = answer.json()
        self.assertEqual(
            [(e["id"], e["state"]) for e in body],
            [(second.pk, "confirmed"), (first.pk, "confirmed")],
        )
        third = self.file(title="丙")
        refused = self.post("secretary", [third.pk, first.pk])
        self.assertEqual(refused.status_code, 422)
        detail = refused.json()["detail"]
        self.assertEqual(detail[0]["loc"], ["body", "ids"])
        self.assertIn("甲", detail[0]["msg"])
        self.assertEqual(self.states(third), ["pending"])
        self.assertEqual(self.post("secretary", ["x"]).status_code, 422)
        self.assertEqual(self.post("secretary", []).status_code, 422)
        self.assertEqual(
            self.client_for("secretary")
            .post(API, data="{}", content_type="application/json")
            .status_code,
            422,
        )
        self.assertEqual(self.states(third), ["pending"])
