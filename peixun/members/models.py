from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peixun.core.crypto import decrypt_text
from peixun.core.scoping import MemberOwnedQuerySet, Scope, ScopedQuerySet
from peixun.core.validators import mobile_validator

ETHNICITIES: tuple[str, ...] = (
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
)


class MemberQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"

    def self_condition(self, scope: Scope) -> Q | None:
        return Q(pk=scope.member_id) if scope.member_id else None


class Member(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Status(models.TextChoices):
        FULL = "full", _("Full member")
        PROBATIONARY = "probationary", _("Probationary member")
        CANDIDATE = "candidate", _("Candidate for admission")
        ACTIVIST = "activist", _("Activist applying to join")

    class CadreRank(models.TextChoices):
        COUNTY_PLUS = "county_plus", _("County level and above")
        TOWNSHIP = "township", _("Township level")
        STAFF = "staff", _("Staff level")
        NONE = "none", _("Not a cadre")

    class Employment(models.TextChoices):
        ON_DUTY = "on_duty", _("On duty")
        RETIRED = "retired", _("Retired")
        MOBILE = "mobile", _("Mobile")
        OTHER = "other", _("Other")

    class ExemptReason(models.TextChoices):
        NONE = "", _("Not exempt")
        ELDERLY = "elderly", _("Elderly and frail")
        IMMOBILE = "immobile", _("Limited mobility")
        ILL = "ill", _("Seriously ill")

    class Education(models.TextChoices):
        POSTGRADUATE = "postgraduate", _("Postgraduate")
        BACHELOR = "bachelor", _("Bachelor's degree")
        COLLEGE = "college", _("College diploma")
        SECONDARY = "secondary", _("Secondary vocational")
        HIGH_SCHOOL = "high_school", _("High school")
        JUNIOR = "junior", _("Junior high school or below")

    name = models.CharField(_("name"), max_length=40, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=16, default="汉族")
    birth_date = models.DateField(_("birth date"))
    id_number_encrypted = models.TextField(_("ID number (encrypted)"))
    id_number_hash = models.CharField(_("ID number hash"), max_length=64, unique=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    mobile = models.CharField(
        _("mobile number"), max_length=11, blank=True, db_index=True, validators=[mobile_validator]
    )
    education = models.CharField(
        _("education"), max_length=16, choices=Education.choices, blank=True
    )
    # 成为发展对象日期: the 发展对象 rule counts concentrated training from this day.
    candidate_since = models.DateField(
        _("date became a candidate for admission"), null=True, blank=True
    )
    joined_on = models.DateField(_("date joined the Party"), null=True, blank=True)
    confirmed_on = models.DateField(_("date became full member"), null=True, blank=True)
    status = models.CharField(
        _("member status"), max_length=16, choices=Status.choices, default=Status.FULL
    )
    cadre_rank = models.CharField(
        _("cadre rank"), max_length=16, choices=CadreRank.choices, default=CadreRank.NONE
    )
    employment = models.CharField(
        _("employment status"),
        max_length=16,
        choices=Employment.choices,
        default=Employment.ON_DUTY,
    )
    exempt_reason = models.CharField(
        _("exemption reason"), max_length=16, choices=ExemptReason.choices, blank=True, default=""
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("Party organization"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["org_id", "name", "id"]
        indexes = [models.Index(fields=["org", "status"], name="member_org_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_on__isnull=True) | Q(joined_on__isnull=False),
                name="member_confirmed_needs_joined",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_exempt(self) -> bool:
        return bool(self.exempt_reason)

    def reveal_id_number(self) -> str:
        """The plain ID number. Only services call this, and they audit it."""
        return decrypt_text(self.id_number_encrypted)


class MembershipQuerySet(MemberOwnedQuerySet):
    scope_path_field = "org__path"

    def on(self, day: dt.date) -> MembershipQuerySet:
        return self.filter(since__lte=day).filter(Q(until__isnull=True) | Q(until__gt=day))


class Departure(models.TextChoices):
    """Why a member left the tenant: the last membership closes with it and no other opens."""

    TRANSFER_OUT = "transfer_out", _("Transferred out")
    DEATH = "death", _("Died")
    REMOVAL = "removal", _("Removed from the Party")
    WITHDRAWAL = "withdrawal", _("Left the Party")


class Membership(models.Model):
    """One stretch of a member's belonging to an org: [since, until). Transfers close one, open the next;
    a departure closes the last one and says why (`departure`)."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="memberships"
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("Party organization"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    departure = models.CharField(
        _("reason for leaving"), max_length=16, choices=Departure.choices, blank=True, default=""
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("membership history")
        ordering = ["member_id", "since", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gt=models.F("since")),
                name="membership_until_after_since",
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(until__isnull=True),
                name="membership_one_open_per_member",
            ),
            models.CheckConstraint(
                condition=Q(departure="") | Q(until__isnull=False),
                name="membership_departure_closes_it",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.org_id} {self.since}–{self.until or ''}"
