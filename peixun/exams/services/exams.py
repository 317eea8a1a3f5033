"""Exams: drafted by a manager of the org, published to an audience recorded at that moment
(the whole subtree with member filters, or a reproducible random sample per branch for a
随机抽测), and finalised after closing, when passing earns the exam's study hours on the
ledger."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.notifications import notification_send
from peixun.core.permissions import require_admin, require_manage
from peixun.core.sampling import sample_per_branch
from peixun.core.scoping import Actor, actor_id, scope_of
from peixun.hours.models import HOURS_STEP, CreditEntry, Kind
from peixun.hours.services import entry_record
from peixun.members.models import Member, Membership
from peixun.orgs.models import Organization
from peixun.orgs.selectors import tenant_of

from ..models import Attempt, Candidate, Exam, ExamKind, ExamRule, Paper
from ..selectors import paper_problems
from .attempts import attempts_expire

EXAM_AUDIT = [
    "org", "title", "kind", "paper", "opens_at", "closes_at", "time_limit_minutes",
    "attempts_allowed", "pass_percent", "shuffle_questions", "shuffle_options", "show_answers",
    "credit_hours", "audience", "member_statuses", "cadre_ranks", "sample_count",
    "sample_percent", "seed", "leaderboard", "state",
]  # fmt: skip
EDITABLE = ("title", *EXAM_AUDIT[2:-2], "leaderboard")
DEFAULT_STATUSES = [Member.Status.FULL, Member.Status.PROBATIONARY]
MAX_ATTEMPTS = 10
MAX_MINUTES = 600


def exam_rule(org: Organization) -> ExamRule:
    """The tenant's rule (0.5 学时 for passing and no leaderboards, until it says otherwise)."""
    tenant = tenant_of(org)
    return ExamRule.objects.filter(tenant=tenant).first() or ExamRule(tenant=tenant)


@transaction.atomic
def exam_rule_update(
    *, actor: Actor, tenant: Organization, pass_credit_hours: Any, contest_leaderboards: bool
) -> ExamRule:
    tenant = tenant_of(tenant)
    require_admin(actor, tenant)
    hours = _decimal(pass_credit_hours)
    if hours is None or hours < 0 or hours > 8 or hours % HOURS_STEP:
        raise ValidationError(
            {"pass_credit_hours": _("Give study hours from 0 to 8, in steps of 0.25.")}
        )
    rule, _created = ExamRule.objects.get_or_create(tenant=tenant)
    before = snapshot(rule, ["pass_credit_hours", "contest_leaderboards"])
    rule.pass_credit_hours = hours.quantize(Decimal("0.01"))
    rule.contest_leaderboards = bool(contest_leaderboards)
    rule.save()
    audit_record(
        actor=actor, verb="exams.rule", obj=tenant, org=tenant, before=before,
        after=snapshot(rule, ["pass_credit_hours", "contest_leaderboards"]),
    )  # fmt: skip
    return rule


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def clean_exam_fields(org: Organization, data: dict[str, Any]) -> dict[str, Any]:
    """Every setting checked at once; one ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 200:
        errors["title"] = _("Give the exam a title of at most 200 characters.")
    clean["title"] = title
    kind = data.get("kind")
    if kind not in ExamKind.values:
        errors["kind"] = _("Choose the kind of exam.")
    clean["kind"] = kind
    paper = data.get("paper")
    if not isinstance(paper, Paper):
        errors["paper"] = _("Choose a paper.")
    elif not (org.path.startswith(paper.org.path) or paper.org.path.startswith(org.path)):
        errors["paper"] = _("The paper belongs to an organisation this exam can't use.")
    clean["paper"] = paper
    opens, closes = data.get("opens_at"), data.get("closes_at")
    if not isinstance(opens, dt.datetime):
        errors["opens_at"] = _("Give the date and time the exam opens.")
    if not isinstance(closes, dt.datetime):
        errors["closes_at"] = _("Give the date and time the exam closes.")
    elif isinstance(opens, dt.datetime) and closes <= opens:
        errors["closes_at"] = _("The exam must close after it opens.")
    clean["opens_at"], clean["closes_at"] = opens, closes
    minutes = _int(data.get("time_limit_minutes"))
    if minutes is None or not 1 <= minutes <= MAX_MINUTES:
        errors["time_limit_minutes"] = _("Give a time limit from 1 to 600 minutes.")
    clean["time_limit_minutes"] = minutes
    attempts = _int(data.get("attempts_allowed") or 1)
    if attempts is None or not 1 <= attempts <= MAX_ATTEMPTS:
        errors["attempts_allowed"] = _("Allow from 1 to 10 attempts.")
    clean["attempts_allowed"] = attempts
    pass_percent = _int(data.get("pass_percent"))
    if pass_percent is None or not 0 <= pass_percent <= 100:
        errors["pass_percent"] = _("Give the pass mark as a percentage from 0 to 100.")
    clean["pass_percent"] = pass_percent
    for flag in ("shuffle_questions", "shuffle_options"):
        clean[flag] = bool(data.get(flag, True))
    show = data.get("show_answers") or Exam.ShowAnswers.AFTER_CLOSE
    if show not in Exam.ShowAnswers.values:
        errors["show_answers"] = _("Choose when answers are shown.")
    clean["show_answers"] = show
    credit = data.get("credit_hours")
    hours = exam_rule(org).pass_credit_hours if credit in (None, "") else _decimal(credit)
    # The ledger takes hours in quarter steps: anything else could never be credited.
    if hours is None or hours < 0 or hours > 8 or hours % HOURS_STEP:
        errors["credit_hours"] = _("Give study hours from 0 to 8, in steps of 0.25.")
    clean["credit_hours"] = hours.quantize(Decimal("0.01")) if hours is not None else hours
    audience = data.get("audience") or Exam.Audience.SUBTREE
    if audience not in Exam.Audience.values:
        errors["audience"] = _("Choose the audience.")
    clean["audience"] = audience
    statuses = list(data.get("member_statuses") or DEFAULT_STATUSES)
    if any(s not in Member.Status.values for s in statuses):
        errors["member_statuses"] = _("Choose member statuses from the list.")
    clean["member_statuses"] = statuses
    ranks = list(data.get("cadre_ranks") or [])
    if any(r not in Member.CadreRank.values for r in ranks):
        errors["cadre_ranks"] = _("Choose cadre ranks from the list.")
    clean["cadre_ranks"] = ranks
    count, percent = _int(data.get("sample_count")), _int(data.get("sample_percent"))
    clean["sample_count"] = clean["sample_percent"] = None
    if audience == Exam.Audience.SAMPLE:
        if (count is None) == (percent is None):
            errors["sample_count"] = _(
                "For a sample, give either a number of members or a percentage per branch."
            )
        elif count is not None and not 1 <= count <= 10000:
            errors["sample_count"] = _("Sample from 1 to 10,000 members per branch.")
        elif percent is not None and not 1 <= percent <= 100:
            errors["sample_percent"] = _("Sample from 1% to 100% of each branch.")
        clean["sample_count"], clean["sample_percent"] = count, percent
    leaderboard = bool(data.get("leaderboard", False))
    if leaderboard and kind != ExamKind.CONTEST:
        errors["leaderboard"] = _("Only a contest may show a leaderboard.")
    elif leaderboard and not exam_rule(org).contest_leaderboards:
        errors["leaderboard"] = _(
            "Leaderboards are off for this tenant; an org admin of the tenant can allow them "
            "for contests on the rules page."
        )
    clean["leaderboard"] = leaderboard
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def exam_create(*, actor: Actor, org: Organization, data: dict[str, Any]) -> Exam:
    require_manage(actor, org)
    clean = clean_exam_fields(org, data)
    exam = Exam.objects.create(org=org, created_by_id=actor_id(actor), **clean)
    audit_record(
        actor=actor, verb="exams.exam.create", obj=exam, org=org,
        after=snapshot(exam, EXAM_AUDIT),
    )  # fmt: skip
    return exam


def _locked(exam: Exam) -> Exam:
    return Exam.objects.select_for_update().select_related("org", "paper").get(pk=exam.pk)


@transaction.atomic
def exam_update(*, actor: Actor, exam: Exam, data: dict[str, Any]) -> Exam:
    """A draft changes freely; once published only the title, the close time (later) and when
    answers are shown may change, so no taker's paper or audience moves under them."""
    exam = _locked(exam)
    require_manage(actor, exam.org)
    before = snapshot(exam, EXAM_AUDIT)
    if exam.state == Exam.State.DRAFT:
        merged = {name: getattr(exam, name) for name in EDITABLE} | data
        clean = clean_exam_fields(exam.org, merged)
    elif exam.state == Exam.State.PUBLISHED:
        clean = {}
        fixed = set(data) - {"title", "closes_at", "show_answers"}
        changed = [n for n in fixed if data[n] != getattr(exam, n)]
        if changed:
            raise ValidationError(
                {changed[0]: _("The exam is published: only its title, closing time and when "
                               "answers are shown can change.")}
            )  # fmt: skip
        title = str(data.get("title", exam.title) or "").strip()
        if not title or len(title) > 200:
            raise ValidationError({"title": _("Give the exam a title of at most 200 characters.")})
        clean["title"] = title
        closes = data.get("closes_at", exam.closes_at)
        if not isinstance(closes, dt.datetime) or closes < exam.closes_at:
            raise ValidationError(
                {"closes_at": _("A published exam's closing time can only move later.")}
            )
        if closes != exam.closes_at and timezone.now() >= exam.closes_at:
            # Answers may already be shown after the close: reopening would let people retake
            # knowing them.
            raise ValidationError(
                {"closes_at": _("The exam has closed; its closing time can no longer move.")}
            )
        clean["closes_at"] = closes
        show = data.get("show_answers", exam.show_answers)
        if show not in Exam.ShowAnswers.values:
            raise ValidationError({"show_answers": _("Choose when answers are shown.")})
        clean["show_answers"] = show
    else:
        raise ValidationError({"state": _("A finalised or cancelled exam can't be changed.")})
    extended = "closes_at" in clean and clean["closes_at"] != exam.closes_at
    for name, value in clean.items():
        setattr(exam, name, value)
    exam.save()
    if extended and exam.state == Exam.State.PUBLISHED:
        # Attempts under way were cut at the old close: they get their full time again.
        limit = dt.timedelta(minutes=exam.time_limit_minutes)
        for attempt in Attempt.objects.select_for_update().filter(
            exam=exam, submitted_at__isnull=True
        ):
            attempt.deadline_at = min(attempt.started_at + limit, exam.closes_at)
            attempt.save(update_fields=["deadline_at"])
    audit_record(
        actor=actor, verb="exams.exam.update", obj=exam, org=exam.org, before=before,
        after=snapshot(exam, EXAM_AUDIT),
    )  # fmt: skip
    return exam


def audience_members(exam: Exam) -> list[tuple[int, int]]:
    """(member id, branch id) of everyone in the exam's subtree who passes its filters. A
    member of a Party group (党小组) counts with the branch above it: samples are drawn and
    results reported per branch."""
    members = Member.objects.filter(
        org__path__startswith=exam.org.path,
        status__in=exam.member_statuses or DEFAULT_STATUSES,
        exempt_reason="",
    )
    if exam.cadre_ranks:
        members = members.filter(cadre_rank__in=exam.cadre_ranks)
    rows = list(members.order_by("id").values_list("id", "org_id", "org__path", "org__kind"))
    # A group sits only under a branch (orgs.models.ALLOWED_CHILDREN): its parent is the branch.
    step = Organization.steplen
    group_paths = {path for _m, _o, path, kind in rows if kind == Organization.Kind.GROUP}
    branch_by_path = dict(
        Organization.objects.filter(path__in={p[:-step] for p in group_paths}).values_list(
            "path", "pk"
        )
    )
    return [
        (m, branch_by_path.get(path[:-step], o) if kind == Organization.Kind.GROUP else o)
        for m, o, path, kind in rows
    ]


def draw_sample(exam: Exam, population: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """N members, or N% (rounded up, at least one), of each branch, drawn with the exam's
    recorded seed: the same seed and roster always give the same sample."""
    return sample_per_branch(
        population, seed=exam.seed, count=exam.sample_count, percent=exam.sample_percent
    )


@transaction.atomic
def exam_publish(*, actor: Actor, exam: Exam, seed: str = "") -> int:
    """Record the audience (drawing the sample for a 随机抽测) and open the exam to it; the
    candidates are told. Returns the number of candidates."""
    exam = _locked(exam)
    require_manage(actor, exam.org)
    if exam.state != Exam.State.DRAFT:
        raise ValidationError({"state": _("Only a draft can be published.")})
    if exam.closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The closing time has passed; set a later one.")})
    problems = paper_problems(exam.paper)
    if problems:
        raise ValidationError({"paper": " ".join(problems)})
    exam.seed = (seed or secrets.token_hex(8))[:32]
    population = audience_members(exam)
    chosen = draw_sample(exam, population) if exam.audience == Exam.Audience.SAMPLE else population
    if not chosen:
        raise ValidationError({"audience": _("No member matches the audience.")})
    Candidate.objects.bulk_create(
        (Candidate(exam=exam, member_id=m, org_id=o) for m, o in chosen), batch_size=2000
    )
    exam.state = Exam.State.PUBLISHED
    exam.published_at = timezone.now()
    exam.save(update_fields=["seed", "state", "published_at", "updated_at"])
    audit_record(
        actor=actor, verb="exams.exam.publish", obj=exam, org=exam.org,
        after={"seed": exam.seed, "candidates": len(chosen), "population": len(population)},
    )  # fmt: skip
    users = get_user_model().objects.filter(
        member_id__in=Candidate.objects.filter(exam=exam).values("member_id"), is_active=True
    )
    notification_send(
        actor=actor,
        recipients=users,
        title=_("Test: %(title)s") % {"title": exam.title},
        body=_("Open from %(opens)s to %(closes)s.")
        % {
            "opens": timezone.localtime(exam.opens_at).strftime("%Y-%m-%d %H:%M"),
            "closes": timezone.localtime(exam.closes_at).strftime("%Y-%m-%d %H:%M"),
        },
        url=f"/exams/{exam.pk}/take/",
        dedupe_key=f"exam-published:{exam.pk}",
        event_date=exam.opens_at,
    )
    return len(chosen)


@transaction.atomic
def exam_cancel(*, actor: Actor, exam: Exam) -> Exam:
    exam = _locked(exam)
    require_manage(actor, exam.org)
    if exam.state not in (Exam.State.DRAFT, Exam.State.PUBLISHED):
        raise ValidationError({"state": _("A finalised exam can't be cancelled.")})
    before = snapshot(exam, ["state"])
    exam.state = Exam.State.CANCELLED
    exam.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor, verb="exams.exam.cancel", obj=exam, org=exam.org, before=before,
        after=snapshot(exam, ["state"]),
    )  # fmt: skip
    return exam


def credit_reference(exam: Exam) -> str:
    return f"exam:{exam.pk}"


@transaction.atomic
def exam_finalise(*, actor: Actor, exam: Exam) -> dict[str, int]:
    """After closing: submit what is still open, then credit each member who passed with the
    exam's study hours (reference exam:<id>, once). Members who have left the actor's scope are
    counted, not credited."""
    exam = _locked(exam)
    require_manage(actor, exam.org)
    if exam.state != Exam.State.PUBLISHED:
        raise ValidationError({"state": _("Only a published exam can be finalised.")})
    now = timezone.now()
    if exam.closes_at > now:
        raise ValidationError({"state": _("The exam is still open; finalise it after it closes.")})
    expired = attempts_expire(exam=exam, now=now)
    passed_ids = set(
        Attempt.objects.filter(exam=exam, passed=True).values_list("member_id", flat=True)
    )
    credited = skipped = 0
    if exam.credit_hours > 0 and passed_ids:
        already = set(
            CreditEntry.objects.filter(reference=credit_reference(exam)).values_list(
                "member_id", flat=True
            )
        )
        members = list(Member.objects.filter(pk__in=passed_ids - already).select_related("org"))
        on = timezone.localdate(exam.closes_at)
        # Credited: those still in the exam's subtree and registered in a branch on the day it
        # closed (the ledger counts a credit to the branch of that day).
        registered = set(
            Membership.objects.on(on).filter(member__in=members).values_list("member_id", flat=True)
        )
        eligible = [
            m for m in members if m.org.path.startswith(exam.org.path) and m.pk in registered
        ]
        skipped = len(members) - len(eligible)
        if eligible:
            entry_record(
                actor=actor,
                members=eligible,
                on=on,
                hours=exam.credit_hours,
                kind=Kind.OTHER,
                title=_("Passed: %(title)s") % {"title": exam.title},
                online=True,
                source=CreditEntry.Source.EXAM,
                reference=credit_reference(exam),
            )
        credited = len(eligible)
    exam.state = Exam.State.FINALISED
    exam.finalised_at = now
    exam.save(update_fields=["state", "finalised_at", "updated_at"])
    result = {"expired": expired, "passed": len(passed_ids), "credited": credited,
              "skipped": skipped}  # fmt: skip
    audit_record(actor=actor, verb="exams.exam.finalise", obj=exam, org=exam.org, after=result)
    return result


@transaction.atomic
def exam_remind(*, actor: Actor, exam: Exam) -> int:
    """Tell the candidates in the actor's charge who have not yet submitted that the test is
    open (a secretary their branch's, an org admin their subtree's); once a day at most.
    Returns how many members were told."""
    scope = scope_of(actor)
    if not scope.platform and not scope.manage_paths:
        raise PermissionDenied(_("You may not change records of this organization."))
    now = timezone.now()
    if exam.state != Exam.State.PUBLISHED or not exam.opens_at <= now < exam.closes_at:
        raise ValidationError({"exam": _("Reminders can be sent only while the exam is open.")})
    # NOT EXISTS rather than NOT IN: a county's test has candidates by the hundred thousand.
    took = Attempt.objects.filter(
        exam=exam, submitted_at__isnull=False, member_id=OuterRef("member_id")
    )
    waiting = Candidate.objects.filter(exam=exam).exclude(Exists(took)).manageable_by(actor)
    waiting_count = waiting.count()
    users = get_user_model().objects.filter(
        member_id__in=waiting.values("member_id"), is_active=True
    )
    day = timezone.localdate().isoformat()
    sent = notification_send(
        actor=actor,
        recipients=users,
        title=_("Reminder: %(title)s") % {"title": exam.title},
        body=_("You have not taken this test yet. It closes at %(closes)s.")
        % {"closes": timezone.localtime(exam.closes_at).strftime("%Y-%m-%d %H:%M")},
        url=f"/exams/{exam.pk}/take/",
        dedupe_key=f"exam-remind:{exam.pk}:{day}",
        event_date=exam.closes_at,
    )
    audit_record(
        actor=actor, verb="exams.exam.remind", obj=exam, org=exam.org,
        after={"waiting": waiting_count, "told": len(sent)},
    )  # fmt: skip
    return len(sent)
