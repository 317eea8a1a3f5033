"""Encryption at rest for sensitive personal fields, with a keyed hash for lookups.

Both derive from the field key (PEIXUN_FIELD_KEY). To rotate it, the operator sets the new key
and lists the old one in PEIXUN_FIELD_KEY_PREVIOUS: values encrypted under any listed key still
decrypt, new values use the new key, and `manage.py rotate_field_key` re-encrypts and re-hashes
every stored value under the new key, after which the old key is dropped from the list.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _current_secret() -> str:
    return str(settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY)


def _secrets() -> list[str]:
    """The current key first, then the earlier ones still being rotated away from."""
    previous = [s for s in getattr(settings, "FIELD_ENCRYPTION_KEYS_PREVIOUS", []) if s]
    return [_current_secret(), *previous]


def _derive(purpose: bytes, secret: str) -> bytes:
    return hashlib.sha256(purpose + b"\x00" + secret.encode()).digest()


@lru_cache(maxsize=8)
def _fernet(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"peixun-field-encryption", secret)))


def _all_fernets() -> MultiFernet:
    return MultiFernet([_fernet(secret) for secret in _secrets()])


def encrypt_text(plain: str) -> str:
    return _fernet(_current_secret()).encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    return _all_fernets().decrypt(token.encode()).decode()


def reencrypt_text(token: str) -> str:
    """The same value encrypted under the current key (from any listed key)."""
    return _all_fernets().rotate(token.encode()).decode()


def _hash(plain: str, secret: str) -> str:
    key = _derive(b"peixun-lookup-hash", secret)
    return hmac.new(key, plain.encode(), hashlib.sha256).hexdigest()


def keyed_hash(plain: str) -> str:
    """Stable HMAC of a value, so equal values can be found and kept unique without decrypting."""
    return _hash(plain, _current_secret())


def keyed_hashes(plain: str) -> list[str]:
    """The value's hash under every listed key, current first: for looking up a value whose
    stored hash may predate a rotation (an activation code printed before it)."""
    return [_hash(plain, secret) for secret in _secrets()]
