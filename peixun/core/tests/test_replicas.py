"""The replica router, against a real streaming replica when one is running.

`make test-replica` starts a primary and its replica (scripts/replica_pair.sh), runs the tests
marked `replica` with DATABASE_URL on the primary and DATABASE_REPLICA_URL on the replica, and
stops them. Elsewhere only the tests that need no replica run."""

from __future__ import annotations

import os
import time
from typing import Any

import dj_database_url
import pytest
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, SimpleTestCase, TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peixun.core.replicas import (
    PIN_COOKIE,
    REPLICA,
    ReplicaRouter,
    _reading_replica,
    replica_lag,
    replica_reads,
)
from peixun.orgs.models import Organization
from peixun.testing import World

REAL_REPLICA = os.environ.get("PEIXUN_TEST_REPLICA") == "1" and bool(
    os.environ.get("DATABASE_REPLICA_URL")
)


class RouterWithoutReplicaTest(SimpleTestCase):
    def test_reads_go_to_the_replica_only_inside_a_marked_view(self) -> None:
        router = ReplicaRouter()
        self.assertIsNone(router.db_for_read(Organization))
        token = _reading_replica.set(True)
        try:
            self.assertEqual(router.db_for_read(Organization), REPLICA)
            self.assertEqual(router.db_for_write(Organization), "default")
        finally:
            _reading_replica.reset(token)
        self.assertFalse(router.allow_migrate(REPLICA, "orgs"))
        self.assertTrue(router.allow_migrate("default", "orgs"))

    @pytest.mark.skipif(REAL_REPLICA, reason="a replica is configured in this run")
    def test_without_a_replica_a_marked_view_reads_the_primary(self) -> None:
        seen: list[bool] = []

        @replica_reads
        def view(request: HttpRequest) -> HttpResponse:
            seen.append(_reading_replica.get())
            return HttpResponse("ok")

        view(RequestFactory().get("/"))
        self.assertEqual(seen, [False])
        self.assertIsNone(replica_lag())


def _wait_until(check: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the replica did not catch up in time")
        time.sleep(0.05)


@pytest.mark.replica
@pytest.mark.skipif(not REAL_REPLICA, reason="needs a running replica: make test-replica")
class RealReplicaTest(TransactionTestCase):
    databases = {"default", REPLICA}

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        # The test runner pointed the replica alias at the primary's test database (a mirror);
        # point it at the real replica, which holds that same database by streaming it.
        replica = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"])
        connection = connections[REPLICA]
        connection.close()
        connection.settings_dict = {
            **connections["default"].settings_dict,
            "HOST": replica["HOST"],
            "PORT": replica["PORT"],
        }

    def setUp(self) -> None:
        self.world = World()
        _wait_until(
            lambda: Organization.objects.using(REPLICA).filter(pk=self.world.far_branch.pk).exists()
        )

    def test_the_replica_is_a_standby_that_streams_what_the_primary_writes(self) -> None:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            self.assertTrue(cursor.fetchone()[0])
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            self.assertFalse(cursor.fetchone()[0])
        lag = replica_lag(fresh=True)
        assert lag is not None
        self.assertLess(lag, 5)

    def test_the_dashboard_reads_the_replica_and_says_how_far_behind_it_is(self) -> None:
        client = self.client
        client.force_login(self.world.users["org_admin"])
        with (
            CaptureQueriesContext(connections[REPLICA]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            response = client.get(reverse("reports:dashboard"))
        self.assertEqual(response.status_code, 200)
        self.assertGreater(len(on_replica), 5)
        # The primary still takes the session, the user and the snapshot the page keeps.
        writes = [q["sql"] for q in on_primary if q["sql"].startswith(("INSERT", "UPDATE"))]
        self.assertTrue(all("replica" not in sql for sql in writes))
        self.assertContains(response, "data-replica-lag")

    def test_after_a_write_the_user_reads_the_primary_for_a_while(self) -> None:
        client = self.client
        client.force_login(self.world.users["org_admin"])
        response = client.post(reverse("core:notifications_read_all"))
        self.assertLess(response.status_code, 400)
        self.assertIn(PIN_COOKIE, response.cookies)
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            page = client.get(reverse("reports:dashboard"))
        self.assertEqual(page.status_code, 200)
        self.assertEqual(len(on_replica), 0)
        self.assertNotContains(page, "data-replica-lag")
        # Once the pin lapses the replica is read again.
        client.cookies.pop(PIN_COOKIE)
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            client.get(reverse("reports:dashboard"))
        self.assertGreater(len(on_replica), 0)

    def test_a_replica_too_far_behind_is_not_read(self) -> None:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_pause()")
        try:
            Organization.objects.filter(pk=self.world.far_branch.pk).update(name="改名后的支部")
            time.sleep(1.2)
            with override_settings(REPLICA_MAX_LAG_SECONDS=1):
                lag = replica_lag(fresh=True)
                assert lag is not None
                self.assertGreater(lag, 1)
                client = self.client
                client.force_login(self.world.users["org_admin"])
                with CaptureQueriesContext(connections[REPLICA]) as on_replica:
                    client.get(reverse("reports:dashboard"))
                # Only the lag was asked of the replica (at most once a second).
                self.assertLessEqual(len(on_replica), 1)
        finally:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute("SELECT pg_wal_replay_resume()")
        _wait_until(
            lambda: (
                Organization.objects.using(REPLICA)
                .filter(pk=self.world.far_branch.pk, name="改名后的支部")
                .exists()
            )
        )
