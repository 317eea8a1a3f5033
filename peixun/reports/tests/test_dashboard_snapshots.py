"""The dashboard as last computed: a snapshot young enough is what a reader sees (with the time it
was computed); an older one, or "recompute now", computes the tiles again; the job keeps each
tenant's top dashboard; the JSON codec loses nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from peixun.core.typed_json import decode, encode
from peixun.hours.services import entry_record
from peixun.orgs.models import Organization
from peixun.reports.models import DashboardSnapshot
from peixun.reports.selectors.dashboard import dashboard, tiles_to_json
from peixun.reports.selectors.dashboard.base import ChildRow, Tile
from peixun.reports.selectors.dashboard.snapshot import (
    joined_children,
    split_children,
    tiles_from_json,
)
from peixun.reports.services import dashboards_refresh
from peixun.testing import PersonaTestCase, make_org

YEAR = 2025


class CodecTests(PersonaTestCase):
    def test_values_keep_their_types(self) -> None:
        value = {"a": Decimal("1.50"), "b": [dt.date(2025, 1, 2), 3, None, "文字"], "c": 0.5}
        self.assertEqual(decode(encode(value)), value)

    def test_tiles_round_trip(self) -> None:
        entry_record(
            actor=self.user("org_admin"), members=[self.world.member], on=dt.date(YEAR, 3, 1),
            hours="12.5", kind="concentrated_training", title="培训", concentrated=True,
        )  # fmt: skip
        board = dashboard(
            actor=self.user("org_admin"),
            org=self.world.root,
            year=YEAR,
            as_of=dt.date(YEAR, 12, 31),
        )
        again = tiles_from_json(tiles_to_json(board.tiles))
        self.assertEqual(again, board.tiles)

    def test_a_chart_by_child_is_cut_with_the_children_shown(self) -> None:
        children = [ChildRow(n, f"第{n}支部", f"/d/{n}", []) for n in range(5)]
        by_child = Tile(
            key="a", title="按下级", figures=[], children=children,
            chart={"categories": [c.org_name for c in children],
                   "series": [{"name": "滞后", "data": [0, 1, 2, 3, 4]}], "stacked": True},
        )  # fmt: skip
        by_month = Tile(
            key="b", title="按月", figures=[], children=children,
            chart={"categories": ["1月", "2月"], "series": [{"name": "次数", "data": [7, 8]}]},
        )  # fmt: skip
        kept = tiles_to_json([by_child, by_month])
        cut, months = tiles_from_json(kept, children_limit=2)
        self.assertEqual(cut.chart["categories"], ["第0支部", "第1支部"])
        self.assertEqual(cut.chart["series"], [{"name": "滞后", "data": [0, 1]}])
        self.assertTrue(cut.chart["stacked"])
        self.assertEqual((len(cut.children), cut.children_count), (2, 5))
        self.assertEqual(months.chart, by_month.chart)  # not one bar per child: whole
        # Every child when all are shown, or when they are no more than the limit.
        self.assertEqual(tiles_from_json(kept), [by_child, by_month])
        self.assertEqual(tiles_from_json(kept, children_limit=5)[0].chart, by_child.chart)

    def test_kept_with_the_first_children_and_the_rest_apart(self) -> None:
        children = [ChildRow(n, f"第{n}支部", f"/d/{n}", []) for n in range(5)]
        tiles = [
            Tile(
                key="a", title="按下级", figures=[], children=children,
                chart={"categories": [c.org_name for c in children],
                       "series": [{"name": "滞后", "data": [0, 1, 2, 3, 4]}]},
            ),
            Tile(key="b", title="少", figures=[], children=children[:2]),
        ]  # fmt: skip
        head, rest = split_children(tiles_to_json(tiles), head=3)
        self.assertEqual(list(rest), ["a"])  # only the tile with more than three
        self.assertEqual([c["org_id"] for c in head[0]["children"]], [0, 1, 2])
        self.assertEqual(head[0]["chart"]["series"][0]["data"], [0, 1, 2])
        shown = tiles_from_json(head, children_limit=3)
        self.assertEqual(shown[0].children_count, 5)
        self.assertEqual(shown[1].children_count, 2)
        self.assertEqual(tiles_from_json(joined_children(head, rest)), tiles)


@override_settings(DASHBOARD_MAX_AGE_SECONDS=600)
class SnapshotTests(PersonaTestCase):
    def url(self, **extra: str) -> str:
        query = f"?org={self.world.root.pk}&year={YEAR}&as_of={YEAR}-12-31"
        return reverse("reports:dashboard") + query + "".join(f"&{k}={v}" for k, v in extra.items())

    def record(self, hours: str) -> None:
        entry_record(
            actor=self.user("org_admin"), members=[self.world.member], on=dt.date(YEAR, 3, 1),
            hours=hours, kind="concentrated_training", title="培训", concentrated=True,
        )  # fmt: skip

    def total(self, page: object) -> Decimal:
        board = page.context["board"]  # type: ignore[attr-defined]
        return Decimal(board.tile("hours").figure("total_hours").value)

    def test_a_young_snapshot_is_served_until_recomputed(self) -> None:
        self.record("10")
        client = self.client_for("org_admin")
        first = client.get(self.url())
        self.assertEqual(DashboardSnapshot.objects.count(), 1)
        self.record("5")  # a later entry: the kept figures do not know it yet
        kept = client.get(self.url())
        self.assertEqual(self.total(kept), self.total(first))
        self.assertContains(kept, "重新计算")
        fresh = client.get(self.url(fresh="1"))
        self.assertEqual(self.total(fresh), self.total(first) + 5)
        # The viewer now reads the recomputed snapshot; a member still gets a 404.
        self.assertEqual(self.total(self.client_for("viewer").get(self.url())), self.total(fresh))
        self.assertEqual(self.client_for("member").get(self.url()).status_code, 404)
        self.assertEqual(self.client_for("other_secretary").get(self.url()).status_code, 404)

    def test_an_old_snapshot_is_computed_again(self) -> None:
        self.record("10")
        client = self.client_for("org_admin")
        first = client.get(self.url())
        DashboardSnapshot.objects.update(computed_at=timezone.now() - dt.timedelta(seconds=601))
        self.record("5")
        self.assertEqual(self.total(client.get(self.url())), self.total(first) + 5)

    def test_children_past_the_kept_ones_are_read_when_shown(self) -> None:
        self.record("10")
        client = self.client_for("org_admin")
        names = {self.world.unit.name, self.world.far_unit.name}
        snapshot = "peixun.reports.selectors.dashboard.snapshot.KEPT_CHILDREN"
        with mock.patch(snapshot, 1):
            client.get(self.url())  # computed, kept with one child row per tile
            kept = DashboardSnapshot.objects.get()
            tile = next(t for t in kept.tiles if t["key"] == "hours")
            self.assertEqual((len(tile["children"]), tile["children_total"]), (1, 2))
            self.assertEqual(len(kept.child_rows["hours"]["children"]), 2)
            # The page shows 30: the rest is read; "all" as well.
            for query in ({}, {"children": "all"}):
                board = client.get(self.url(**query)).context["board"]
                self.assertEqual({c.org_name for c in board.tile("hours").children}, names)
            with mock.patch("peixun.reports.views.dashboard.CHILDREN_SHOWN", 1):
                board = client.get(self.url()).context["board"]
                hours = board.tile("hours")
                self.assertEqual((len(hours.children), hours.children_count), (1, 2))
        self.assertEqual(DashboardSnapshot.objects.count(), 1)

    def test_the_api_says_when_the_figures_were_computed(self) -> None:
        client = self.client_for("org_admin")
        first = client.get("/api/v1/reports/dashboard", {"org": self.world.root.pk, "year": YEAR})
        self.assertIsNotNone(first.json()["computed_at"])
        again = client.get("/api/v1/reports/dashboard", {"org": self.world.root.pk, "year": YEAR})
        self.assertEqual(again.json()["computed_at"], first.json()["computed_at"])

    def test_the_job_keeps_each_tenants_top_dashboard(self) -> None:
        result = dashboards_refresh()
        today = timezone.localdate()
        kept = DashboardSnapshot.objects.filter(year=today.year)
        self.assertEqual(
            sorted(kept.values_list("org_id", flat=True)),
            sorted(o.pk for o in Organization.objects.get_root_nodes()),
        )
        self.assertIn("dashboards computed", result)


class ChildLimitTests(PersonaTestCase):
    """The world's unit with 33 branches: its two, and 31 more."""

    def setUp(self) -> None:
        super().setUp()
        for n in range(31):
            make_org(
                self.world.unit,
                f"T0101{n + 10:02d}",
                f"新设第{n + 1}支部",
                Organization.Kind.BRANCH,
            )
        self.url = reverse("reports:dashboard") + f"?org={self.world.unit.pk}&year={YEAR}"

    def test_a_top_org_with_many_children_lists_thirty_until_asked(self) -> None:
        client = self.client_for("org_admin")
        url = self.url
        html = client.get(url).content.decode()
        table = html.split('data-children="compliance"')[1].split("</table>")[0]
        self.assertEqual(table.count("data-drill-org="), 30)
        self.assertIn('data-children-more="compliance"', html)
        every = client.get(url + "&children=all").content.decode()
        table = every.split('data-children="compliance"')[1].split("</table>")[0]
        self.assertEqual(table.count("data-drill-org="), 33)  # two branches of the world + 31
        self.assertNotIn("data-children-more", every)

    @override_settings(DASHBOARD_MAX_AGE_SECONDS=600)
    def test_a_snapshot_read_for_the_page_decodes_only_the_rows_it_shows(self) -> None:
        client = self.client_for("org_admin")
        url = self.url
        client.get(url)  # computes and keeps the snapshot, every child
        kept = client.get(url)
        tile = kept.context["board"].tile("compliance")
        self.assertEqual((len(tile.children), tile.children_count), (30, 33))
        self.assertContains(kept, "33")
        table = kept.content.decode().split('data-children="compliance"')[1].split("</table>")[0]
        self.assertEqual(table.count("data-drill-org="), 30)
        self.assertContains(kept, 'data-children-more="compliance"')
        every = client.get(url + "&children=all")
        self.assertEqual(len(every.context["board"].tile("compliance").children), 33)
