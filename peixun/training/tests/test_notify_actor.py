"""Training's messages: nobody is told about their own act, and a class's date is its own."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peixun.core.models import Notification
from peixun.events.tests.fixtures import enrol, make_class
from peixun.testing import PersonaTestCase
from peixun.training.services.classes.publish import class_cancel


class CancelNotifiesOthersTests(PersonaTestCase):
    def test_the_secretary_who_cancels_is_not_told_and_the_date_is_the_classs(self) -> None:
        w = self.world
        starts = timezone.localdate() + dt.timedelta(days=20)
        training_class = make_class(w.branch, title="支部专题班", starts_on=starts, ends_on=starts)
        enrol(training_class, w.member, w.secretary_member)  # the secretary enrolled herself
        class_cancel(actor=self.user("secretary"), training_class=training_class, reason="改期")
        told = Notification.objects.filter(title__contains="支部专题班")
        self.assertEqual([n.recipient for n in told], [self.user("member")])
        self.assertEqual(told[0].event_date, starts)
