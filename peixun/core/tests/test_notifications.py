"""The notification centre: sending once per key, email only with SMTP, private pages."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from peixun.core.models import Notification
from peixun.core.notifications import (
    notification_mark_all_read,
    notification_send,
    unread_count,
)
from peixun.testing import PersonaTestCase


class NotificationServiceTests(PersonaTestCase):
    def test_send_once_per_dedupe_key(self) -> None:
        member = self.user("member")
        secretary = self.user("secretary")
        first = notification_send(
            actor=None,
            recipients=[member, secretary],
            title="t",
            body="b",
            url="/x/",
            dedupe_key="k1",
        )
        again = notification_send(
            actor=None,
            recipients=[member, secretary],
            title="t",
            body="b",
            url="/x/",
            dedupe_key="k1",
        )
        self.assertEqual(len(first), 2)
        self.assertEqual(again, [])
        self.assertEqual(Notification.objects.filter(dedupe_key="k1").count(), 2)
        # Without a key every send is new.
        notification_send(actor=None, recipients=[member], title="t")
        notification_send(actor=None, recipients=[member], title="t")
        self.assertEqual(Notification.objects.filter(recipient=member, dedupe_key="").count(), 2)

    def test_no_recipients_is_harmless(self) -> None:
        self.assertEqual(notification_send(actor=None, recipients=[None], title="t"), [])
        self.assertFalse(Notification.objects.exists())

    @override_settings(EMAIL_HOST="")
    def test_no_email_without_smtp(self) -> None:
        member = self.user("member")
        assert member is not None
        member.email = "li@example.org"
        member.save()
        with self.captureOnCommitCallbacks(execute=True):
            notification_send(actor=None, recipients=[member], title="hello", dedupe_key="e0")
        self.assertEqual(mail.outbox, [])

    @override_settings(
        EMAIL_HOST="smtp.example.org",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        SITE_URL="https://peixun.example.org",
    )
    def test_email_with_smtp_after_commit(self) -> None:
        member = self.user("member")
        secretary = self.user("secretary")
        assert member is not None
        member.email = "li@example.org"
        member.save()
        with self.captureOnCommitCallbacks(execute=True):
            notification_send(
                actor=None,
                recipients=[member, secretary],
                title="hello",
                body="body",
                url="/n/",
                dedupe_key="e1",
            )
        # The secretary has no address: in-app only.
        self.assertEqual([m.to for m in mail.outbox], [["li@example.org"]])
        self.assertIn("https://peixun.example.org/n/", mail.outbox[0].body)
        self.assertIsNotNone(Notification.objects.get(recipient=member).emailed_at)
        self.assertIsNone(Notification.objects.get(recipient=secretary).emailed_at)
        with self.captureOnCommitCallbacks(execute=True):
            notification_send(actor=None, recipients=[member], title="hello", dedupe_key="e1")
        self.assertEqual(len(mail.outbox), 1)

    def test_unread_count_and_mark_all(self) -> None:
        member = self.user("member")
        notification_send(actor=None, recipients=[member], title="a")
        notification_send(actor=None, recipients=[member], title="b")
        notification_send(actor=None, recipients=[self.user("secretary")], title="c")
        self.assertEqual(unread_count(actor=member), 2)
        self.assertEqual(notification_mark_all_read(actor=member), 2)
        self.assertEqual(unread_count(actor=member), 0)
        self.assertEqual(unread_count(actor=self.user("secretary")), 1)


class NotificationPageTests(PersonaTestCase):
    member_note: ClassVar[Notification]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        users = cls.world.users
        for persona in ("member", "secretary", "other_secretary", "org_admin", "viewer"):
            notification_send(
                actor=None,
                recipients=[users[persona]],
                title=f"for {persona}",
                body="body",
                url="/",
            )
        cls.member_note = Notification.objects.get(recipient=users["member"])

    def test_list_personas(self) -> None:
        self.expect_personas(
            reverse("core:notifications"),
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_detail_is_private(self) -> None:
        # Another user's notification does not exist for them: 404, for every other persona.
        self.expect_personas(
            reverse("core:notification_open", args=[self.member_note.pk]),
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 404,
                "viewer": 404,
            },
        )

    def test_mark_read_personas(self) -> None:
        url = reverse("core:notification_read", args=[self.member_note.pk])
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 302,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 404,
                "viewer": 404,
            },
            method="post",
        )
        self.member_note.refresh_from_db()
        self.assertIsNotNone(self.member_note.read_at)
        # Nobody else's notification was touched.
        self.assertEqual(Notification.objects.filter(read_at__isnull=False).count(), 1)

    def test_mark_read_needs_post(self) -> None:
        url = reverse("core:notification_read", args=[self.member_note.pk])
        self.assertEqual(self.client_for("member").get(url).status_code, 405)

    def test_read_all_personas(self) -> None:
        self.expect_personas(
            reverse("core:notifications_read_all"),
            {
                "anonymous": 302,
                "member": 302,
                "secretary": 302,
                "other_secretary": 302,
                "org_admin": 302,
                "viewer": 302,
            },
            method="post",
        )
        self.assertFalse(Notification.objects.filter(read_at__isnull=True).exists())

    def test_list_shows_own_newest_first_unread_bold_and_badge(self) -> None:
        member = self.user("member")
        notification_send(actor=None, recipients=[member], title="second message")
        client = self.client_for("member")
        body = client.get(reverse("core:notifications")).content.decode()
        self.assertIn("for member", body)
        self.assertNotIn("for secretary", body)
        self.assertLess(body.index("second message"), body.index("for member"))
        self.assertIn("text-break fw-bold", body)  # unread in bold
        self.assertIn('bg-light text-danger" aria-label', body)  # the navbar badge
        client.post(reverse("core:notification_read", args=[self.member_note.pk]), {"go": "1"})
        body = client.get(reverse("core:notifications") + "?unread=1").content.decode()
        self.assertNotIn("for member", body)
        self.assertIn("second message", body)

    def test_open_follows_local_link_only(self) -> None:
        note = notification_send(
            actor=None, recipients=[self.user("member")], title="x", url="https://evil.example/"
        )[0]
        note = Notification.objects.get(title="x")
        response = self.client_for("member").post(
            reverse("core:notification_read", args=[note.pk]), {"go": "1"}
        )
        self.assertEqual(response["Location"], reverse("core:notifications"))
        response = self.client_for("member").post(
            reverse("core:notification_read", args=[self.member_note.pk]), {"go": "1"}
        )
        self.assertEqual(response["Location"], "/")

    def test_empty_state_and_pagination(self) -> None:
        notification_mark_all_read(actor=self.user("viewer"))
        response = self.client_for("viewer").get(reverse("core:notifications") + "?unread=1")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["page"].object_list), [])
        self.assertNotIn("text-break fw-bold", response.content.decode())
        self.assertContains(response, '<p class="text-muted">')  # the empty state
        member = self.user("member")
        for i in range(60):
            notification_send(actor=None, recipients=[member], title=f"bulk {i}")
        page2 = self.client_for("member").get(reverse("core:notifications") + "?page=2")
        self.assertEqual(page2.status_code, 200)
        self.assertEqual(len(page2.context["page"].object_list), 11)

    def test_badge_is_one_query(self) -> None:
        client = self.client_for("member")
        client.get(reverse("core:notifications"))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("core:notifications"))
        counting = [q for q in ctx.captured_queries if "core_notification" in q["sql"]]
        # One COUNT for the badge, one COUNT and one SELECT for the paginated list.
        self.assertEqual(len(counting), 3)


class ActorAndDateTests(PersonaTestCase):
    def test_the_actor_is_never_told_about_their_own_act(self) -> None:
        member, secretary = self.user("member"), self.user("secretary")
        sent = notification_send(actor=secretary, recipients=[member, secretary], title="t")
        self.assertEqual([n.recipient_id for n in sent], [member.pk])
        self.assertFalse(Notification.objects.filter(recipient=secretary).exists())
        # A job (no actor) and an anonymous actor drop nobody.
        self.assertEqual(len(notification_send(actor=None, recipients=[secretary], title="t")), 1)

    def test_event_date_from_a_start_time_is_its_local_day(self) -> None:
        starts = dt.datetime(2026, 3, 9, 23, 30, tzinfo=timezone.get_current_timezone())
        note = notification_send(
            actor=None, recipients=[self.user("member")], title="meeting", event_date=starts
        )[0]
        self.assertEqual(Notification.objects.get(pk=note.pk).event_date, dt.date(2026, 3, 9))


class ClickThroughTests(PersonaTestCase):
    linked: ClassVar[Notification]
    plain: ClassVar[Notification]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        member = cls.world.users["member"]
        notification_send(
            actor=None,
            recipients=[member],
            title="Dispatched",
            body="Download your dispatch notice: /training/7/notice/ (1/3 of the hours)",
            url="/training/7/",
        )
        notification_send(actor=None, recipients=[member], title="Plain", body="no link")
        cls.linked = Notification.objects.get(title="Dispatched")
        cls.plain = Notification.objects.get(title="Plain")

    def test_the_list_links_the_title_to_the_object_and_paths_in_the_text(self) -> None:
        body = self.client_for("member").get(reverse("core:notifications")).content.decode()
        go = reverse("core:notification_go", args=[self.linked.pk])
        self.assertIn(f'href="{go}"', body)
        self.assertIn('<a href="/training/7/notice/">/training/7/notice/</a>', body)
        self.assertNotIn('href="/3', body)  # a fraction is not a path

    def test_clicking_through_marks_read_and_lands_on_the_object(self) -> None:
        client = self.client_for("member")
        response = client.get(reverse("core:notification_go", args=[self.linked.pk]))
        self.assertRedirects(response, "/training/7/", fetch_redirect_response=False)
        self.linked.refresh_from_db()
        self.assertTrue(self.linked.is_read)
        # Without a link it opens the message itself (read too).
        response = client.get(reverse("core:notification_go", args=[self.plain.pk]))
        self.assertRedirects(response, reverse("core:notification_open", args=[self.plain.pk]))
        self.plain.refresh_from_db()
        self.assertTrue(self.plain.is_read)

    def test_go_is_private(self) -> None:
        self.expect_personas(
            reverse("core:notification_go", args=[self.linked.pk]),
            {
                "anonymous": 302,
                "member": 302,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 404,
                "viewer": 404,
            },
        )

    def test_opening_the_detail_marks_read_and_shows_a_real_link(self) -> None:
        response = self.client_for("member").get(
            reverse("core:notification_open", args=[self.linked.pk])
        )
        self.assertContains(response, '<a class="btn btn-sm btn-danger" href="/training/7/">')
        self.assertContains(response, '<a href="/training/7/notice/">')
        self.linked.refresh_from_db()
        self.assertTrue(self.linked.is_read)

    def test_the_event_date_is_shown_rather_than_the_send_time(self) -> None:
        notification_send(
            actor=None,
            recipients=[self.user("member")],
            title="Meeting soon",
            event_date=dt.date(2031, 5, 6),
        )
        body = self.client_for("member").get(reverse("core:notifications")).content.decode()
        self.assertIn("2031-05-06", body)

    def test_a_foreign_link_is_never_followed(self) -> None:
        note = notification_send(
            actor=None, recipients=[self.user("member")], title="x", url="https://evil.example/"
        )[0]
        note = Notification.objects.get(title="x")
        response = self.client_for("member").get(reverse("core:notification_go", args=[note.pk]))
        self.assertEqual(response["Location"], reverse("core:notification_open", args=[note.pk]))
        detail = self.client_for("member").get(response["Location"]).content.decode()
        self.assertNotIn("evil.example", detail.split("<main")[1].split("card-body")[0])
