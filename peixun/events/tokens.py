"""Rotating sign-in tokens for the projector QR code.

A token names a time slot (a new slot every `qr_rotate_seconds`) and carries an HMAC of the event
and slot under the event's own secret; it is valid from its slot's start for `qr_valid_seconds`.
Nothing is stored per token, so a projector can rotate forever and a burst of sign-ins reads no
token table.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings

from .models import Event, EventSettings


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
    slot = int(token.split(".", 1)[0])
    now = time.time() if now is None else now
    return slot * rules.qr_rotate_seconds + rules.qr_valid_seconds - now


def check_signin_token(
    event: Event, token: str, rules: EventSettings, now: float | None = None
) -> None:
    """Raise TokenError unless `token` is this event's and still valid at `now`."""
    now = time.time() if now is None else now
    slot_text, _sep, mac = (token or "").strip().partition(".")
    if not slot_text.isdigit() or len(mac) != 20:
        raise TokenError("malformed")
    slot = int(slot_text)
    if not hmac.compare_digest(mac, _mac(event, slot)):
        # A well-formed token that is not this event's: most likely another session's code.
        raise TokenError("wrong_event")
    issued = slot * rules.qr_rotate_seconds
    # Two seconds of grace for a phone clock or a slow scan at the slot boundary.
    if now < issued - 2 or now > issued + rules.qr_valid_seconds:
        raise TokenError("expired")
