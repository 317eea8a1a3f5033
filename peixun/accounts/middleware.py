"""Staff sessions end after a while without a request (等保: session timeout).

Anyone holding a grant (a secretary, a viewer, an admin) is signed out after
STAFF_IDLE_MINUTES without a request; plain members are not, so the phone a member keeps signed
in stays signed in. The last activity is a timestamp in the session, written at most once a
minute so a busy page does not save its session on every request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import scope_of

from .services import login_audit

LAST_SEEN_KEY = "peixun_last_seen"
# The stamp is refreshed at most this often (seconds).
STAMP_EVERY = 60


def stamp_activity(session: Any) -> None:
    """Marks the session active now: at login, and then at most once a minute."""
    session[LAST_SEEN_KEY] = int(timezone.now().timestamp())


def idle_message() -> str:
    return _(
        "For your security you were signed out after a long time without activity. Please sign in again."
    )


class StaffIdleTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware: signs out an idle staff session
    and sends the page to the login page (htmx: HX-Redirect); an API call just goes on signed
    out, and answers 401."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and scope_of(user).is_staff_like:
            now = int(timezone.now().timestamp())
            last = request.session.get(LAST_SEEN_KEY)
            idle_limit = int(settings.STAFF_IDLE_MINUTES) * 60
            if isinstance(last, int) and now - last > idle_limit:
                return self._signed_out(request)
            if not isinstance(last, int) or now - last >= STAMP_EVERY:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)

    def _signed_out(self, request: HttpRequest) -> HttpResponse:
        login_audit(user=request.user, verb="account.idle_timeout")  # type: ignore[arg-type]
        logout(request)
        if request.path.startswith("/api/"):
            return self.get_response(request)
        messages.warning(request, idle_message())
        login = reverse(settings.LOGIN_URL)
        htmx = getattr(request, "htmx", None)
        if htmx:
            # An htmx swap would put the login page inside the page: the browser goes there,
            # and back to the page it was on after signing in.
            back = htmx.current_url_abs_path or ""
            response = HttpResponse(status=200)
            response["HX-Redirect"] = f"{login}?next={quote(back)}" if back else login
            return response
        if request.method == "GET":
            login = f"{login}?next={quote(request.get_full_path())}"
        return HttpResponseRedirect(login)
