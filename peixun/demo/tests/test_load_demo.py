"""load_demo at a small scale: the invariants the services enforce hold for seeded data too."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from typing import ClassVar

from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.core.models import AuditEvent
from peixun.demo.generator import DEMO_PASSWORD
from peixun.demo.management.commands.load_demo import DEMO_CODE
from peixun.members.logic import clean_member_fields
from peixun.members.models import Member, Membership
from peixun.orgs.models import Organization, Position

MEMBER_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "mobile",
    "education",
    "joined_on",
    "confirmed_on",
    "status",
    "cadre_rank",
    "employment",
    "exempt_reason",
)


def load_small() -> str:
    out = io.StringIO()
    call_command("load_demo", members=200, branches=15, stdout=out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    return {
        "orgs": Organization.objects.count(),
        "members": Member.objects.count(),
        "memberships": Membership.objects.count(),
        "positions": Position.objects.count(),
        "users": User.objects.count(),
        "grants": Grant.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


class LoadDemoTests(TestCase):
    output: ClassVar[str]
    root: ClassVar[Organization]
    today: ClassVar[dt.date]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = load_small()
        cls.root = Organization.objects.get(code=DEMO_CODE)
        cls.today = timezone.localdate()

    def test_tree_is_well_formed(self) -> None:
        self.assertEqual(Organization.objects.find_problems(), ([], [], [], [], []))
        tree = list(Organization.objects.get_tree(self.root))
        self.assertEqual(self.root.kind, Organization.Kind.WORKING_COMMITTEE)
        kinds = Counter(o.kind for o in tree)
        self.assertEqual(kinds[Organization.Kind.BRANCH], 15)
        self.assertGreater(kinds[Organization.Kind.GROUP], 0)
        for org in tree:
            self.assertEqual(org.numchild, Organization.objects.get_children(org).count(), org.code)
        self.assertIn("办公室党支部", {o.name for o in tree})
        self.assertIn("离退休干部党支部", {o.name for o in tree})

    def test_member_counts_and_mix(self) -> None:
        members = Member.objects.all()
        self.assertEqual(members.count(), 200)
        statuses = Counter(members.values_list("status", flat=True))
        self.assertGreater(statuses[Member.Status.FULL], 150)
        self.assertGreater(statuses[Member.Status.PROBATIONARY], 0)
        employment = Counter(
            members.filter(org__name="离退休干部党支部").values_list("employment", flat=True)
        )
        self.assertEqual(set(employment), {Member.Employment.RETIRED})
        self.assertTrue(members.exclude(exempt_reason="").exists())
        self.assertTrue(all(m.org.accepts_members for m in members.select_related("org")))

    def test_every_member_passes_the_member_field_rules(self) -> None:
        # The same rules forms, the API and the import use: valid ID, birth date and gender from
        # it, joined at 18 or later, confirmed after joined, no future dates.
        for member in Member.objects.all():
            raw = {f: getattr(member, f) for f in MEMBER_FIELDS}
            raw["id_number"] = member.reveal_id_number()
            _, errors = clean_member_fields(raw)
            self.assertEqual(errors, {}, (member.pk, raw))
            if member.status == Member.Status.FULL:
                assert member.joined_on and member.confirmed_on
                self.assertEqual(member.confirmed_on.year, member.joined_on.year + 1)

    def test_id_hashes_are_unique(self) -> None:
        hashes = list(Member.objects.values_list("id_number_hash", flat=True))
        self.assertEqual(len(hashes), len(set(hashes)))
        self.assertTrue(all(len(h) == 64 for h in hashes))

    def test_every_branch_has_a_current_secretary(self) -> None:
        branches = Organization.objects.filter(
            path__startswith=self.root.path, kind=Organization.Kind.BRANCH
        )
        with_secretary = set(
            Position.objects.current()
            .filter(role=Position.Role.SECRETARY, org__in=branches)
            .values_list("org_id", flat=True)
        )
        self.assertEqual(with_secretary, set(branches.values_list("pk", flat=True)))
        for position in Position.objects.select_related("member__org", "org"):
            # The holder belongs to the org or below it, and held it only after arriving there.
            self.assertTrue(position.member.org.path.startswith(position.org.path))
            open_since = position.member.memberships.get(until__isnull=True).since
            self.assertGreaterEqual(position.since, open_since)
            self.assertLessEqual(position.since, self.today)

    def test_one_open_membership_on_the_members_org(self) -> None:
        open_rows = Membership.objects.filter(until__isnull=True)
        per_member = Counter(open_rows.values_list("member_id", flat=True))
        self.assertEqual(set(per_member.values()), {1})
        self.assertEqual(len(per_member), Member.objects.count())
        mismatched = [
            r.pk for r in open_rows.select_related("member") if r.org_id != r.member.org_id
        ]
        self.assertEqual(mismatched, [])
        self.assertFalse(Membership.objects.filter(since__gt=self.today).exists())

    def test_transfer_history_is_contiguous(self) -> None:
        history: dict[int, list[Membership]] = defaultdict(list)
        for row in Membership.objects.order_by("member_id", "since"):
            history[row.member_id].append(row)
        transferred = [rows for rows in history.values() if len(rows) > 1]
        self.assertGreater(len(transferred), 10)
        for rows in transferred:
            for before, after in zip(rows, rows[1:], strict=False):
                self.assertEqual(before.until, after.since)
                self.assertNotEqual(before.org_id, after.org_id)
            self.assertIsNone(rows[-1].until)
            self.assertLessEqual(rows[-1].since, self.today)

    def test_one_audit_event_with_the_counts(self) -> None:
        event = AuditEvent.objects.get(verb="demo.load")
        assert event.after is not None
        self.assertEqual(event.after["members"], 200)
        self.assertEqual(event.org_id, self.root.pk)

    def test_feature_branch_has_variety(self) -> None:
        branch = Grant.objects.get(user__username="secretary").org
        assert branch is not None
        members = Member.objects.filter(org=branch)
        self.assertTrue(15 <= members.count() <= 25)
        self.assertTrue(members.exclude(exempt_reason="").exists())
        self.assertTrue(members.filter(status=Member.Status.PROBATIONARY).exists())

    def test_demo_users_log_in(self) -> None:
        secretary = User.objects.select_related("member").get(username="secretary")
        assert secretary.member is not None and secretary.mobile
        self.assertEqual(secretary.mobile, secretary.member.mobile)
        logins = ["admin", "org_admin", "secretary", "member", "viewer", secretary.mobile]
        for login in logins:
            client = Client()
            response = client.post(
                reverse("accounts:login"), {"username": login, "password": DEMO_PASSWORD}
            )
            self.assertEqual(response.status_code, 302, login)
            self.assertIn("_auth_user_id", client.session, login)
        bad = Client().post(reverse("accounts:login"), {"username": "admin", "password": "nope"})
        self.assertEqual(bad.status_code, 200)

    def test_scopes(self) -> None:
        users = {u.username: u for u in User.objects.all()}
        secretary, member = users["secretary"], users["member"]
        branch = Grant.objects.get(user=secretary, role=Grant.Role.SECRETARY).org
        assert branch is not None and secretary.member and member.member
        self.assertEqual(secretary.member.org_id, branch.pk)
        self.assertTrue(
            Position.objects.current()
            .filter(member=secretary.member, org=branch, role=Position.Role.SECRETARY)
            .exists()
        )
        seen = Member.objects.visible_to(secretary)
        self.assertEqual(set(seen.values_list("org_id", flat=True)), {branch.pk})
        self.assertEqual(seen.count(), Member.objects.filter(org=branch).count())
        self.assertEqual(member.member.org_id, branch.pk)
        self.assertFalse(member.grants.exists())
        self.assertEqual(list(Member.objects.visible_to(member)), [member.member])
        for name in ("viewer", "org_admin", "admin"):
            self.assertEqual(Member.objects.visible_to(users[name]).count(), 200, name)
        self.assertTrue(Grant.objects.filter(user=users["admin"], role="platform_admin").exists())
        self.assertTrue(
            Grant.objects.filter(user=users["viewer"], role="viewer", org=self.root).exists()
        )
        self.assertTrue(
            Grant.objects.filter(user=users["org_admin"], role="org_admin", org=self.root).exists()
        )

    def test_second_run_changes_nothing(self) -> None:
        before = table_counts()
        output = load_small()
        self.assertIn("already loaded", output)
        self.assertEqual(table_counts(), before)

    def test_output_names_the_logins(self) -> None:
        for username in ("admin", "org_admin", "secretary", "member", "viewer", DEMO_PASSWORD):
            self.assertIn(username, self.output)


class GenerateTenantTests(TestCase):
    def test_generates_a_separate_tenant_beside_the_demo(self) -> None:
        load_small()
        out = io.StringIO()
        call_command("generate_tenant", members=120, branches=10, code="bench1", seed=7, stdout=out)
        root = Organization.objects.get(code="BENCH1")
        self.assertEqual(root.depth, 1)
        self.assertEqual(Member.objects.filter(org__path__startswith=root.path).count(), 120)
        self.assertEqual(Member.objects.count(), 320)
        duplicates = Member.objects.values("id_number_hash").annotate(n=Count("id")).filter(n__gt=1)
        self.assertFalse(duplicates.exists())
        self.assertEqual(Organization.objects.find_problems(), ([], [], [], [], []))
        with self.assertRaises(CommandError):
            call_command("generate_tenant", members=5, branches=2, code="BENCH1", stdout=out)
        with self.assertRaises(CommandError):
            call_command("generate_tenant", members=1, branches=2, stdout=out)

    def test_same_seed_same_people(self) -> None:
        out = io.StringIO()
        call_command("generate_tenant", members=30, branches=3, code="A", seed=3, stdout=out)
        first = list(
            Member.objects.filter(org__path__startswith=Organization.objects.get(code="A").path)
            .order_by("id")
            .values_list("name", "birth_date", "status")
        )
        Membership.objects.all().delete()
        Position.objects.all().delete()
        AuditEvent.objects.all()._purge()  # the retention purge: the one way events go
        Member.objects.all().delete()
        Organization.objects.all().delete()
        call_command("generate_tenant", members=30, branches=3, code="A", seed=3, stdout=out)
        second = list(Member.objects.order_by("id").values_list("name", "birth_date", "status"))
        self.assertEqual(first, second)
