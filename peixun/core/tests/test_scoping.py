from django.http import Http404

from peixun.core.scoping import can_admin_org, can_manage_org, get_visible_or_404, scope_of
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.testing import PersonaTestCase


class ScopeTests(PersonaTestCase):
    def visible_names(self, persona: str) -> set[str]:
        return set(Member.objects.visible_to(self.actor(persona)).values_list("name", flat=True))

    def test_each_persona_sees_exactly_their_part(self) -> None:
        w = self.world
        self.assertEqual(self.visible_names("anonymous"), set())
        self.assertEqual(self.visible_names("member"), {"李明"})
        self.assertEqual(self.visible_names("secretary"), {"李明", "王芳"})
        self.assertEqual(self.visible_names("other_secretary"), {"赵强"})
        everyone = {"李明", "王芳", "赵强", "孙丽"}
        self.assertEqual(self.visible_names("org_admin"), everyone)
        self.assertEqual(self.visible_names("viewer"), everyone)
        self.assertEqual(
            set(Member.objects.visible_to(w.platform_admin).values_list("name", flat=True)),
            everyone,
        )

    def test_out_of_scope_is_404(self) -> None:
        w = self.world
        with self.assertRaises(Http404):
            get_visible_or_404(self.user("other_secretary"), Member, w.member.pk)
        with self.assertRaises(Http404):
            get_visible_or_404(self.user("secretary"), Organization, w.far_branch.pk)
        with self.assertRaises(Http404):
            get_visible_or_404(self.user("secretary"), Member, "not-a-number")
        self.assertEqual(get_visible_or_404(self.user("secretary"), Member, w.member.pk), w.member)

    def test_manage_and_admin_rights(self) -> None:
        w = self.world
        self.assertTrue(can_manage_org(self.user("secretary"), w.branch))
        self.assertTrue(can_manage_org(self.user("secretary"), w.group))
        self.assertFalse(can_manage_org(self.user("secretary"), w.other_branch))
        self.assertFalse(can_manage_org(self.user("viewer"), w.branch))
        self.assertTrue(can_admin_org(self.user("org_admin"), w.far_branch))
        self.assertFalse(can_admin_org(self.user("secretary"), w.branch))
        self.assertFalse(scope_of(self.user("member")).read_paths)

    def test_member_sees_own_branch_only(self) -> None:
        orgs = set(
            Organization.objects.visible_to(self.user("member")).values_list("code", flat=True)
        )
        self.assertEqual(orgs, {"T010101"})
