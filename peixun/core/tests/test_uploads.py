"""A held upload is returned only to its uploader, for what it was bound to, before it expires."""

from __future__ import annotations

import os
import time
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import SimpleTestCase

from peixun.core.jobs import registered_jobs
from peixun.core.uploads import HOLD_SECONDS, upload_held, upload_hold


class Someone:
    is_authenticated = True
    is_superuser = False

    def __init__(self, pk: int) -> None:
        self.pk = pk


class HeldUploadTests(SimpleTestCase):
    def test_round_trip_and_release(self) -> None:
        alice = Someone(1)
        token = upload_hold(
            kind="t", user=alice, data=b"xlsx", filename="名册.xlsx", bound={"o": 3}
        )
        held = upload_held(kind="t", user=alice, token=token, max_age=60, bound={"o": 3})
        assert held is not None
        self.assertEqual((held.read(), held.filename, held.bound), (b"xlsx", "名册.xlsx", {"o": 3}))
        held.release()
        self.assertIsNone(upload_held(kind="t", user=alice, token=token, max_age=60))

    def test_refused_to_another_user_another_binding_another_kind_or_a_forged_token(self) -> None:
        alice = Someone(1)
        token = upload_hold(kind="t", user=alice, data=b"x", filename="a.xlsx", bound={"e": 7})
        self.assertIsNone(upload_held(kind="t", user=Someone(2), token=token, max_age=60))
        self.assertIsNone(upload_held(kind="t", user=AnonymousUser(), token=token, max_age=60))
        self.assertIsNone(
            upload_held(kind="t", user=alice, token=token, max_age=60, bound={"e": 8})
        )
        self.assertIsNone(upload_held(kind="other", user=alice, token=token, max_age=60))
        self.assertIsNone(upload_held(kind="t", user=alice, token=token + "x", max_age=60))
        self.assertIsNone(upload_held(kind="t", user=alice, token="", max_age=60))

    def test_expired_token_is_refused(self) -> None:
        alice = Someone(1)
        token = upload_hold(kind="t", user=alice, data=b"x", filename="a.xlsx")
        time.sleep(1.1)
        self.assertIsNone(upload_held(kind="t", user=alice, token=token, max_age=1))

    def test_files_not_confirmed_within_the_hour_are_swept_by_the_periodic_job(self) -> None:
        folder = Path(settings.MEDIA_ROOT) / "imports" / "t"
        folder.mkdir(parents=True, exist_ok=True)
        old, recent = folder / ("a" * 32 + ".xlsx"), folder / ("b" * 32 + ".xlsx")
        for path in (old, recent):
            path.write_bytes(b"x")
        past_the_hour = time.time() - HOLD_SECONDS - 60
        os.utime(old, (past_the_hour, past_the_hour))
        job = next(job for job in registered_jobs() if job.name == "core.uploads_sweep")
        self.assertLessEqual(job.every.total_seconds(), 15 * 60)
        self.assertEqual(job.run(), 1)
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())

    def test_a_token_never_outlives_the_hour(self) -> None:
        alice = Someone(1)
        token = upload_hold(kind="t", user=alice, data=b"x", filename="a.xlsx")
        later = time.time() + HOLD_SECONDS + 5
        with mock.patch("django.core.signing.time.time", return_value=later):
            self.assertIsNone(upload_held(kind="t", user=alice, token=token, max_age=10 * 3600))
