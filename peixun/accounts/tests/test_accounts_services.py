"""Members' logins: creation, codes (once, expiry, voiding), activation, change, reset, departure."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peixun.accounts import services
from peixun.accounts.models import ActivationCode, User
from peixun.accounts.services.accounts import code_hash, normalize_code
from peixun.core.models import AuditEvent
from peixun.members.services import Departure, member_depart
from peixun.testing import PASSWORD, PersonaTestCase, make_member

NEW_PASSWORD = "Lanterns-on-the-river-9"


class CreateTests(PersonaTestCase):
    def test_create_one_returns_a_code_once_and_stores_only_its_hash(self) -> None:
        member = make_member(self.world.other_branch, "钱七", mobile="13900000007")
        issued = services.account_create(actor=self.user("org_admin"), member=member)
        user = issued.user
        self.assertEqual(user.member, member)
        self.assertEqual(user.mobile, "13900000007")
        self.assertFalse(user.has_usable_password())
        self.assertRegex(issued.code, r"^[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}$")
        row = ActivationCode.objects.get(user=user)
        self.assertNotIn(normalize_code(issued.code), row.code_hash)
        self.assertEqual(row.code_hash, code_hash(issued.code))
        self.assertEqual(row.created_by, self.user("org_admin"))
        self.assertTrue(
            AuditEvent.objects.filter(verb="account.create", object_id=str(user.pk)).exists()
        )

    def test_twice_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            services.account_create(actor=self.user("org_admin"), member=self.world.member)

    def test_only_an_org_admin_over_the_member(self) -> None:
        member = make_member(self.world.branch, "周八")
        for persona in ("secretary", "viewer", "member", "other_secretary"):
            with self.assertRaises(PermissionDenied, msg=persona):
                services.account_create(actor=self.actor(persona), member=member)
        self.assertFalse(User.objects.filter(member=member).exists())

    def test_a_taken_mobile_leaves_the_new_login_on_its_username(self) -> None:
        taken = "13800000001"
        User.objects.filter(pk=self.user("member").pk).update(mobile=taken)
        member = make_member(self.world.branch, "吴九", mobile=taken)
        issued = services.account_create(actor=self.user("org_admin"), member=member)
        self.assertIsNone(issued.user.mobile)
        self.assertEqual(issued.login, issued.user.username)


class BulkTests(PersonaTestCase):
    def test_whole_subtree_creates_the_missing_and_counts_the_rest(self) -> None:
        extra = [
            make_member(self.world.group, f"群众{i}", mobile=f"1370000000{i}") for i in range(5)
        ]
        # Two members of the subtree already have logins (member, secretary in the World).
        result = services.accounts_create_for_org(
            actor=self.user("org_admin"), org=self.world.branch, include_subtree=True
        )
        self.assertEqual(result.created, 5)
        self.assertEqual(result.skipped, 2)
        self.assertEqual({i.member for i in result.issued}, set(extra))
        self.assertEqual(ActivationCode.objects.filter(user__member__in=extra).count(), 5)
        event = AuditEvent.objects.get(verb="account.create_bulk")
        self.assertEqual((event.after or {}).get("created"), 5)
        self.assertEqual((event.after or {}).get("skipped"), 2)
        # Nothing more to do the second time.
        again = services.accounts_create_for_org(
            actor=self.user("org_admin"), org=self.world.branch, include_subtree=True
        )
        self.assertEqual((again.created, again.skipped), (0, 7))

    def test_the_org_alone_leaves_its_groups(self) -> None:
        make_member(self.world.group, "组员")
        result = services.accounts_create_for_org(
            actor=self.user("org_admin"), org=self.world.branch, include_subtree=False
        )
        self.assertEqual(result.created, 0)

    def test_queries_do_not_grow_with_the_members(self) -> None:
        def run(n: int, start: int) -> int:
            for i in range(n):
                make_member(self.world.far_branch, f"批量{start + i}")
            with CaptureQueriesContext(connection) as ctx:
                services.accounts_create_for_org(
                    actor=self.user("org_admin"), org=self.world.far_unit, include_subtree=True
                )
            return len(ctx.captured_queries)

        run(1, 200)  # the actor's scope is read once and kept
        self.assertEqual(run(3, 0), run(30, 100))

    def test_chosen_members_only_within_the_org(self) -> None:
        mine = make_member(self.world.branch, "甲")
        far = make_member(self.world.far_branch, "乙")
        result = services.accounts_create(
            actor=self.user("org_admin"), org=self.world.branch, member_ids=[mine.pk, far.pk]
        )
        self.assertEqual([i.member for i in result.issued], [mine])
        self.assertFalse(User.objects.filter(member=far).exists())

    def test_a_secretary_may_not(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.accounts_create_for_org(
                actor=self.user("secretary"), org=self.world.branch, include_subtree=True
            )
        self.assertFalse(AuditEvent.objects.filter(verb="account.create_bulk").exists())


class ActivationTests(PersonaTestCase):
    def setUp(self) -> None:
        self.member = make_member(self.world.branch, "郑十", mobile="13600000010")
        self.issued = services.account_create(actor=self.user("org_admin"), member=self.member)

    def test_activate_sets_the_password_once(self) -> None:
        user = services.account_activate(code=self.issued.code, password=NEW_PASSWORD)
        self.assertTrue(user.check_password(NEW_PASSWORD))
        self.assertIsNotNone(ActivationCode.objects.get(user=user).used_at)
        self.assertEqual(authenticate(username="13600000010", password=NEW_PASSWORD), user)
        with self.assertRaises(ValidationError) as used:
            services.account_activate(code=self.issued.code, password="Another-pass-77")
        self.assertIn("code", used.exception.message_dict)

    def test_lower_case_full_width_and_without_the_dash(self) -> None:
        typed = self.issued.code.replace("-", " ").lower()
        services.account_activate(code=typed, password=NEW_PASSWORD)

    def test_expired_wrong_and_mismatched_get_the_same_message(self) -> None:
        messages = set()
        for code, login in (("ABCDE-FGHJK", ""), ("", ""), (self.issued.code, "13600000099")):
            with self.assertRaises(ValidationError) as ctx:
                services.account_activate(
                    code=code, password=NEW_PASSWORD, username_or_mobile=login
                )
            messages.add(tuple(ctx.exception.message_dict["code"]))
        ActivationCode.objects.filter(user=self.issued.user).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
        with self.assertRaises(ValidationError) as ctx:
            services.account_activate(code=self.issued.code, password=NEW_PASSWORD)
        messages.add(tuple(ctx.exception.message_dict["code"]))
        self.assertEqual(len(messages), 1)
        self.assertFalse(User.objects.get(pk=self.issued.user.pk).has_usable_password())

    def test_a_weak_password_stores_nothing(self) -> None:
        for weak in ("123", "12345678", "password", "13600000010"):
            with self.assertRaises(ValidationError, msg=weak):
                services.account_activate(code=self.issued.code, password=weak)
        row = ActivationCode.objects.get(user=self.issued.user)
        self.assertIsNone(row.used_at)
        self.assertFalse(User.objects.get(pk=self.issued.user.pk).has_usable_password())

    def test_reissue_voids_the_older_code(self) -> None:
        fresh = services.activation_code_reissue(
            actor=self.user("org_admin"), user=self.issued.user
        )
        with self.assertRaises(ValidationError):
            services.account_activate(code=self.issued.code, password=NEW_PASSWORD)
        services.account_activate(code=fresh.code, password=NEW_PASSWORD)
        with self.assertRaises(ValidationError):  # activated: a reset, not a reissue
            services.activation_code_reissue(actor=self.user("org_admin"), user=self.issued.user)

    def test_reset_by_an_admin_gives_a_new_code(self) -> None:
        services.account_activate(code=self.issued.code, password=NEW_PASSWORD)
        with self.assertRaises(PermissionDenied):
            services.password_reset(actor=self.user("secretary"), user=self.issued.user)
        issued = services.password_reset(actor=self.user("org_admin"), user=self.issued.user)
        user = User.objects.get(pk=self.issued.user.pk)
        self.assertFalse(user.has_usable_password())
        self.assertTrue(AuditEvent.objects.filter(verb="account.password_reset").exists())
        services.account_activate(code=issued.code, password="Second-lantern-42")

    def test_slips_issue_fresh_codes(self) -> None:
        issued = services.activation_slips_issue(
            actor=self.user("org_admin"), org=self.world.branch, include_subtree=True
        )
        self.assertEqual([i.member for i in issued], [self.member])
        with self.assertRaises(ValidationError):
            services.account_activate(code=self.issued.code, password=NEW_PASSWORD)
        services.account_activate(code=issued[0].code, password=NEW_PASSWORD)
        self.assertTrue(AuditEvent.objects.filter(verb="account.slips_export").exists())


class PasswordChangeTests(PersonaTestCase):
    def test_change_needs_the_old_password_and_a_good_new_one(self) -> None:
        user = self.user("member")
        with self.assertRaises(ValidationError) as wrong:
            services.password_change(actor=user, old="nope", new=NEW_PASSWORD)
        self.assertIn("old", wrong.exception.message_dict)
        with self.assertRaises(ValidationError):
            services.password_change(actor=user, old=PASSWORD, new="12345678")
        services.password_change(actor=user, old=PASSWORD, new=NEW_PASSWORD)
        self.assertTrue(User.objects.get(pk=user.pk).check_password(NEW_PASSWORD))
        self.assertTrue(AuditEvent.objects.filter(verb="account.password_change").exists())


class DepartureTests(PersonaTestCase):
    def test_a_departed_member_loses_the_login_the_same_day(self) -> None:
        member = make_member(self.world.branch, "冯一", mobile="13500000011")
        issued = services.account_create(actor=self.user("org_admin"), member=member)
        member_depart(
            actor=self.user("secretary"),
            member=member,
            reason=Departure.DEATH,
            effective=timezone.localdate(),
        )
        user = User.objects.get(pk=issued.user.pk)
        self.assertFalse(user.is_active)
        self.assertEqual(
            ActivationCode.objects.filter(user=user, voided_at__isnull=False).count(), 1
        )
        self.assertTrue(AuditEvent.objects.filter(verb="account.deactivate").exists())
        with self.assertRaises(ValidationError):
            services.account_activate(code=issued.code, password=NEW_PASSWORD)

    def test_an_active_login_stops_working(self) -> None:
        user = self.user("member")
        member_depart(
            actor=self.user("org_admin"),
            member=self.world.member,
            reason=Departure.TRANSFER_OUT,
            effective=timezone.localdate(),
        )
        self.assertIsNone(authenticate(username=user.username, password=PASSWORD))

    def test_a_bad_departure_changes_nothing(self) -> None:
        with self.assertRaises(ValidationError):
            member_depart(
                actor=self.user("org_admin"),
                member=self.world.member,
                reason="bored",
                effective=timezone.localdate(),
            )
        self.assertTrue(User.objects.get(pk=self.user("member").pk).is_active)
