"""Member services: every write checks, audits, and stores nothing on an error."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.members.models import Member, Membership
from peixun.members.selectors import branch_on, branches_on
from peixun.members.services import (
    member_create,
    member_reveal_id,
    member_transfer,
    member_update,
    position_assign,
    position_end,
)
from peixun.orgs.models import Organization, Position
from peixun.testing import PersonaTestCase, make_org, new_id_number


def valid_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "陈新",
        "id_number": new_id_number(dt.date(1991, 4, 3)),
        "status": "full",
        "joined_on": "2015-07-01",
        "confirmed_on": "2016-07-01",
        "mobile": "139 0000 1111",
    }
    data.update(overrides)
    return data


class ServiceTestCase(PersonaTestCase):
    def assertFieldError(self, error: ValidationError, field: str) -> None:
        self.assertIn(field, error.message_dict, error.message_dict)


class MemberCreateTests(ServiceTestCase):
    closed_branch: ClassVar[Organization]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.closed_branch = make_org(cls.world.unit, "T010199", "已撤销支部", "branch")
        cls.closed_branch.closed_on = dt.date(2023, 1, 1)
        cls.closed_branch.save()

    def create(self, persona: str = "secretary", org: Any = None, **data: Any) -> Member:
        return member_create(
            actor=self.user(persona), org=org or self.world.branch, data=valid_data(**data)
        )

    def assertRefused(
        self, field: str, persona: str = "secretary", org: Any = None, **data: Any
    ) -> None:
        before = (Member.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
        with self.assertRaises(ValidationError) as caught:
            self.create(persona, org, **data)
        self.assertFieldError(caught.exception, field)
        after = (Member.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
        self.assertEqual(before, after, "nothing may be stored on an error")

    def test_creates_member_membership_and_audit(self) -> None:
        member = self.create()
        self.assertEqual(member.org, self.world.branch)
        self.assertEqual(member.mobile, "13900001111")
        self.assertEqual(member.birth_date, dt.date(1991, 4, 3))
        self.assertEqual(member.gender, "M")
        self.assertTrue(member.id_number_masked.startswith("110101********"))
        self.assertNotIn("1991", member.id_number_encrypted)
        history = Membership.objects.get(member=member)
        self.assertEqual(
            (history.org, history.since, history.until),
            (self.world.branch, dt.date(2015, 7, 1), None),
        )
        event = AuditEvent.objects.get(verb="member.create")
        self.assertEqual((event.after or {})["mobile"], "13900001111")
        self.assertNotIn(member.reveal_id_number(), str(event.after))

    def test_bad_checksum(self) -> None:
        good = new_id_number(dt.date(1991, 4, 3))
        bad = good[:17] + ("0" if good[17] != "0" else "1")
        self.assertRefused("id_number", id_number=bad)

    def test_duplicate_id_number(self) -> None:
        self.assertRefused("id_number", id_number=self.world.member.reveal_id_number())
        # Full-width digits of the same number are the same number.
        wide = "".join(chr(ord(c) + 0xFEE0) for c in self.world.member.reveal_id_number())
        self.assertRefused("id_number", id_number=wide)

    def test_mobile_invalid(self) -> None:
        self.assertRefused("mobile", mobile="1234567")
        self.assertRefused("mobile", mobile="23900001111")

    def test_dates_in_the_future(self) -> None:
        future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
        self.assertRefused("joined_on", joined_on=future, confirmed_on="")
        self.assertRefused("confirmed_on", confirmed_on=future)
        with self.assertRaises(ValidationError) as caught:
            member_create(
                actor=self.user("secretary"),
                org=self.world.branch,
                data=valid_data(),
                since=timezone.localdate() + dt.timedelta(days=1),
            )
        self.assertFieldError(caught.exception, "since")
        self.assertFalse(Member.objects.filter(name="陈新").exists())

    def test_confirmed_before_joined(self) -> None:
        self.assertRefused("confirmed_on", joined_on="2016-07-01", confirmed_on="2015-07-01")

    def test_org_not_a_branch(self) -> None:
        self.assertRefused("org", persona="org_admin", org=self.world.unit)

    def test_closed_org(self) -> None:
        self.assertRefused("org", persona="org_admin", org=self.closed_branch)

    def test_out_of_scope_is_permission_denied(self) -> None:
        for persona in ("other_secretary", "viewer", "member"):
            with self.assertRaises(PermissionDenied):
                self.create(persona)
        # Even for a closed org outside their scope: the permission answer comes first.
        with self.assertRaises(PermissionDenied):
            self.create("other_secretary", org=self.closed_branch)
        self.assertFalse(Member.objects.filter(name="陈新").exists())

    def test_secretary_may_create_in_their_group(self) -> None:
        member = self.create(org=self.world.group)
        self.assertEqual(member.org, self.world.group)


class MemberUpdateTests(ServiceTestCase):
    def test_audit_before_and_after(self) -> None:
        w = self.world
        member_update(
            actor=self.user("secretary"),
            member=w.member,
            data={"mobile": "13911112222", "cadre_rank": "staff"},
        )
        event = AuditEvent.objects.get(verb="member.update")
        self.assertEqual((event.before or {})["mobile"], "13800000001")
        self.assertEqual((event.after or {})["mobile"], "13911112222")
        self.assertEqual(
            ((event.before or {})["cadre_rank"], (event.after or {})["cadre_rank"]),
            ("none", "staff"),
        )
        self.assertEqual(event.actor, self.user("secretary"))
        self.assertEqual(event.org_id, w.branch.pk)

    def test_no_change_no_audit(self) -> None:
        w = self.world
        member_update(actor=self.user("secretary"), member=w.member, data={"name": "李明"})
        self.assertFalse(AuditEvent.objects.filter(verb="member.update").exists())

    def test_cannot_change_org(self) -> None:
        w = self.world
        with self.assertRaises(ValidationError) as caught:
            member_update(
                actor=self.user("org_admin"),
                member=w.member,
                data={"org": w.other_branch, "name": "X"},
            )
        self.assertFieldError(caught.exception, "org")
        w.member.refresh_from_db()
        self.assertEqual((w.member.org, w.member.name), (w.branch, "李明"))
        # Sending the current org along is harmless.
        member_update(actor=self.user("org_admin"), member=w.member, data={"org": w.branch.pk})

    def test_birth_date_checked_against_stored_id_number(self) -> None:
        w = self.world
        with self.assertRaises(ValidationError) as caught:
            member_update(
                actor=self.user("secretary"), member=w.member, data={"birth_date": "1999-1-1"}
            )
        self.assertFieldError(caught.exception, "birth_date")
        with self.assertRaises(ValidationError) as caught:
            member_update(actor=self.user("secretary"), member=w.member, data={"gender": "F"})
        self.assertFieldError(caught.exception, "gender")

    def test_blank_birth_date_and_gender_come_from_the_id_number(self) -> None:
        w = self.world
        member = member_update(
            actor=self.user("secretary"), member=w.member, data={"birth_date": "", "gender": ""}
        )
        self.assertEqual((member.birth_date, member.gender), (dt.date(1985, 6, 15), "M"))

    def test_full_member_needs_joining_date(self) -> None:
        w = self.world
        with self.assertRaises(ValidationError) as caught:
            member_update(
                actor=self.user("secretary"),
                member=w.member,
                data={"joined_on": "", "confirmed_on": ""},
            )
        self.assertFieldError(caught.exception, "joined_on")

    def test_only_org_admin_changes_id_number(self) -> None:
        w = self.world
        number = new_id_number(w.member.birth_date)
        with self.assertRaises(PermissionDenied):
            member_update(actor=self.user("secretary"), member=w.member, data={"id_number": number})
        member = member_update(
            actor=self.user("org_admin"), member=w.member, data={"id_number": number}
        )
        self.assertEqual(member.reveal_id_number(), number)
        with self.assertRaises(ValidationError) as caught:
            member_update(
                actor=self.user("org_admin"),
                member=w.member,
                # Blank birth date and gender follow the new number, so only the duplicate is wrong.
                data={
                    "id_number": w.secretary_member.reveal_id_number(),
                    "birth_date": "",
                    "gender": "",
                },
            )
        self.assertFieldError(caught.exception, "id_number")

    def test_out_of_scope(self) -> None:
        w = self.world
        for persona in ("other_secretary", "viewer", "member"):
            with self.assertRaises(PermissionDenied):
                member_update(actor=self.user(persona), member=w.member, data={"name": "改"})
        w.member.refresh_from_db()
        self.assertEqual(w.member.name, "李明")


class MemberTransferTests(ServiceTestCase):
    def transfer(self, persona: str = "org_admin", to: Any = None, **kw: Any) -> Membership:
        kw.setdefault("effective", dt.date(2020, 3, 1))
        return member_transfer(
            actor=self.user(persona),
            member=self.world.member,
            to_org=to or self.world.other_branch,
            **kw,
        )

    def test_history_closed_and_opened(self) -> None:
        w = self.world
        new = self.transfer(note="工作调动")
        old = Membership.objects.get(member=w.member, org=w.branch)
        self.assertEqual(old.until, dt.date(2020, 3, 1))
        self.assertEqual(
            (new.org, new.since, new.until, new.note),
            (w.other_branch, dt.date(2020, 3, 1), None, "工作调动"),
        )
        w.member.refresh_from_db()
        self.assertEqual(w.member.org, w.other_branch)
        event = AuditEvent.objects.get(verb="member.transfer")
        self.assertEqual(
            ((event.before or {})["org"], (event.after or {})["org"]),
            (w.branch.pk, w.other_branch.pk),
        )

    def test_branch_on_before_and_after(self) -> None:
        w = self.world
        self.transfer()
        self.assertEqual(branch_on(member=w.member, day=dt.date(2020, 2, 29)), w.branch)
        self.assertEqual(branch_on(member=w.member, day=dt.date(2020, 3, 1)), w.other_branch)
        self.assertEqual(branch_on(member=w.member.pk, day=timezone.localdate()), w.other_branch)
        self.assertIsNone(branch_on(member=w.member, day=dt.date(2009, 1, 1)))
        self.assertEqual(
            branches_on(member_ids=[w.member.pk, w.far_member.pk], day=dt.date(2020, 2, 1)),
            {w.member.pk: w.branch.pk, w.far_member.pk: w.far_branch.pk},
        )

    def test_effective_in_future_rejected(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.transfer(effective=timezone.localdate() + dt.timedelta(days=1))
        self.assertFieldError(caught.exception, "effective")
        self.assertEqual(Membership.objects.filter(member=self.world.member).count(), 1)

    def test_effective_before_current_since_rejected(self) -> None:
        for day in (dt.date(2010, 7, 1), dt.date(2009, 1, 1)):
            with self.assertRaises(ValidationError) as caught:
                self.transfer(effective=day)
            self.assertFieldError(caught.exception, "effective")
        self.assertEqual(Membership.objects.filter(member=self.world.member).count(), 1)

    def test_target_out_of_scope_rejected(self) -> None:
        w = self.world
        with self.assertRaises(ValidationError) as caught:
            self.transfer("secretary", to=w.other_branch)
        self.assertFieldError(caught.exception, "to_org")
        self.assertEqual(caught.exception.message_dict["to_org"], ["您的管理范围内没有该党组织。"])
        w.member.refresh_from_db()
        self.assertEqual(w.member.org, w.branch)

    def test_source_out_of_scope_is_permission_denied(self) -> None:
        for persona in ("other_secretary", "viewer", "member"):
            with self.assertRaises(PermissionDenied):
                self.transfer(persona, to=self.world.other_branch)

    def test_secretary_moves_within_branch(self) -> None:
        w = self.world
        self.transfer("secretary", to=w.group)
        self.assertEqual(branch_on(member=w.member, day=dt.date(2021, 1, 1)), w.group)

    def test_same_org_and_non_branch_rejected(self) -> None:
        w = self.world
        with self.assertRaises(ValidationError) as caught:
            self.transfer(to=w.branch)
        self.assertFieldError(caught.exception, "to_org")
        with self.assertRaises(ValidationError) as caught:
            self.transfer(to=w.unit)
        self.assertFieldError(caught.exception, "to_org")


class RevealTests(ServiceTestCase):
    def test_org_admin_reveals_and_it_is_audited(self) -> None:
        w = self.world
        number = member_reveal_id(actor=self.user("org_admin"), member=w.member)
        self.assertEqual(len(number), 18)
        self.assertEqual(number[:6] + "********" + number[14:], w.member.id_number_masked)
        event = AuditEvent.objects.get(verb="member.reveal_id")
        self.assertEqual((event.actor, event.object_id), (self.user("org_admin"), str(w.member.pk)))
        member_reveal_id(actor=w.platform_admin, member=w.member)
        self.assertEqual(AuditEvent.objects.filter(verb="member.reveal_id").count(), 2)

    def test_forbidden_for_others(self) -> None:
        w = self.world
        for persona in ("secretary", "viewer", "member", "other_secretary"):
            with self.assertRaises(PermissionDenied):
                member_reveal_id(actor=self.user(persona), member=w.member)
        self.assertFalse(AuditEvent.objects.filter(verb="member.reveal_id").exists())


class PositionTests(ServiceTestCase):
    def assign(self, persona: str = "secretary", **kw: Any) -> Position:
        args: dict[str, Any] = {
            "member": self.world.member,
            "org": self.world.branch,
            "role": "organization",
            "kind": "part_time",
            "since": dt.date(2023, 1, 1),
        }
        args.update(kw)
        return position_assign(actor=self.user(persona), **args)

    def test_assign_and_end_are_audited(self) -> None:
        position = self.assign()
        self.assertEqual(position.org, self.world.branch)
        self.assertTrue(
            AuditEvent.objects.filter(verb="position.assign", object_id=str(position.pk)).exists()
        )
        position_end(actor=self.user("secretary"), position=position, until=dt.date(2024, 1, 1))
        position.refresh_from_db()
        self.assertEqual(position.until, dt.date(2024, 1, 1))
        event = AuditEvent.objects.get(verb="position.end")
        self.assertEqual(
            ((event.before or {})["until"], (event.after or {})["until"]), (None, "2024-01-01")
        )

    def test_position_in_group_or_committee_above(self) -> None:
        w = self.world
        self.assertEqual(self.assign(org=w.group).org, w.group)
        self.assertEqual(self.assign("org_admin", org=w.unit).org, w.unit)

    def test_bad_values(self) -> None:
        w = self.world
        cases: list[tuple[dict[str, Any], str]] = [
            ({"role": "king"}, "role"),
            ({"kind": "forever"}, "kind"),
            ({"until": dt.date(2022, 1, 1)}, "until"),
            ({"org": w.other_branch, "persona": "org_admin"}, "org"),
        ]
        for kw, field in cases:
            persona = kw.pop("persona", "secretary")
            with self.assertRaises(ValidationError) as caught:
                self.assign(persona, **kw)
            self.assertFieldError(caught.exception, field)
        self.assertFalse(Position.objects.filter(member=w.member).exists())

    def test_closed_org_rejected(self) -> None:
        w = self.world
        w.group.closed_on = dt.date(2024, 1, 1)
        w.group.save()
        with self.assertRaises(ValidationError) as caught:
            self.assign(org=w.group)
        self.assertFieldError(caught.exception, "org")

    def test_permissions(self) -> None:
        w = self.world
        for persona in ("other_secretary", "viewer", "member"):
            with self.assertRaises(PermissionDenied):
                self.assign(persona)
        with self.assertRaises(PermissionDenied):
            self.assign("secretary", org=w.unit)  # the committee above is not the secretary's
        position = Position.objects.get(member=w.secretary_member)
        with self.assertRaises(PermissionDenied):
            position_end(
                actor=self.user("other_secretary"), position=position, until=dt.date(2024, 1, 1)
            )

    def test_end_before_start_rejected(self) -> None:
        position = Position.objects.get(member=self.world.secretary_member)
        with self.assertRaises(ValidationError) as caught:
            position_end(
                actor=self.user("secretary"), position=position, until=dt.date(2021, 12, 31)
            )
        self.assertFieldError(caught.exception, "until")
        position.refresh_from_db()
        self.assertIsNone(position.until)
