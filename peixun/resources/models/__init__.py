"""Teachers (师资库) and sites (教学点, 红色教育基地, 廉政警示教育基地, 党建阵地): one module a topic;
everything is re-exported here so callers write `from peixun.resources.models import Teacher`."""

from .sites import (
    HOLDING,
    Booking,
    BookingQuerySet,
    BookingState,
    LimitPeriod,
    Site,
    SiteKind,
    SiteQuerySet,
)
from .teachers import Subject, Teacher, TeacherQuerySet, TeacherSubject, TeacherTitle

__all__ = [
    "HOLDING",
    "Booking",
    "BookingQuerySet",
    "BookingState",
    "LimitPeriod",
    "Site",
    "SiteKind",
    "SiteQuerySet",
    "Subject",
    "Teacher",
    "TeacherQuerySet",
    "TeacherSubject",
    "TeacherTitle",
]
