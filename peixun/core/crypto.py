"""Encryption at rest for sensitive personal fields, with a keyed hash for lookups."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet
from django.conf import settings


def _derive(purpose: bytes) -> bytes:
    secret = (settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY).encode()
    return hashlib.sha256(purpose + b"\x00" + secret).digest()


@lru_cache(maxsize=4)
def _fernet(secret_marker: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"peixun-field-encryption")))


def _current_fernet() -> Fernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY)


def encrypt_text(plain: str) -> str:
    return _current_fernet().encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    return _current_fernet().decrypt(token.encode()).decode()


def keyed_hash(plain: str) -> str:
    """Stable HMAC of a value, so equal values can be found and kept unique without decrypting."""
    return hmac.new(_derive(b"peixun-lookup-hash"), plain.encode(), hashlib.sha256).hexdigest()
