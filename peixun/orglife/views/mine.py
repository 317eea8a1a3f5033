"""我的会议: a member's own view of their branch's meetings, upcoming and past, with their own
attendance; and one meeting as a member may see it (what, when, where, topic, host, and their
own attendance and leave), never the minutes or anybody else's attendance.

Access: anonymous → login; an account without a member behind it → 404; a meeting that is not
one of the member's (another branch's, a 支委会 they do not sit on) → 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from peixun.core.pagination import paginate
from peixun.core.params import year_param
from peixun.core.scoping import scope_of
from peixun.events.models import Event
from peixun.members.models import Member

from .. import selectors
from ..models import Meeting
from ..selectors.groups import member_study_groups

UPCOMING_SHOWN = 10


def _member(request: HttpRequest) -> Member:
    member_id = scope_of(request.user).member_id
    member = selectors.member_visible(request.user, member_id) if member_id else None
    if member is None:
        raise Http404
    return member


def _rows(member: Member, meetings: list[Meeting]) -> list[tuple[Meeting, selectors.MyAttendance]]:
    mine = selectors.member_attendance(member, meetings)
    return [(meeting, mine[meeting.pk]) for meeting in meetings]


@login_required
@require_GET
def my_meetings(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    now = timezone.now()
    years = selectors.member_meeting_years(member)
    year = year_param(request, lowest=years[-1], highest=years[0])
    this_year = year == timezone.localdate().year
    upcoming = (
        list(selectors.member_meetings_upcoming(member, now)[:UPCOMING_SHOWN]) if this_year else []
    )
    page, query = paginate(request, selectors.member_meetings_past(member, year, now))
    return render(
        request,
        "orglife/mine.html",
        {
            "member": member,
            "year": year,
            "years": years,
            "groups": list(member_study_groups(member)),
            "upcoming": _rows(member, upcoming),
            "page": page,
            "query": query,
            "past": _rows(member, list(page.object_list)),
        },
    )


@login_required
@require_GET
def my_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request)
    meeting = selectors.member_meeting_get(member, pk)
    event = meeting.event
    now = timezone.now()
    mine = selectors.member_attendance(member, [meeting])[meeting.pk]
    upcoming = event.state == Event.State.OPEN and event.ends_at > now
    can_ask_leave = (
        upcoming
        and mine.attendance is None
        and mine.leave is None
        and selectors.member_is_expected(member, meeting)
    )
    return render(
        request,
        "orglife/mine_detail.html",
        {
            "meeting": meeting,
            "event": event,
            "mine": mine,
            "upcoming": upcoming,
            "can_ask_leave": can_ask_leave,
            "now_at": now,
        },
    )
