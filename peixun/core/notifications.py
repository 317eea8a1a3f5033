"""The notification centre's write path: in-app messages, and email when SMTP is configured.

Sending names the actor whose act caused it (`None` for a job such as `run_warnings`): nobody is
told about their own action, so the actor is dropped from the recipients. Reading and marking
read are the recipient's own acts (`notification_mark_read`). A notification is private to its
recipient. A message about something that happens on a day (a meeting, a class, a test) carries
that day as `event_date`, which the pages show instead of the time it was sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from peixun.core.scoping import Actor

from .models import Notification

logger = logging.getLogger(__name__)


def email_enabled() -> bool:
    """Email goes out only when an operator named an SMTP host (see docs/warnings.md)."""
    return bool(getattr(settings, "EMAIL_HOST", ""))


def _absolute(url: str) -> str:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{url}" if base and url.startswith("/") else url


@transaction.atomic
def notification_send(
    *,
    actor: Actor | None,
    recipients: Iterable[Any],
    title: str,
    body: str = "",
    url: str = "",
    kind: str = Notification.Kind.GENERAL,
    dedupe_key: str = "",
    event_date: dt.date | None = None,
) -> list[Notification]:
    """Send one message to each recipient (users), once per `dedupe_key`; returns the new rows.

    A recipient who already holds a notification with the same non-empty key gets nothing new,
    so a job that runs twice a day notifies once. The `actor` (who did what the message is about)
    is never among the recipients. Email follows after commit, to recipients with
    an address, only when SMTP is configured; a failed email never undoes the in-app message.
    """
    users = {u.pk: u for u in recipients if u is not None and getattr(u, "pk", None)}
    if actor is not None and getattr(actor, "is_authenticated", False):
        users.pop(actor.pk, None)
    if isinstance(event_date, dt.datetime):
        # A start time is shown as its local day (the body says the hour).
        event_date = timezone.localdate(event_date)
    if not users:
        return []
    if dedupe_key:
        # In chunks: SQLite refuses a statement with more than 32,766 parameters, and a
        # tenant-wide message (an exam published to everyone) can have more recipients.
        ids = list(users)
        for start in range(0, len(ids), 10_000):
            already = Notification.objects.filter(
                recipient_id__in=ids[start : start + 10_000], dedupe_key=dedupe_key
            ).values_list("recipient_id", flat=True)
            for pk in already:
                users.pop(pk, None)
    rows = [
        Notification(
            recipient_id=pk,
            kind=kind,
            title=title[:200],
            body=body,
            url=url[:300],
            dedupe_key=dedupe_key[:120],
            event_date=event_date,
        )
        for pk in sorted(users)
    ]
    # ignore_conflicts covers a second job racing this one to the same key.
    Notification.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=bool(dedupe_key))
    if email_enabled():
        addressed = [(pk, u.email) for pk, u in users.items() if getattr(u, "email", "")]
        if addressed:
            ids = [row.pk for row in rows if row.pk]
            transaction.on_commit(lambda: _email(addressed, title, body, url, dedupe_key, ids))
    return rows


def _email(
    addressed: list[tuple[int, str]], title: str, body: str, url: str, key: str, ids: list[int]
) -> None:
    text = body + (f"\n\n{_absolute(url)}" if url else "")
    sent: list[int] = []
    for pk, address in addressed:
        try:
            send_mail(title, text, None, [address], fail_silently=False)
            sent.append(pk)
        except Exception:  # noqa: BLE001 - one bad address or a down server must not stop the rest
            logger.exception("notification email to user %s failed", pk)
    if sent:
        # With a key the rows are found by it (ignore_conflicts leaves no primary keys).
        rows = Notification.objects.filter(recipient_id__in=sent, emailed_at__isnull=True)
        rows = rows.filter(dedupe_key=key[:120]) if key else rows.filter(pk__in=ids)
        rows.update(emailed_at=timezone.now())


def notifications_for(*, actor: Actor, unread_only: bool = False) -> QuerySet[Notification]:
    """The actor's own notifications, newest first (only the unread ones if `unread_only`).
    Nobody lists anybody else's."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Notification.objects.none()
    items = Notification.objects.filter(recipient_id=actor.pk)
    if unread_only:
        items = items.filter(read_at__isnull=True)
    return items.order_by("-created_at", "-id")


def unread_count(*, actor: Actor) -> int:
    return notifications_for(actor=actor).filter(read_at__isnull=True).count()


def notification_get(*, actor: Actor, pk: int) -> Notification:
    """The actor's notification `pk`, or 404 — another user's notification does not exist for them."""
    found = notifications_for(actor=actor).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@transaction.atomic
def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    if notification.recipient_id != getattr(actor, "pk", None):
        raise Http404
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: Actor) -> int:
    return (
        notifications_for(actor=actor).filter(read_at__isnull=True).update(read_at=timezone.now())
    )
