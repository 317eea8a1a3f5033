"""`manage.py rotate_field_key`: re-encrypt every stored ID number under PEIXUN_FIELD_KEY.

Set the new key as PEIXUN_FIELD_KEY and the old one in PEIXUN_FIELD_KEY_PREVIOUS first; stop the
web workers while it runs (docs/deployment.md, "Rotating the field key")."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from peixun.members.services import field_key_rotate


class Command(BaseCommand):
    help = "Re-encrypt and re-hash every stored ID number under the current field key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.FIELD_ENCRYPTION_KEYS_PREVIOUS:
            self.stdout.write(
                "PEIXUN_FIELD_KEY_PREVIOUS is empty: values already under the current key are re-written as they are."
            )
        try:
            done = field_key_rotate(actor=None, batch_size=options["batch_size"])
        except InvalidToken:
            raise CommandError(
                "A stored ID number decrypts under none of the keys given: list the key it was "
                "written with in PEIXUN_FIELD_KEY_PREVIOUS. Batches before it are done; run again."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(f"{done} ID numbers re-encrypted under the current key.")
        )
