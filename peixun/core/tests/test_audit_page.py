from django.urls import reverse

from peixun.core.audit import audit_record
from peixun.core.models import AuditEvent
from peixun.members.services import member_reveal_id, member_update
from peixun.testing import PersonaTestCase


class AuditPageTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        member_update(actor=w.users["secretary"], member=w.member, data={"mobile": "13911112222"})
        member_reveal_id(actor=w.users["org_admin"], member=w.far_member)
        audit_record(
            actor=w.users["org_admin"], verb="org.rename", obj=w.far_branch, org=w.far_branch
        )

    def test_personas(self) -> None:
        self.expect_personas(
            reverse("core:audit"),
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 404,
            },
        )

    def test_lists_events_with_filters(self) -> None:
        client = self.client_for("org_admin")
        page = client.get(reverse("core:audit")).content.decode()
        self.assertIn("member.update", page)
        self.assertIn("member.reveal_id", page)
        only_reveals = client.get(reverse("core:audit"), {"verb": "member.reveal"}).content.decode()
        self.assertIn("member.reveal_id", only_reveals)
        self.assertNotIn("member.update", only_reveals)
        by_actor = client.get(reverse("core:audit"), {"actor": "secretary"}).content.decode()
        self.assertIn("member.update", by_actor)
        self.assertNotIn("member.reveal_id", by_actor)
        by_object = client.get(reverse("core:audit"), {"object": "孙丽"}).content.decode()
        self.assertIn("member.reveal_id", by_object)
        self.assertNotIn("member.update", by_object)
        none = client.get(reverse("core:audit"), {"from": "2999-01-01"}).content.decode()
        self.assertNotIn("member.update", none)

    def test_update_records_before_after_and_address(self) -> None:
        event = AuditEvent.objects.get(verb="member.update")
        assert event.before is not None and event.after is not None
        self.assertEqual(event.before["mobile"], "13800000001")
        self.assertEqual(event.after["mobile"], "13911112222")
        self.assertEqual(event.org_id, self.world.branch.pk)

    def test_org_admin_sees_only_own_subtree(self) -> None:
        from peixun.testing import make_user

        w = self.world
        unit_admin = make_user("unit_admin", role="org_admin", org=w.unit)
        verbs = set(AuditEvent.objects.visible_to(unit_admin).values_list("verb", flat=True))
        self.assertIn("member.update", verbs)
        self.assertNotIn("member.reveal_id", verbs)  # far branch is outside the unit
