"""The projector page (organiser) and the phone sign-in page (member).

Access:
- projector and its panel: those who manage the event's organiser; out of sight 404, visible
  but not theirs 403; anonymous → login.
- sign-in / sign-out: anyone logged in who may see the event (`selectors.event_get`: readers of
  its organiser, and the members expected at it); anonymous → login with `next` back to the same
  URL (code included). Anyone else gets 404, without the event's title or time: the code in the
  link is no capability to learn about another tenant's events. Every refusal after that is a page
  that says why, not an error status: the person holding the phone needs a sentence, not a code.

GET never signs anyone in (HTTP semantics: a link preview or a prefetch must not record
attendance). GET runs every check without writing; when a sign-in would succeed the page holds
one big "签到" button whose form a one-line script submits at once, so one scan is still one
step on a phone, and the button works when scripts are off.
"""

from __future__ import annotations

import math
import time
from typing import Any

import segno
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import selectors
from ..logic import signin_token, token_seconds_left
from ..models import Attendance, Event
from ..selectors import event_settings_for
from ..services import (
    SigninError,
    attendance_signin,
    attendance_signout,
    signin_opens_at,
    signin_outcome_text,
    signin_preflight,
    signout_outcome_text,
)

QR_SCALE = 10


def panel_context(request: HttpRequest, event: Event, mode: str) -> dict[str, Any]:
    rules = event_settings_for(event.org)
    now = time.time()
    token = signin_token(event, rules, now=now)
    url = selectors.signin_code_url(request, event.pk, token, mode)
    qr = segno.make(url, error="m")
    # Until this code's slot ends, the screen may keep showing it (it stays valid longer).
    slot_ends = (math.floor(now / rules.qr_rotate_seconds) + 1) * rules.qr_rotate_seconds
    return {
        "event": event,
        "mode": mode,
        "qr_svg": qr.svg_inline(scale=QR_SCALE, omitsize=True, border=2),
        "qr_url": url,
        "seconds_left": max(0, int(token_seconds_left(token, rules, now=now))),
        "rotates_in": max(1, math.ceil(slot_ends - now)),
        "signed_in": selectors.signed_in_count(event),
        "signed_out": selectors.signed_out_count(event) if event.signout_required else 0,
        "expected": selectors.expected_count(event),
        "latest": selectors.latest_signins(event),
        "opens_at": signin_opens_at(event, rules),
        "now": timezone.now(),
    }


@login_required
@never_cache
@require_GET
def projector(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_managed(request.user, pk)
    mode = "signout" if request.GET.get("mode") == "signout" and event.signout_required else ""
    return render(request, "events/projector.html", panel_context(request, event, mode))


@login_required
@never_cache
@require_GET
def projector_panel(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_managed(request.user, pk)
    mode = "signout" if request.GET.get("mode") == "signout" and event.signout_required else ""
    return render(request, "events/_projector_panel.html", panel_context(request, event, mode))


def _result(
    request: HttpRequest,
    event: Event,
    *,
    ok: bool,
    text: str,
    code: str = "",
    row: Attendance | None = None,
    action: str = "signin",
) -> HttpResponse:
    return render(
        request,
        "events/signin_result.html",
        {"event": event, "ok": ok, "text": text, "code": code, "row": row, "action": action},
    )


@never_cache
def signin(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    actor = request.user
    event = selectors.event_get(actor, pk)
    token = (request.POST.get("t") if request.method == "POST" else None) or request.GET.get(
        "t", ""
    )
    try:
        if request.method == "POST":
            row, created = attendance_signin(actor=actor, event=event, token=token)
            return _result(request, event, ok=True, text=signin_outcome_text(row, created), row=row)
        existing = signin_preflight(actor=actor, event=event, token=token)
    except SigninError as refused:
        return _result(request, event, ok=False, text=refused.message, code=refused.code)
    if existing is not None:
        return _result(
            request, event, ok=True, text=signin_outcome_text(existing, False), row=existing
        )
    return render(
        request, "events/signin_confirm.html", {"event": event, "token": token, "action": "signin"}
    )


@never_cache
def signout(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign-out with the projector's sign-out code: GET shows the button, POST signs out."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    event = selectors.event_get(request.user, pk)
    token = (request.POST.get("t") if request.method == "POST" else None) or request.GET.get(
        "t", ""
    )
    if request.method != "POST":
        return render(
            request,
            "events/signin_confirm.html",
            {"event": event, "token": token, "action": "signout"},
        )
    try:
        row, changed = attendance_signout(actor=request.user, event=event, token=token)
    except SigninError as refused:
        return _result(
            request, event, ok=False, text=refused.message, code=refused.code, action="signout"
        )
    return _result(
        request, event, ok=True, text=signout_outcome_text(row, changed), row=row, action="signout"
    )


@login_required
@require_GET
def scan_help(request: HttpRequest) -> HttpResponse:
    """扫码签到 from the workbench: how to scan the projector's code with the phone's camera.
    The code on the screen holds the sign-in link itself, so the phone's own camera (or WeChat's
    scanner) opens the sign-in page; nothing is recorded here."""
    return render(request, "events/scan_help.html")
