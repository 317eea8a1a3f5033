from typing import Any, NoReturn

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .scoping import ScopedQuerySet, scope_of

# The hash a chain starts from before its first event (and before the first purge).
GENESIS_HASH = "0" * 64


class AuditAppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event other than the retention purge."""


class AuditEventQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"

    def visible_to(self, actor):  # type: ignore[no-untyped-def]
        # The audit trail is for those who administer a subtree, their security administrators
        # and auditors; not for viewers or members.
        scope = scope_of(actor)
        if scope.platform:
            return self.all()
        return self._filter_paths(scope.audit_paths)

    # Append-only: the trail is added to, never changed (core.audit chains every event to the
    # one before it; `audit_verify` finds any row changed behind the ORM's back).

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditAppendOnlyError("The audit trail is append-only: events are never updated.")

    def delete(self) -> NoReturn:
        raise AuditAppendOnlyError(
            "The audit trail is append-only: only the retention purge removes events."
        )

    def _purge(self) -> int:
        """Delete these events: for `core.audit.audit_purge` only, inside its transaction (on
        PostgreSQL it switches the append-only trigger off for that transaction alone)."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('peixun.audit_purge', 'on', true)")
        deleted, _by_model = models.QuerySet.delete(self)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('peixun.audit_purge', 'off', true)")
        return deleted


class AuditEvent(models.Model):
    """One thing someone did, chained to the event before it: `hash` is SHA-256 over this
    event's contents and `prev_hash` (core.audit.event_hash), so editing, deleting or inserting a
    row breaks the chain where `manage.py audit_verify` finds it."""

    # Set by core.audit before hashing (not auto_now_add, which would overwrite it on save).
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # No database constraint and nothing done on delete: an event keeps the id of whoever acted
    # and of the org even after they are gone (clearing it would change a hashed field).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    verb = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, default=GENESIS_HASH)
    hash = models.CharField(_("hash"), max_length=64, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditAppendOnlyError("The audit trail is append-only: events are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditAppendOnlyError(
            "The audit trail is append-only: only the retention purge removes events."
        )


class AuditChain(models.Model):
    """The chain's one head row (pk 1): the hash of the newest event, and where the chain now
    starts after a retention purge. Appending locks this row, so the chain stays one line
    under concurrent writers."""

    last_hash = models.CharField(_("hash of the newest event"), max_length=64, default=GENESIS_HASH)
    last_event_id = models.BigIntegerField(_("newest event"), null=True, blank=True)
    # After a purge: the hash of the last purged event, which the oldest kept one points to.
    start_hash = models.CharField(_("chain start"), max_length=64, default=GENESIS_HASH)
    purged_through_id = models.BigIntegerField(_("purged through event"), null=True, blank=True)
    purged_at = models.DateTimeField(_("last purged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit chain")
        verbose_name_plural = _("audit chain")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="audit_chain_single")]

    def __str__(self) -> str:
        return f"audit chain at {self.last_hash[:12]}"


class Notification(models.Model):
    """One message to one user in the in-app notification centre. Private to its recipient:
    nobody else, not even a platform admin, lists another user's notifications here."""

    class Kind(models.TextChoices):
        HOURS_WARNING = "hours_warning", _("Study-hour warning")
        BRANCH_DIGEST = "branch_digest", _("Branch digest")
        GENERAL = "general", _("General")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.GENERAL)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # A job that may run twice names what it sends; the same key never reaches a user twice.
    dedupe_key = models.CharField(_("deduplication key"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    # The day of the meeting, class or test the message is about (not the day it was sent).
    event_date = models.DateField(_("date of the event"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_dedupe",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class JobRun(models.Model):
    """One turn of a periodic job (`core.jobs`): the scheduler writes one row per job and
    period — the unique (name, slot) makes a second scheduler, or a restart, harmless — and the
    task worker runs it, retrying a failure with a growing pause. Operators read these rows on
    the jobs page and with `manage.py jobs_status`."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        RETRYING = "retrying", _("Failed, will retry")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("job"), max_length=64)
    # The start of the period this run is for (now, for a run asked for by hand or by cron).
    slot = models.DateTimeField(_("period"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    result = models.CharField(_("result"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-slot", "name"]
        indexes = [models.Index(fields=["name", "-slot"], name="jobrun_name_slot_idx")]
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="jobrun_once_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"


class KeptFigures(models.Model):
    """What every kept copy of computed figures has (the 数据驾驶舱's, a large org's compliance
    summary): whose, which year and as-of date, when and how long computing them took. Aggregate
    figures only, never a person's data; the subclass names its figures and its unique key."""

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("org")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    as_of = models.DateField(_("as of"))
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(_("seconds taken"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.org_id} {self.year} @{self.as_of}"
