"""Builders for spending tests (no tests here): expenses recorded through the services, and a
closed class whose cost can be computed by hand.

The class (`costed_class`) is the world root's, with two sessions (4 h and 2 h) and three
accepted trainees of 第一党支部; the ledger holds, by its sessions' references:

            session 1 (4h)   session 2 (2h)   credited   completed?
    李明    4                2                6          yes
    陈静    4                -                4          yes
    周强    2 (partial)      -                2          no: flagged for withdrawal
    a pending entry for 李明 of 9 h counts nowhere (not confirmed).

So it credited 6 + 4 + 2 = 12 学时 and has 2 completed trainees.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from peixun.core.scoping import Actor
from peixun.events.tests.fixtures import add_session, enrol, make_class
from peixun.hours.models import CreditEntry, Kind
from peixun.members.models import Member
from peixun.testing import World, make_member
from peixun.training.models import Enrolment, TrainingClass

from ..models import Expense, Fund
from ..services import expense_record

YEAR = 2026
PDF = b"%PDF-1.4\n% an invoice\n"


def fields(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "org": world.branch,
        "spent_on": dt.date(YEAR, 3, 12),
        "amount": "1200.50",
        "fund": Fund.TRAINING_FUNDS,
        "purpose": "购买《习近平新时代中国特色社会主义思想学习纲要》",
        "payee": "新华书店",
    }
    data.update(overrides)
    return data


def dues(world: World, **overrides: Any) -> dict[str, Any]:
    """A 党费 expense with its decision."""
    data = fields(
        world,
        fund=Fund.PARTY_DUES,
        purpose="“七一”慰问困难党员",
        decision_body="支委会",
        decision_on=dt.date(YEAR, 3, 10),
        decision_ref="第一党支部支委会2026年第3次会议",
    )
    data.update(overrides)
    return data


def spend(actor: Actor, world: World, **overrides: Any) -> Expense:
    return expense_record(actor=actor, **fields(world, **overrides))


def pdf(name: str = "发票.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _credit(member: Member, event_id: int, hours: str, **extra: Any) -> CreditEntry:
    return CreditEntry.objects.create(
        member=member,
        org=member.org,
        on=dt.date(YEAR, 5, 10),
        year=YEAR,
        hours=Decimal(hours),
        kind=Kind.CONCENTRATED_TRAINING,
        concentrated=True,
        title="党员集中轮训班",
        source=CreditEntry.Source.EVENT,
        reference=f"event:{event_id}",
        **extra,
    )


def costed_class(world: World, **class_fields: Any) -> TrainingClass:
    training_class = make_class(
        world.root,
        title="党员集中轮训班",
        audience_org=world.unit,
        starts_on=dt.date(YEAR, 5, 8),
        ends_on=dt.date(YEAR, 5, 10),
        state=TrainingClass.State.CLOSED,
        **class_fields,
    )
    first = add_session(training_class, starts_in=-60 * 24 * 10, hours="4", title="第一讲")
    second = add_session(training_class, starts_in=-60 * 24 * 9, hours="2", title="第二讲")
    chen = make_member(world.branch, "陈静", mobile="13800000019")
    zhou = make_member(world.branch, "周强", mobile="13800000029")
    enrol(training_class, world.member, chen, zhou)
    Enrolment.objects.filter(training_class=training_class, member=zhou).update(
        flagged_for_withdrawal=True
    )
    _credit(world.member, first.event_id, "4")
    _credit(world.member, second.event_id, "2")
    _credit(chen, first.event_id, "4")
    _credit(zhou, first.event_id, "2")
    _credit(world.member, first.event_id, "9", state=CreditEntry.State.PENDING)
    return training_class
