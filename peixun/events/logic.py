"""Pure functions of the events layer: the rotating sign-in tokens for the projector QR code.

A token names a time slot (a new slot every `qr_rotate_seconds`) and carries an HMAC of the event
and slot under the event's own secret; it is valid from its slot's start for `qr_valid_seconds`.
Nothing is stored per token, so a projector can rotate forever and a burst of sign-ins reads no
token table.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:  # annotations only: these functions read attributes, never the database
    from .models import Event, EventSettings

# A slot number (seconds since the epoch / rotation, a dozen digits at most) and 20 hex digits.
# Checked before anything else: `str.isdigit` accepts "²" and `compare_digest` raises on
# non-ASCII text, so a pasted or mangled token must be refused here, not by an exception.
_TOKEN_RE = re.compile(r"^([0-9]{1,15})\.([0-9a-f]{20})$")


class TokenError(Exception):
    """Why a token does not sign anyone in: `code` is "malformed", "expired" or "wrong_event"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _mac(event: Event, slot: int) -> str:
    key = f"{settings.SECRET_KEY}:{event.signin_secret}".encode()
    return hmac.new(key, f"{event.pk}:{slot}".encode(), hashlib.sha256).hexdigest()[:20]


def signin_token(event: Event, rules: EventSettings, now: float | None = None) -> str:
    """The token the projector shows at `now` (seconds since the epoch)."""
    now = time.time() if now is None else now
    slot = int(now // rules.qr_rotate_seconds)
    return f"{slot}.{_mac(event, slot)}"


def token_seconds_left(token: str, rules: EventSettings, now: float | None = None) -> float:
    """Seconds until `token` stops signing anyone in (negative once it has); 0 for a malformed
    token."""
    match = _TOKEN_RE.match((token or "").strip())
    if match is None:
        return 0.0
    now = time.time() if now is None else now
    return int(match.group(1)) * rules.qr_rotate_seconds + rules.qr_valid_seconds - now


def check_signin_token(
    event: Event, token: str, rules: EventSettings, now: float | None = None
) -> None:
    """Raise TokenError unless `token` is this event's and still valid at `now`."""
    now = time.time() if now is None else now
    match = _TOKEN_RE.match((token or "").strip())
    if match is None:
        raise TokenError("malformed")
    slot, mac = int(match.group(1)), match.group(2)
    if not hmac.compare_digest(mac, _mac(event, slot)):
        # A well-formed token that is not this event's: most likely another session's code.
        raise TokenError("wrong_event")
    issued = slot * rules.qr_rotate_seconds
    # Two seconds of grace for a phone clock or a slow scan at the slot boundary.
    if now < issued - 2 or now > issued + rules.qr_valid_seconds:
        raise TokenError("expired")
