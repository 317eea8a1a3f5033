"""Two units booking the same slot at the same moment, each on its own connection: exactly one
booking stands. PostgreSQL only: there the exclusion constraint and the site's row lock hold
across connections (the in-memory SQLite of the tests shares one cache between threads)."""

from __future__ import annotations

import threading
import unittest
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.test import TransactionTestCase, override_settings

from peixun.resources.models import Booking
from peixun.resources.services import booking_request
from peixun.testing import World

from .fixtures import at, county_venue, make_booking


def _race(work: list[Callable[[], object]]) -> list[object]:
    """Run each callable in its own thread and connection, released together; what each
    returned or raised."""
    barrier = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work[i]()
        except Exception as error:  # noqa: BLE001  # the outcome is what the test looks at
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@unittest.skipUnless(connection.vendor == "postgresql", "the race needs separate connections")
# Written against the English messages (the catalogue came with the merge).
@override_settings(LANGUAGE_CODE="en")
class ConcurrentBookingTests(TransactionTestCase):
    def setUp(self) -> None:
        self.world = World()
        self.site = county_venue(self.world)

    def test_two_units_asking_at_once_one_booking_stands(self) -> None:
        w = self.world

        def ask(persona: str, org: object) -> Booking:
            return booking_request(
                actor=w.users[persona],
                site=self.site,
                org=org,
                starts_at=at(7, 9),
                ends_at=at(7, 11),
                people=10,
                purpose="主题党日",
            )

        results = _race(
            [lambda: ask("secretary", w.branch), lambda: ask("other_secretary", w.other_branch)]
        )
        made = [r for r in results if isinstance(r, Booking)]
        refused = [r for r in results if isinstance(r, ValidationError)]
        self.assertEqual((len(made), len(refused)), (1, 1), results)
        self.assertIn("already booked", str(refused[0]))
        self.assertEqual(Booking.objects.count(), 1)

    def test_the_constraint_alone_refuses_a_racing_insert(self) -> None:
        """Without the service's lock and check (two bare inserts), the database keeps one."""
        w = self.world

        def insert(org: object) -> Booking:
            with transaction.atomic():
                return make_booking(self.site, org, 7, 9)  # type: ignore[arg-type]

        results = _race([lambda: insert(w.branch), lambda: insert(w.other_branch)])
        made = [r for r in results if isinstance(r, Booking)]
        # PostgreSQL refuses the second insert as an exclusion violation, or, when each insert
        # is already waiting on the other's tuple, by aborting one as a deadlock found while
        # checking that same constraint: either way one booking stands.
        clashes = [r for r in results if isinstance(r, IntegrityError | OperationalError)]
        self.assertEqual((len(made), len(clashes)), (1, 1), results)
        refusal = str(clashes[0])
        self.assertTrue(
            "booking_no_overlap" in refusal
            or ("deadlock detected" in refusal and "exclusion constraint" in refusal),
            refusal,
        )
        self.assertEqual(Booking.objects.count(), 1)
