"""Plans' messages: nobody is told about their own act."""

from __future__ import annotations

from peixun.core.models import Notification
from peixun.testing import PersonaTestCase

from ..services import plan_submit
from .fixtures import branch_plan


class SubmitNotifiesOthersTests(PersonaTestCase):
    def test_the_admin_who_files_a_branch_plan_is_not_told_it_was_filed(self) -> None:
        plan, _items = branch_plan(self.world)
        # The org admin of the root manages the branch (may file for it) and is also the
        # nearest manager above it (would be told that it was filed).
        plan_submit(actor=self.user("org_admin"), plan=plan)
        self.assertFalse(Notification.objects.filter(recipient=self.user("org_admin")).exists())

    def test_when_the_secretary_files_the_admin_above_is_told(self) -> None:
        plan, _items = branch_plan(self.world)
        plan_submit(actor=self.user("secretary"), plan=plan)
        note = Notification.objects.get(recipient=self.user("org_admin"))
        self.assertEqual(note.url, f"/plans/{plan.pk}/")
        self.assertFalse(Notification.objects.filter(recipient=self.user("secretary")).exists())
