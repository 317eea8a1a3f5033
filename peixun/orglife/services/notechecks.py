"""学习笔记抽查: a branch, or an org above it, draws a sample of its Party members per branch
with a recorded seed (`core.sampling`, as the exams' 随机抽测 draws), then records each sampled
member's check: when, by whom, the result, a note and a photo of the notes.

The photo is the only file: a JPEG, PNG or WebP picture up to 10 MB, checked by its content
(the signature of its type, then Pillow reading it whole), never trusted by its name."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_manage
from peixun.core.sampling import sample_per_branch
from peixun.core.scoping import Actor, actor_id
from peixun.orgs.models import Organization

from ..documents import note_round_workbook
from ..models import NoteCheck, NoteCheckRound
from ..selectors.notechecks import note_checks, note_round_population, note_round_summary

ROUND_AUDIT = ["org", "year", "title", "sample_count", "sample_percent", "seed"]
CHECK_AUDIT = ["member", "checked_on", "checker", "result", "note"]
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# The first bytes of each picture type accepted, by the suffix it is stored under.
PHOTO_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".jpg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".webp": (b"RIFF",),
}
PHOTO_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


@transaction.atomic
def note_round_create(
    *,
    actor: Actor,
    org: Organization,
    year: Any,
    title: str,
    sample_count: Any = None,
    sample_percent: Any = None,
    seed: str = "",
) -> NoteCheckRound:
    """Open a round and draw its sample: `sample_count` members of each branch below `org`, or
    `sample_percent` of each (exactly one of them). The seed is recorded (a random one unless
    given), so the same roster and seed draw the same members again."""
    require_manage(actor, org)
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the round a title.")
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not this_year - 1 <= year <= this_year + 1:
        errors["year"] = _("Enter a year from %(first)s to %(last)s.") % {
            "first": this_year - 1,
            "last": this_year + 1,
        }
    count = sample_count or None
    percent = sample_percent or None
    if (count is None) == (percent is None):
        errors["sample_count"] = _("Give either a number of members per branch or a percent.")
    elif count is not None and (not isinstance(count, int) or not 1 <= count <= 1000):
        errors["sample_count"] = _("Enter a number of members from 1 to 1000.")
    elif percent is not None and (not isinstance(percent, int) or not 1 <= percent <= 100):
        errors["sample_percent"] = _("Enter a percent from 1 to 100.")
    if errors:
        raise ValidationError(errors)
    seed = ((seed or "").strip() or secrets.token_hex(8))[:32]
    chosen = sample_per_branch(note_round_population(org), seed=seed, count=count, percent=percent)
    if not chosen:
        raise ValidationError({"org": _("This organization has no Party members to check.")})
    check_round = NoteCheckRound.objects.create(
        org=org,
        year=year,
        title=title[:200],
        sample_count=count,
        sample_percent=percent,
        seed=seed,
        created_by_id=actor_id(actor),
    )
    NoteCheck.objects.bulk_create(
        NoteCheck(round=check_round, member_id=member_id, branch_id=branch_id)
        for member_id, branch_id in chosen
    )
    audit_record(
        actor=actor,
        verb="note_round.create",
        obj=check_round,
        org=org,
        after={**snapshot(check_round, ROUND_AUDIT), "sampled": len(chosen)},
    )
    return check_round


def checked_photo(photo: UploadedFile[Any]) -> str:
    """The suffix to store a photo under, once its content is a picture; else a field error."""
    if (photo.size or 0) > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": _("The photo is larger than 10 MB.")})
    if not photo.size:
        raise ValidationError({"photo": _("The photo is empty.")})
    photo.seek(0)
    head = photo.read(16)
    photo.seek(0)
    wrong = ValidationError({"photo": _("Upload a photo (JPEG, PNG or WebP).")})
    if not any(head.startswith(sig) for sigs in PHOTO_SIGNATURES.values() for sig in sigs):
        raise wrong
    try:
        with Image.open(photo) as image:
            kind = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise wrong from None
    finally:
        photo.seek(0)
    if kind not in PHOTO_FORMATS:
        raise wrong
    return PHOTO_FORMATS[kind]


@transaction.atomic
def note_check_record(
    *,
    actor: Actor,
    check: NoteCheck,
    checked_on: Any,
    checker: str,
    result: str,
    note: str = "",
    photo: UploadedFile[Any] | None = None,
) -> NoteCheck:
    """Record (or correct) the check of one sampled member's notes. A first record needs a
    photo of the notes; a correction keeps the photo unless a new one is sent."""
    check = (
        NoteCheck.objects.select_for_update(of=("self",))
        .select_related("round__org", "member")
        .get(pk=check.pk)
    )
    require_manage(actor, check.round.org)
    errors: dict[str, str] = {}
    if not isinstance(checked_on, dt.date):
        errors["checked_on"] = _("Enter the date of the check.")
    elif checked_on > timezone.localdate():
        errors["checked_on"] = _("A check cannot be dated in the future.")
    checker = (checker or "").strip()
    if not checker:
        errors["checker"] = _("Name who checked the notes.")
    if result not in NoteCheck.Result.values:
        errors["result"] = _("Choose the result.")
    suffix = ""
    if photo is not None:
        try:
            suffix = checked_photo(photo)
        except ValidationError as problem:
            errors.update({k: v[0] for k, v in problem.message_dict.items()})
    elif not check.photo:
        errors["photo"] = _("Take or choose a photo of the notes.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(check, CHECK_AUDIT)
    check.checked_on = checked_on
    check.checker = checker[:100]
    check.result = result
    check.note = (note or "").strip()[:300]
    check.recorded_by_id = actor_id(actor)
    if photo is not None:
        old = check.photo.name if check.photo else ""
        # The stored name is ours: the round, the member and the type read from the content.
        check.photo.save(
            f"{check.round_id}-{check.member_id}-{secrets.token_hex(4)}{suffix}",
            photo,
            save=False,
        )
        if old:
            check.photo.storage.delete(old)
    check.save()
    audit_record(
        actor=actor,
        verb="note_check.record",
        obj=check.round,
        org=check.round.org,
        before=before,
        after={**snapshot(check, CHECK_AUDIT), "photo": bool(check.photo)},
    )
    return check


def note_round_export(*, actor: Actor, check_round: NoteCheckRound) -> bytes:
    """The round's 台账 (.xlsx): each sampled member's check, and the summary per branch.
    Audited ("note_round.export"): it names members and their results."""
    content = note_round_workbook(
        check_round, list(note_checks(check_round)), note_round_summary(check_round)
    )
    audit_record(
        actor=actor,
        verb="note_round.export",
        obj=check_round,
        org=check_round.org,
        after={"rows": NoteCheck.objects.filter(round=check_round).count()},
    )
    return content
