"""Rotating the field key: stored ID numbers move to the new key, lookups keep working, a slip
printed before the rotation still activates, and a value under an unknown key stops the run."""

from __future__ import annotations

from io import StringIO

from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from peixun.accounts.services import account_activate, account_create
from peixun.core.crypto import decrypt_text, keyed_hash
from peixun.core.models import AuditEvent
from peixun.members.models import Member
from peixun.testing import PersonaTestCase, make_member

OLD = "old-field-key-" + "o" * 40
NEW = "new-field-key-" + "n" * 40


class FieldKeyRotationTests(PersonaTestCase):
    def test_rotation_moves_every_number_to_the_new_key(self) -> None:
        # The world's members were written under the test settings' key: a second old key.
        first = settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY
        with override_settings(FIELD_ENCRYPTION_KEY=OLD):
            zhou = make_member(self.world.branch, "周新")
            number = zhou.reveal_id_number()
            old_row = Member.objects.values("id_number_encrypted", "id_number_hash").get(pk=zhou.pk)
            issued = account_create(actor=self.user("org_admin"), member=zhou)
        others = {m.pk: m.reveal_id_number() for m in Member.objects.exclude(pk=zhou.pk)}
        others[zhou.pk] = number

        with override_settings(
            FIELD_ENCRYPTION_KEY=NEW, FIELD_ENCRYPTION_KEYS_PREVIOUS=[OLD, first]
        ):
            # Before the command: old values still read, under either key.
            self.assertEqual(Member.objects.get(pk=zhou.pk).reveal_id_number(), number)
            out = StringIO()
            call_command("rotate_field_key", "--batch-size", "2", stdout=out)
            self.assertIn(f"{len(others)} ID numbers", out.getvalue())
            # A slip printed under the old key still activates.
            user = account_activate(code=issued.code, password="Lanterns-9-on-river")
            self.assertEqual(user.member_id, zhou.pk)

        row = Member.objects.values("id_number_encrypted", "id_number_hash").get(pk=zhou.pk)
        self.assertNotEqual(row, old_row)
        with override_settings(FIELD_ENCRYPTION_KEY=NEW, FIELD_ENCRYPTION_KEYS_PREVIOUS=[]):
            # The old key is gone: every number reads and is found by its new hash.
            for pk, plain in others.items():
                member = Member.objects.get(pk=pk)
                self.assertEqual(decrypt_text(member.id_number_encrypted), plain)
                self.assertEqual(member.id_number_hash, keyed_hash(plain))
        event = AuditEvent.objects.get(verb="crypto.field_key_rotate")
        self.assertEqual(event.after, {"members": len(others)})

    def test_a_number_under_an_unknown_key_stops_the_run_with_a_clear_error(self) -> None:
        with override_settings(FIELD_ENCRYPTION_KEY=OLD):
            make_member(self.world.branch, "周新")
        with (
            override_settings(FIELD_ENCRYPTION_KEY=NEW, FIELD_ENCRYPTION_KEYS_PREVIOUS=[]),
            self.assertRaisesMessage(CommandError, "PEIXUN_FIELD_KEY_PREVIOUS"),
        ):
            call_command("rotate_field_key", stdout=StringIO())
        self.assertFalse(AuditEvent.objects.filter(verb="crypto.field_key_rotate").exists())
