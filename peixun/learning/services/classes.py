"""Every write of an online class (网络专题班): create and change it, assign its courses (required
or elective), publish and cancel it, and remind the members who have not started.

The audience fields are checked by `training.services.clean_audience`, the same rule as a
training class's: the audience lies within the organiser's subtree. A course may be assigned when
every member of the audience can open it: it is published and owned by the audience org or an org
above it (a course is shared down its owner's subtree).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.notifications import notification_send
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id, scope_of
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.selectors import reader_scope_org_name
from peixun.training.selectors.audience import filter_audience
from peixun.training.services.classes import clean_audience

from ..documents.classes import progress_workbook
from ..models import Course, OnlineClass, OnlineClassCourse
from ..selectors.classes import branch_progress, not_started_members

CLASS_FIELDS = [
    "title",
    "year",
    "starts_on",
    "ends_on",
    "description",
    "audience_org",
    "audience_statuses",
    "audience_positions",
    "audience_cadre_ranks",
    "elective_minimum",
]
CLASS_AUDIT = ["org", *CLASS_FIELDS, "state"]
EDITABLE_STATES = (OnlineClass.State.DRAFT, OnlineClass.State.PUBLISHED)
# A window longer than this is a typing slip (a class runs within a year or two at most).
MAX_WINDOW_DAYS = 730
MAX_COURSES = 100


def clean_class_fields(data: dict[str, Any], org: Organization) -> dict[str, Any]:
    """Validate an online class's fields (all of them; merged with the stored ones on an
    update); every problem is reported at once, by field."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    clean["title"] = str(data.get("title") or "").strip()[:200]
    if not clean["title"]:
        errors["title"] = _("Give the class a title.")
    starts, ends = data.get("starts_on"), data.get("ends_on")
    # A datetime is a date too: refuse it, the window runs over whole days.
    if not isinstance(starts, dt.date) or isinstance(starts, dt.datetime):
        errors["starts_on"] = _("Enter the class's first day.")
        starts = None
    if not isinstance(ends, dt.date) or isinstance(ends, dt.datetime):
        errors["ends_on"] = _("Enter the class's last day.")
        ends = None
    elif starts is not None and ends < starts:
        errors["ends_on"] = _("The last day cannot be before the first day.")
    elif starts is not None and (ends - starts).days > MAX_WINDOW_DAYS:
        errors["ends_on"] = _("The window may be at most %(days)s days long.") % {
            "days": MAX_WINDOW_DAYS
        }
    clean["starts_on"], clean["ends_on"] = starts, ends
    try:
        year = int(data.get("year") or (starts.year if starts else 0))
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = _("Enter a year from 2000 to 2100.")
        year = 0
    else:
        # The year the class's study counts for must be one the window touches.
        if starts and ends and not starts.year <= year <= ends.year:
            errors["year"] = _("The year must be one the window falls in.")
    clean["year"] = year
    clean["description"] = str(data.get("description") or "").strip()[:5000]
    audience, audience_errors = clean_audience(data, org)
    clean.update(audience)
    errors.update(audience_errors)
    try:
        minimum = int(data.get("elective_minimum") or 0)
        if not 0 <= minimum <= MAX_COURSES:
            raise ValueError
    except (TypeError, ValueError):
        errors["elective_minimum"] = _("Enter a number of electives from 0 to %(max)s.") % {
            "max": MAX_COURSES
        }
        minimum = 0
    clean["elective_minimum"] = minimum
    if errors:
        raise ValidationError(errors)
    return clean


def require_editable(online_class: OnlineClass) -> None:
    if online_class.state not in EDITABLE_STATES:
        raise ValidationError(_("A cancelled online class can't be changed."))


@transaction.atomic
def online_class_create(*, actor: Actor, org: Organization, data: dict[str, Any]) -> OnlineClass:
    """A draft online class organised by `org`, which the actor manages (`data`: the fields of
    `CLASS_FIELDS`; the audience defaults to the organiser's whole subtree)."""
    require_manage(actor, org)
    if not org.is_open:
        raise ValidationError({"org": _("This organization is dissolved.")})
    clean = clean_class_fields(data, org)
    online_class = OnlineClass.objects.create(org=org, created_by_id=actor_id(actor), **clean)
    audit_record(
        actor=actor, verb="learning.online_class.create", obj=online_class, org=org,
        after=snapshot(online_class, CLASS_AUDIT),
    )  # fmt: skip
    return online_class


@transaction.atomic
def online_class_update(
    *, actor: Actor, online_class: OnlineClass, data: dict[str, Any]
) -> OnlineClass:
    """Change the fields named in `data`; the others keep their stored values. A published class
    may still be changed (a longer window, a wider audience); a cancelled one may not."""
    online_class = OnlineClass.objects.select_for_update().get(pk=online_class.pk)
    require_manage(actor, online_class.org)
    require_editable(online_class)
    unknown = set(data) - set(CLASS_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = snapshot(online_class, CLASS_AUDIT)
    merged = {name: getattr(online_class, name) for name in CLASS_FIELDS} | dict(data)
    clean = clean_class_fields(merged, online_class.org)
    if online_class.state == OnlineClass.State.PUBLISHED:
        _check_electives(online_class, clean["elective_minimum"])
    for name, value in clean.items():
        setattr(online_class, name, value)
    online_class.save()
    audit_record(
        actor=actor, verb="learning.online_class.update", obj=online_class,
        org=online_class.org, before=before, after=snapshot(online_class, CLASS_AUDIT),
    )  # fmt: skip
    return online_class


def course_fits(course: Course, online_class: OnlineClass) -> bool:
    """Whether every member of the class's audience can open `course`: it is published and its
    owner is the audience org or above it."""
    audience_path: str = online_class.audience_org.path
    return course.state == Course.State.PUBLISHED and audience_path.startswith(course.org.path)


def _check_electives(online_class: OnlineClass, minimum: int) -> None:
    electives = online_class.assignments.filter(required=False).count()
    if minimum > electives:
        raise ValidationError(
            {
                "elective_minimum": _(
                    "The class has %(n)s elective courses; members cannot complete %(min)s."
                )
                % {"n": electives, "min": minimum}
            }
        )


@transaction.atomic
def online_class_set_courses(
    *,
    actor: Actor,
    online_class: OnlineClass,
    required: Sequence[Course],
    electives: Sequence[Course] = (),
) -> list[OnlineClassCourse]:
    """Make the class's courses exactly `required` then `electives`, in the order given. A
    course in both lists is required. Members' progress is never touched: it belongs to the
    course, so a course taken off and put back finds it again."""
    online_class = OnlineClass.objects.select_for_update().get(pk=online_class.pk)
    require_manage(actor, online_class.org)
    require_editable(online_class)
    wanted: dict[int, tuple[Course, bool]] = {}
    for course in required:
        wanted.setdefault(course.pk, (course, True))
    for course in electives:
        wanted.setdefault(course.pk, (course, False))
    if len(wanted) > MAX_COURSES:
        raise ValidationError(
            {"courses": _("A class has at most %(n)s courses.") % {"n": MAX_COURSES}}
        )
    audience_org = online_class.audience_org
    courses = Course.objects.select_related("org").in_bulk(list(wanted))
    unfit = [
        courses[pk].title
        for pk in wanted
        if pk not in courses or not course_fits(courses[pk], online_class)
    ]
    if unfit:
        raise ValidationError(
            {
                "courses": _(
                    "Only published courses of %(org)s or the organizations above it can be "
                    "assigned (every member of the audience must be able to open them): %(titles)s."
                )
                % {"org": audience_org.name, "titles": "、".join(unfit)}
            }
        )
    if online_class.state == OnlineClass.State.PUBLISHED and not wanted:
        raise ValidationError({"courses": _("A published class needs at least one course.")})
    before = _course_list(online_class)
    online_class.assignments.all().delete()
    rows = OnlineClassCourse.objects.bulk_create(
        [
            OnlineClassCourse(
                online_class=online_class, course_id=pk, required=is_required, position=index
            )
            for index, (pk, (_course, is_required)) in enumerate(wanted.items())
        ]
    )
    if online_class.state == OnlineClass.State.PUBLISHED:
        _check_electives(online_class, online_class.elective_minimum)
    audit_record(
        actor=actor, verb="learning.online_class.courses", obj=online_class,
        org=online_class.org, before={"courses": before},
        after={"courses": _course_list(online_class)},
    )  # fmt: skip
    return rows


def _course_list(online_class: OnlineClass) -> list[dict[str, Any]]:
    return [
        {"course": course_id, "required": required}
        for course_id, required in online_class.assignments.order_by(
            "-required", "position", "id"
        ).values_list("course_id", "required")
    ]


@transaction.atomic
def online_class_publish(*, actor: Actor, online_class: OnlineClass) -> OnlineClass:
    """Open a draft class to its audience: it needs a course, every course still open to the
    whole audience, and enough electives for the minimum."""
    online_class = OnlineClass.objects.select_for_update().get(pk=online_class.pk)
    require_manage(actor, online_class.org)
    if online_class.state != OnlineClass.State.DRAFT:
        raise ValidationError(_("Only a draft class can be published."))
    assignments = list(online_class.assignments.select_related("course__org"))
    if not assignments:
        raise ValidationError({"courses": _("Assign at least one course before publishing.")})
    unfit = [a.course.title for a in assignments if not course_fits(a.course, online_class)]
    if unfit:
        raise ValidationError(
            {
                "courses": _("These courses are no longer open to the whole audience: %(titles)s.")
                % {"titles": "、".join(unfit)}
            }
        )
    _check_electives(online_class, online_class.elective_minimum)
    online_class.state = OnlineClass.State.PUBLISHED
    online_class.published_at = timezone.now()
    online_class.save(update_fields=["state", "published_at", "updated_at"])
    told = _notify_published(actor, online_class)
    audit_record(
        actor=actor, verb="learning.online_class.publish", obj=online_class,
        org=online_class.org, after={"courses": len(assignments), "told": told},
    )  # fmt: skip
    return online_class


def _notify_published(actor: Actor, online_class: OnlineClass) -> int:
    """Tell the whole audience (not only the publisher's part of it) that the class is open,
    through the notification centre; the key makes it once per member, however the class
    reaches the published state. Exempt members are not told (they are not asked to study).
    Returns how many were told."""
    audience = filter_audience(online_class, Member.objects.filter(exempt_reason=""))
    users = get_user_model().objects.filter(member_id__in=audience.values("pk"), is_active=True)
    sent = notification_send(
        actor=actor,
        recipients=users.iterator(chunk_size=2000),
        title=_("Online class: %(title)s") % {"title": online_class.title},
        body=_("Open from %(starts)s to %(ends)s; its courses are under My courses.")
        % {"starts": online_class.starts_on.isoformat(), "ends": online_class.ends_on.isoformat()},
        url="/learning/mine/",
        dedupe_key=f"learning-class-published:{online_class.pk}",
        event_date=online_class.starts_on,
    )
    return len(sent)


@transaction.atomic
def online_class_cancel(*, actor: Actor, online_class: OnlineClass) -> OnlineClass:
    """Cancel a class (draft or published). Completions already earned stay: they belong to the
    courses and the ledger, not to the class."""
    online_class = OnlineClass.objects.select_for_update().get(pk=online_class.pk)
    require_manage(actor, online_class.org)
    require_editable(online_class)
    before = online_class.state
    online_class.state = OnlineClass.State.CANCELLED
    online_class.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor, verb="learning.online_class.cancel", obj=online_class,
        org=online_class.org, before={"state": before}, after={"state": online_class.state},
    )  # fmt: skip
    return online_class


@transaction.atomic
def online_class_remind(*, actor: Actor, online_class: OnlineClass) -> int:
    """Tell the members of the audience in the actor's charge (a secretary their branch's, an
    org admin their subtree's) who have not started any course of the class that it is waiting
    for them; each member at most once a day, however often it is asked. Returns how many
    members were told now; audited with how many were waiting."""
    scope = scope_of(actor)
    if not scope.platform and not scope.manage_paths:
        raise PermissionDenied(_("You may not change records of this organization."))
    today = timezone.localdate()
    if online_class.state != OnlineClass.State.PUBLISHED or not (
        online_class.starts_on <= today <= online_class.ends_on
    ):
        raise ValidationError(
            {"online_class": _("Reminders can be sent only while the class is open.")}
        )
    waiting = not_started_members(actor, online_class, manageable=True)
    waiting_count = waiting.count()
    users = get_user_model().objects.filter(member_id__in=waiting.values("pk"), is_active=True)
    sent = notification_send(
        actor=actor,
        recipients=users,
        title=_("Reminder: %(title)s") % {"title": online_class.title},
        body=_(
            "You have not started the online class “%(title)s” yet. It is open until "
            "%(ends)s; its courses are under My courses."
        )
        % {"title": online_class.title, "ends": online_class.ends_on.isoformat()},
        url="/learning/",
        dedupe_key=f"learning-class-remind:{online_class.pk}:{today.isoformat()}",
        event_date=online_class.ends_on,
    )
    audit_record(
        actor=actor, verb="learning.online_class.remind", obj=online_class,
        org=online_class.org, after={"waiting": waiting_count, "told": len(sent)},
    )  # fmt: skip
    return len(sent)


def online_class_progress_export(*, actor: Actor, online_class: OnlineClass) -> bytes:
    """The class's progress 台账 (.xlsx) as the actor reads it: per branch, and who has not
    started (names and mobile numbers, so it is audited with how many it listed)."""
    rows, total = branch_progress(actor, online_class)
    waiting = list(not_started_members(actor, online_class))
    content = progress_workbook(
        online_class, rows, total, waiting, org_name=reader_scope_org_name(actor)
    )
    audit_record(
        actor=actor, verb="learning.online_class.progress_export", obj=online_class,
        org=online_class.org,
        after={"branches": len(rows), "audience": total.audience, "not_started": len(waiting)},
    )  # fmt: skip
    return content
