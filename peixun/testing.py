"""Test helpers shared by every app: a small tenant and the six personas.

Every page and API route test uses `PersonaTestCase`: the world is built once per class
(`setUpTestData`), and `expect_personas` asserts the status each persona gets.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any, ClassVar
from urllib.parse import unquote

from django.contrib.auth.models import AnonymousUser
from django.test import Client, TestCase

from peixun.accounts.models import Grant, User
from peixun.core.idcard import make_id_number
from peixun.core.scoping import Actor
from peixun.members.models import Member, Membership
from peixun.members.services import set_id_number
from peixun.orgs.models import Organization, Position

PERSONAS = ("anonymous", "member", "secretary", "other_secretary", "org_admin", "viewer")
PASSWORD = "test-pass-123"

_sequence = itertools.count(1)


def new_id_number(birth: dt.date = dt.date(1985, 6, 15), male: bool = True) -> str:
    n = next(_sequence) % 500
    return make_id_number("110101", birth, n * 2 + (1 if male else 0))


def make_org(parent: Organization | None, code: str, name: str, kind: str) -> Organization:
    fields = {"code": code, "name": name, "kind": kind}
    if parent is None:
        return Organization.objects.add_root(fields)
    return Organization.objects.add_child(parent, fields)


def make_member(org: Organization, name: str = "张三", **fields: Any) -> Member:
    """A member written straight to the tables: fixtures for tests, not a substitute for services."""
    birth = fields.pop("birth_date", dt.date(1985, 6, 15))
    number = fields.pop("id_number", None) or new_id_number(birth)
    defaults: dict[str, Any] = {
        "gender": "M",
        "status": Member.Status.FULL,
        "joined_on": dt.date(2010, 7, 1),
        "confirmed_on": dt.date(2011, 7, 1),
    }
    defaults.update(fields)
    member = Member(org=org, name=name, birth_date=birth, **defaults)
    set_id_number(member, number)
    member.save()
    Membership.objects.create(member=member, org=org, since=member.joined_on or dt.date(2010, 1, 1))
    return member


def make_user(
    username: str, *, member: Member | None = None, role: str = "", org: Organization | None = None
) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, member=member)
    if role:
        Grant.objects.create(user=user, role=role, org=org)
    return user


class World:
    """Root 县直机关工委 → 局党委 → 第一支部 (with a group) and 第二支部; 另一党委 → 第三支部."""

    def __init__(self) -> None:
        K = Organization.Kind
        self.root = make_org(None, "T01", "测试县直机关工委", K.WORKING_COMMITTEE)
        self.unit = make_org(self.root, "T0101", "测试局机关党委", K.COMMITTEE)
        self.branch = make_org(self.unit, "T010101", "第一党支部", K.BRANCH)
        self.other_branch = make_org(self.unit, "T010102", "第二党支部", K.BRANCH)
        self.group = make_org(self.branch, "T01010101", "第一党小组", K.GROUP)
        self.far_unit = make_org(self.root, "T0102", "测试委党委", K.COMMITTEE)
        self.far_branch = make_org(self.far_unit, "T010201", "第三党支部", K.BRANCH)

        self.member = make_member(self.branch, "李明", mobile="13800000001")
        self.secretary_member = make_member(
            self.branch,
            "王芳",
            gender="F",
            birth_date=dt.date(1980, 3, 2),
            id_number=new_id_number(dt.date(1980, 3, 2), male=False),
        )
        self.other_member = make_member(self.other_branch, "赵强", mobile="13800000003")
        self.far_member = make_member(
            self.far_branch,
            "孙丽",
            gender="F",
            birth_date=dt.date(1990, 1, 9),
            id_number=new_id_number(dt.date(1990, 1, 9), male=False),
        )
        Position.objects.create(
            member=self.secretary_member,
            org=self.branch,
            role="secretary",
            kind="part_time",
            since=dt.date(2022, 1, 1),
        )
        # Every persona but anonymous, who has no user.
        self.users: dict[str, User] = {
            "member": make_user("member", member=self.member),
            "secretary": make_user(
                "secretary", member=self.secretary_member, role="secretary", org=self.branch
            ),
            "other_secretary": make_user(
                "other_secretary", member=self.other_member, role="secretary", org=self.other_branch
            ),
            "org_admin": make_user("org_admin", role="org_admin", org=self.root),
            "viewer": make_user("viewer", role="viewer", org=self.root),
        }
        self.platform_admin = make_user("platform", role="platform_admin")


class OtherTenant:
    """A second tenant beside the World's: 另一县委 → 第九支部, with a member, its secretary and
    its org admin. Nothing of one tenant may be seen, or its existence confirmed, from the other."""

    def __init__(self) -> None:
        K = Organization.Kind
        self.root = make_org(None, "X01", "另一县直机关工委", K.WORKING_COMMITTEE)
        self.branch = make_org(self.root, "X0101", "第九党支部", K.BRANCH)
        self.member = make_member(self.branch, "钱多", mobile="13900000009")
        self.secretary_member = make_member(self.branch, "吴用", mobile="13900000008")
        self.users: dict[str, User] = {
            "member": make_user("x_member", member=self.member),
            "secretary": make_user(
                "x_secretary", member=self.secretary_member, role="secretary", org=self.branch
            ),
            "org_admin": make_user("x_org_admin", role="org_admin", org=self.root),
        }


class PersonaTestCase(TestCase):
    world: ClassVar[World]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()

    def user(self, persona: str) -> User:
        """The signed-in user of a persona (anonymous has none: see `actor`)."""
        return self.world.users[persona]

    def actor(self, persona: str) -> Actor:
        """Who a persona acts as, anonymous included (as a request sees them)."""
        return self.world.users.get(persona) or AnonymousUser()

    def client_for(self, persona: str) -> Client:
        assert persona in PERSONAS, persona
        client = Client()
        user = self.world.users.get(persona)
        if user is not None:
            client.force_login(user)
        return client

    def picked(self, persona: str, url: str, field: str, q: str = "", page: int = 1) -> list[str]:
        """The labels a page's server-side picker offers a persona for `q` (core.pickers)."""
        response = self.client_for(persona).get(
            url, {"pick": field, "pick_q": q, "pick_page": str(page)}
        )
        assert response.status_code == 200, f"{persona} picking {field} on {url}: {response}"
        return [row["text"] for row in response.json()["results"]]

    def expect_personas(
        self, url: str, expected: dict[str, int], method: str = "get", **kwargs: Any
    ) -> None:
        """Assert the status each persona gets; every persona must be named."""
        missing = set(PERSONAS) - set(expected)
        assert not missing, f"name every persona, missing: {sorted(missing)}"
        for persona, status in expected.items():
            response = getattr(self.client_for(persona), method)(url, **kwargs)
            got = response.status_code
            self.assertEqual(
                got, status, f"{persona} {method.upper()} {url}: expected {status}, got {got}"
            )


def ledger_header_row(sheet: Any) -> int:
    """The row number of a 台账 sheet's header (loaded with openpyxl): the row repeated at the
    top of every printed page (`core.workbooks`), else row 1 for a sheet without print titles."""
    titles = sheet.print_title_rows
    if not titles:
        return 1
    return int(str(titles).split(":")[0].lstrip("$"))


def ledger_rows(sheet: Any) -> list[tuple[Any, ...]]:
    """The header row of a 台账 sheet and every row below it, as values: what `sheet.iter_rows(
    values_only=True)` gave before the sheets had title rows above their headers."""
    return list(sheet.iter_rows(min_row=ledger_header_row(sheet), values_only=True))


def download_names(response: Any) -> tuple[str, str]:
    """(the ASCII `filename`, the decoded `filename*`) of a download's Content-Disposition;
    the second is "" when the header has none (an ASCII name needs no `filename*`)."""
    header = response["Content-Disposition"]
    plain = re.search(r'filename="([^"]*)"', header)
    encoded = re.search(r"filename\*=UTF-8''([^;]+)", header, re.IGNORECASE)
    assert header.startswith("attachment;"), header
    assert plain is not None, header
    assert plain.group(1).isascii(), header
    return plain.group(1), unquote(encoded.group(1)) if encoded else ""


def check_printable_ledger(
    sheet: Any, *, title: str, orientation: str, freeze: str, across: int = 1
) -> list[str]:
    """Assert what every 台账 sheet (loaded with openpyxl) holds to be printed and read: its
    title row says `title` (merged over the table), the subtitle names 单位/期间/导出日期, the
    header row is frozen at `freeze` and repeated on every printed page, A4 (9) in
    `orientation`, fitted to `across` pages wide; the headers are Chinese and unique. Returns
    the headers."""
    header = ledger_header_row(sheet)
    titles = [c.value for c in sheet[1] if c.value]
    assert titles == [title], (titles, title)
    subtitle = next(c.value for c in sheet[2] if c.value)
    assert "导出日期：" in subtitle, subtitle
    assert sheet.print_title_rows == f"${header}:${header}", sheet.print_title_rows
    assert sheet.freeze_panes == freeze, sheet.freeze_panes
    setup = sheet.page_setup
    assert str(setup.paperSize) == "9", setup.paperSize
    assert setup.orientation == orientation, (sheet.title, setup.orientation)
    fit = (int(setup.fitToWidth), int(setup.fitToHeight))
    assert fit == (across, 0), fit
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    headers = [str(c.value) for c in sheet[header] if c.value is not None]
    assert len(set(headers)) == len(headers), headers
    for text in headers:
        # Chinese words; a letter may stand for an option or a statistic (选项A, 难度（p）).
        assert re.search(r"[\u4e00-\u9fff]", text) and not re.search(r"[A-Za-z]{2,}", text), text
    return headers
