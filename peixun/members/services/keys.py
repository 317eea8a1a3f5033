"""Rotating the field key: every stored ID number re-encrypted and re-hashed under the current
key (`core.crypto`), in batches, each batch in its own transaction so a long run can be resumed."""

from __future__ import annotations

from django.db import transaction

from peixun.core.audit import audit_record
from peixun.core.crypto import decrypt_text, encrypt_text, keyed_hash
from peixun.core.scoping import Actor

from ..models import Member


def field_key_rotate(*, actor: Actor | None, batch_size: int = 1000) -> int:
    """Re-encrypt and re-hash every member's ID number under PEIXUN_FIELD_KEY; the number done.
    Values under a key listed in PEIXUN_FIELD_KEY_PREVIOUS decrypt; anything else raises
    `cryptography.fernet.InvalidToken` and stops the run, its batch rolled back."""
    done = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                Member.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .only("pk", "id_number_encrypted", "id_number_hash")[:batch_size]
            )
            if not batch:
                break
            for member in batch:
                number = decrypt_text(member.id_number_encrypted)
                member.id_number_encrypted = encrypt_text(number)
                member.id_number_hash = keyed_hash(number)
            # Hashes are unique: a batch written in one statement never collides with itself.
            Member.objects.bulk_update(batch, ["id_number_encrypted", "id_number_hash"])
            done += len(batch)
            last_pk = batch[-1].pk
    audit_record(actor=actor, verb="crypto.field_key_rotate", after={"members": done})
    return done
