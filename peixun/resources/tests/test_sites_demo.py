"""The demo's sites and bookings: each kind present, the demo branch's booking confirmed (and
its meeting's place named when it booked a meeting), one request waiting, and loading again
adds nothing."""

from __future__ import annotations

import io
from unittest import mock

from django.core.management import call_command
from django.test import TestCase

from peixun.demo.management.commands.load_demo import DEMO_CODE
from peixun.demo.sites import fill_sites
from peixun.orgs.models import Organization
from peixun.resources.models import Booking, BookingState, Site, SiteKind


class DemoSitesTests(TestCase):
    def test_demo_sites(self) -> None:
        # The demo fills this area itself; load it without, and fill it here to count what it made.
        with mock.patch(
            "peixun.demo.management.commands.load_demo.load_demo_shared", return_value=[]
        ):
            call_command("load_demo", members=200, branches=15, stdout=io.StringIO())
        root = Organization.objects.get(code=DEMO_CODE)
        made = fill_sites(root)
        self.assertEqual(made["sites"], 5)
        sites = Site.objects.filter(org__path__startswith=root.path)
        self.assertEqual(set(sites.values_list("kind", flat=True)), set(SiteKind.values))
        confirmed = Booking.objects.filter(
            state=BookingState.CONFIRMED, site__kind=SiteKind.PARTY_VENUE
        )
        self.assertEqual(confirmed.count(), 1)
        booking = confirmed.get()
        self.assertNotEqual(booking.org, booking.site.org)  # another unit's venue
        if booking.event is not None:
            self.assertIn(booking.site.name, booking.event.place)
        self.assertEqual(Booking.objects.filter(state=BookingState.REQUESTED).count(), 1)
        self.assertEqual(fill_sites(root), {})
