"""我的学时 in the menu opens the member's own progress per rule (the archive), from which the
self-study filings stay one tap away."""

from __future__ import annotations

import re

from django.urls import reverse

from peixun.testing import PersonaTestCase


def menu_target(html: str) -> str:
    # The menu's entry (the filings page also has a button back to the same page).
    found = set(re.findall(r'href="([^"]+)"[^>]*>(?:我的学时|My study hours)<', html))
    assert len(found) == 1, found
    return str(found.pop())


class MyStudyHoursMenuTests(PersonaTestCase):
    def test_member_menu_opens_their_progress(self) -> None:
        client = self.client_for("member")
        home = client.get(reverse("members:mine"))
        target = menu_target(home.content.decode())
        self.assertEqual(target, reverse("compliance:member", args=[self.world.member.pk]))
        progress = client.get(target)
        self.assertEqual(progress.status_code, 200)
        self.assertTemplateUsed(progress, "hours/archive.html")
        self.assertTrue(progress.context["is_self"])
        self.assertContains(progress, f'href="{reverse("hours:self_study")}"')
        self.assertContains(progress, f'href="{reverse("hours:self_study_new")}"')
        filings = client.get(reverse("hours:self_study"))
        self.assertEqual(filings.status_code, 200)
        self.assertEqual(menu_target(filings.content.decode()), target)

    def test_secretary_who_is_a_member_gets_their_own_progress(self) -> None:
        client = self.client_for("secretary")
        html = client.get(reverse("hours:pending")).content.decode()
        target = menu_target(html)
        self.assertEqual(
            target, reverse("compliance:member", args=[self.world.secretary_member.pk])
        )
        self.assertEqual(client.get(target).status_code, 200)

    def test_staff_without_a_member_have_no_such_entry(self) -> None:
        html = self.client_for("org_admin").get(reverse("hours:entries")).content.decode()
        self.assertNotIn("My study hours", html)
        self.assertNotIn("我的学时", html)

    def test_someone_elses_archive_does_not_offer_filing(self) -> None:
        response = self.client_for("secretary").get(
            reverse("compliance:member", args=[self.world.member.pk])
        )
        self.assertFalse(response.context["is_self"])
        self.assertNotContains(response, reverse("hours:self_study_new"))
