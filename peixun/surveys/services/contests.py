"""党课 / 宣讲 competitions: an org's managers open one to their subtree; members enter it while
entries are open; the organiser moves it to judging with judges invited on a named judging
survey; judges score each entry on the judging form; the organiser assigns awards and
publishes the recognition list. Permission first, every field checked, audited.

States only move forward: entries open → judging → results published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id, can_read_org, scope_of
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ..models import Award, Contest, ContestKind, Entry, Form, Survey
from ..models.forms import Purpose
from .forms import form_from_template
from .responses import response_submit
from .surveys import survey_close, survey_create, survey_invite, survey_open

SLIDE_SIGNATURES = {".pdf": b"%PDF-", ".pptx": b"PK\x03\x04", ".docx": b"PK\x03\x04"}
MAX_SLIDES_BYTES = 50 * 1024 * 1024
CONTEST_AUDIT = ["org", "kind", "title", "year", "rules", "entry_deadline"]


def _text(
    data: dict[str, Any], name: str, limit: int, errors: dict[str, str], *, need: str = ""
) -> str:
    text = str(data.get(name) or "").strip()
    if len(text) > limit:
        errors[name] = _("At most %(n)s characters.") % {"n": limit}
    elif need and not text:
        errors[name] = need
    return text


def clean_contest_fields(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Every field of a contest checked at once; the org must be one the actor manages."""
    errors: dict[str, str] = {}
    org = data.get("org")
    if not isinstance(org, Organization):
        errors["org"] = _("Choose the organization that runs the competition.")
    else:
        require_manage(actor, org)
    kind = data.get("kind")
    if kind not in ContestKind.values:
        errors["kind"] = _("Choose the kind: Party lecture, public talk or other.")
    title = _text(data, "title", 200, errors, need=_("Give the competition a title."))
    rules = _text(data, "rules", 5000, errors)
    this_year = timezone.localdate().year
    year = data.get("year")
    if (
        not isinstance(year, int)
        or isinstance(year, bool)
        or not this_year - 1 <= year <= this_year + 1
    ):
        errors["year"] = _("Give a year from last year to next year.")
    deadline = data.get("entry_deadline")
    if not isinstance(deadline, dt.date) or isinstance(deadline, dt.datetime):
        errors["entry_deadline"] = _("Give the last day entries are taken.")
    elif deadline < timezone.localdate():
        errors["entry_deadline"] = _("The entry deadline has passed already.")
    if errors:
        raise ValidationError(errors)
    return {
        "org": org,
        "kind": kind,
        "title": title,
        "rules": rules,
        "year": year,
        "entry_deadline": deadline,
    }


def _locked(contest: Contest) -> Contest:
    found: Contest = (
        Contest.objects.select_for_update(of=("self",))
        .select_related("org", "survey", "form")
        .get(pk=contest.pk)
    )
    return found


@transaction.atomic
def contest_create(*, actor: Actor, form: Form | None = None, **fields: Any) -> Contest:
    """Open a competition for entries (org, kind, title, year, rules, entry_deadline). Its
    judging form is `form` (a judging form the actor sees) or a new copy of the built-in
    党课评比 score sheet."""
    clean = clean_contest_fields(actor, fields)
    if form is not None and (
        form.purpose != Purpose.JUDGING
        or not Form.objects.visible_to(actor).filter(pk=form.pk).exists()
    ):
        raise ValidationError({"form": _("Choose a judging form from the list.")})
    if form is None:
        form = form_from_template(actor=actor, org=clean["org"], template="lecture_judging")
    contest = Contest.objects.create(**clean, form=form, created_by_id=actor_id(actor))
    audit_record(
        actor=actor,
        verb="contest.create",
        obj=contest,
        org=contest.org,
        after={"title": contest.title, "kind": contest.kind, "year": contest.year},
    )
    return contest


@transaction.atomic
def contest_update(*, actor: Actor, contest: Contest, **fields: Any) -> Contest:
    """Correct a competition while entries are open (its org stays)."""
    contest = _locked(contest)
    require_manage(actor, contest.org)
    if contest.state != Contest.State.OPEN:
        raise ValidationError({"state": _("Only a competition open for entries can be changed.")})
    clean = clean_contest_fields(actor, {**fields, "org": contest.org})
    before = {
        name: getattr(contest, name)
        for name in ("kind", "title", "rules", "year", "entry_deadline")
    }
    for name, value in clean.items():
        setattr(contest, name, value)
    contest.save()
    audit_record(
        actor=actor,
        verb="contest.update",
        obj=contest,
        org=contest.org,
        before={k: str(v) for k, v in before.items()},
        after={k: str(clean[k]) for k in before},
    )
    return contest


def _entrant(actor: Actor, contest: Contest) -> Member:
    member_id = scope_of(actor).member_id
    member: Member | None = (
        Member.objects.select_related("org").filter(pk=member_id).first() if member_id else None
    )
    if member is None or not member.org.path.startswith(contest.org.path):
        # Only the members of the organising org's subtree enter.
        raise PermissionDenied
    return member


def _check_slides(file: UploadedFile[Any] | None, errors: dict[str, str]) -> str:
    if file is None:
        return ""
    name = Path(file.name or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in SLIDE_SIGNATURES:
        errors["slides"] = _("Upload the slides as PDF, PowerPoint or Word (.pdf, .pptx, .docx).")
        return ""
    if not file.size:
        errors["slides"] = _("The file is empty.")
        return ""
    if file.size > MAX_SLIDES_BYTES:
        errors["slides"] = _("The file is larger than 50 MB.")
        return ""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not head.startswith(SLIDE_SIGNATURES[suffix]):
        errors["slides"] = _(
            "The file is not the kind its name says; save it again as %(kind)s."
        ) % {"kind": suffix}
        return ""
    return name[:200]


def _check_video(url: str, errors: dict[str, str]) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > 500:
        errors["video_url"] = _("At most %(n)s characters.") % {"n": 500}
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        errors["video_url"] = _("Give the video's web address, starting with http:// or https://.")
        return ""
    return url


def entries_open(contest: Contest, today: dt.date | None = None) -> bool:
    """Whether the contest takes entries today: open, and its deadline not passed."""
    today = today or timezone.localdate()
    return contest.state == Contest.State.OPEN and today <= contest.entry_deadline


@transaction.atomic
def entry_submit(
    *,
    actor: Actor,
    contest: Contest,
    title: str,
    summary: str = "",
    slides: UploadedFile[Any] | None = None,
    video_url: str = "",
) -> Entry:
    """Enter the actor's own lecture (or correct it while entries are open). A withdrawn entry is
    entered again in place. Slides: PDF, PowerPoint or Word; a video: an http(s) link."""
    contest = _locked(contest)
    member = _entrant(actor, contest)
    if not entries_open(contest):
        raise ValidationError({"contest": _("The competition no longer takes entries.")})
    errors: dict[str, str] = {}
    data = {"title": title, "summary": summary}
    title = _text(data, "title", 200, errors, need=_("Give your lecture a title."))
    summary = _text(data, "summary", 5000, errors)
    slides_name = _check_slides(slides, errors)
    video_url = _check_video(video_url, errors)
    entry = Entry.objects.select_for_update().filter(contest=contest, member=member).first()
    has_slides = bool(slides_name) or (entry is not None and bool(entry.slides))
    if not errors and not (summary or has_slides or video_url):
        errors["summary"] = _("Add the lecture itself: its text, slides or a video link.")
    if errors:
        raise ValidationError(errors)
    before = {"title": entry.title, "state": entry.state} if entry else None
    if entry is None:
        entry = Entry(contest=contest, member=member)
    entry.org = member.org
    entry.title = title
    entry.summary = summary
    entry.video_url = video_url
    entry.state = Entry.State.SUBMITTED
    entry.submitted_at = timezone.now()
    if slides is not None and slides_name:
        if entry.slides:
            entry.slides.delete(save=False)
        entry.slides = slides
        entry.slides_name = slides_name
    entry.save()
    audit_record(
        actor=actor,
        verb="contest.enter",
        obj=entry,
        org=contest.org,
        before=before,
        after={"title": title, "slides": entry.slides_name, "video": video_url},
    )
    return entry


@transaction.atomic
def entry_withdraw(*, actor: Actor, entry: Entry) -> Entry:
    """The entrant takes their entry back while entries are open."""
    contest = _locked(entry.contest)
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if scope_of(actor).member_id != entry.member_id:
        raise PermissionDenied
    if not entries_open(contest):
        raise ValidationError(
            {"state": _("Entries are closed: an entry can no longer be withdrawn.")}
        )
    if entry.state != Entry.State.SUBMITTED:
        raise ValidationError({"state": _("The entry was withdrawn already.")})
    entry.state = Entry.State.WITHDRAWN
    entry.save(update_fields=["state", "updated_at"])
    audit_record(actor=actor, verb="contest.withdraw", obj=entry, org=contest.org)
    return entry


@transaction.atomic
def entry_award(*, actor: Actor, entry: Entry, award: str) -> Entry:
    """The organiser gives an entry an award (or with "" takes it away) while judging."""
    contest = _locked(entry.contest)
    require_manage(actor, contest.org)
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if contest.state != Contest.State.JUDGING:
        raise ValidationError(
            {"award": _("Awards are given while the competition is being judged.")}
        )
    if award and award not in Award.values:
        raise ValidationError({"award": _("Choose an award from the list.")})
    if entry.state != Entry.State.SUBMITTED:
        raise ValidationError({"award": _("A withdrawn entry takes no award.")})
    before = entry.award
    entry.award = award
    entry.save(update_fields=["award", "updated_at"])
    audit_record(
        actor=actor,
        verb="contest.award",
        obj=entry,
        org=contest.org,
        before={"award": before},
        after={"award": award},
    )
    return entry


@transaction.atomic
def contest_publish(*, actor: Actor, contest: Contest) -> Contest:
    """Publish the recognition list to the org's subtree; judging closes. Final."""
    contest = _locked(contest)
    require_manage(actor, contest.org)
    if contest.state != Contest.State.JUDGING:
        raise ValidationError(
            {"state": _("Only a competition being judged can publish its results.")}
        )
    if not contest.entries.filter(state=Entry.State.SUBMITTED).exclude(award="").exists():
        raise ValidationError({"state": _("Give at least one award before publishing.")})
    contest.state = Contest.State.PUBLISHED
    contest.published_at = timezone.now()
    contest.save(update_fields=["state", "published_at"])
    _close_judging(actor, contest)
    audit_record(
        actor=actor,
        verb="contest.publish",
        obj=contest,
        org=contest.org,
        after={"awards": contest.entries.exclude(award="").count()},
    )
    return contest


def _close_judging(actor: Actor, contest: Contest) -> None:
    """Close the judging survey: no score sheet changes after publication."""
    if contest.survey is not None and contest.survey.state == Survey.State.OPEN:
        survey_close(actor=actor, survey=contest.survey)


def _judges(contest: Contest, judges: Iterable[Member]) -> list[Member]:
    """The judges chosen, each a member of the contest's tenant."""
    chosen = list({m.pk: m for m in judges}.values())
    if not chosen:
        raise ValidationError({"judges": _("Choose at least one judge.")})
    tenant = contest.org.path[: Organization.steplen]
    inside = set(
        Member.objects.filter(
            pk__in=[m.pk for m in chosen], org__path__startswith=tenant
        ).values_list("pk", flat=True)
    )
    outside = [m.name for m in chosen if m.pk not in inside]
    if outside:
        raise ValidationError(
            {"judges": _("Not a member here: %(names)s.") % {"names": "、".join(outside)}}
        )
    return chosen


@transaction.atomic
def contest_start_judging(*, actor: Actor, contest: Contest, judges: Iterable[Member]) -> Contest:
    """Close entries and open judging: the judges are invited on a named judging survey of the
    contest's form, which opens at once."""
    contest = _locked(contest)
    require_manage(actor, contest.org)
    if contest.state != Contest.State.OPEN:
        raise ValidationError(
            {"state": _("Judging starts once, from a competition open for entries.")}
        )
    chosen = _judges(contest, judges)
    if not contest.entries.filter(state=Entry.State.SUBMITTED).exists():
        raise ValidationError({"state": _("There are no entries to judge yet.")})
    if contest.form is None:
        contest.form = form_from_template(actor=actor, org=contest.org, template="lecture_judging")
    survey = survey_create(
        actor=actor,
        form=contest.form,
        org=contest.org,
        title=contest.title,
        year=contest.year,
        anonymous=False,
    )
    survey_invite(actor=actor, survey=survey, members=chosen)
    survey_open(actor=actor, survey=survey)
    contest.survey = survey
    contest.state = Contest.State.JUDGING
    contest.save(update_fields=["survey", "form", "state"])
    audit_record(
        actor=actor,
        verb="contest.judge",
        obj=contest,
        org=contest.org,
        after={"judges": [m.pk for m in chosen]},
    )
    return contest


@transaction.atomic
def contest_add_judges(*, actor: Actor, contest: Contest, judges: Iterable[Member]) -> int:
    """Invite more judges while judging; how many were new."""
    contest = _locked(contest)
    require_manage(actor, contest.org)
    if contest.state != Contest.State.JUDGING or contest.survey is None:
        raise ValidationError({"judges": _("Judges are added while the competition is judged.")})
    return survey_invite(actor=actor, survey=contest.survey, members=_judges(contest, judges))


@transaction.atomic
def entry_score(
    *, actor: Actor, contest: Contest, entry: Entry, answers: Mapping[Any, Any]
) -> None:
    """A judge's score sheet for one entry (a later sheet replaces their earlier one). A judge
    does not score their own entry."""
    contest = _locked(contest)
    if entry.contest_id != contest.pk:
        raise PermissionDenied
    if contest.state != Contest.State.JUDGING or contest.survey is None:
        raise ValidationError(_("The competition is not being judged."))
    if entry.state != Entry.State.SUBMITTED:
        raise ValidationError(_("The entry was withdrawn."))
    if scope_of(actor).member_id == entry.member_id:
        raise PermissionDenied(_("A judge does not score their own entry."))
    response_submit(
        actor=actor, survey=contest.survey, answers=answers, subject_ref=entry.subject_ref
    )


def contest_results_export(*, actor: Actor, contest: Contest, content: bytes, rows: int) -> bytes:
    """The organiser's results as .xlsx (names and scores): audited."""
    if not can_read_org(actor, contest.org):
        raise PermissionDenied
    audit_record(
        actor=actor, verb="contest.export", obj=contest, org=contest.org, after={"rows": rows}
    )
    return content
