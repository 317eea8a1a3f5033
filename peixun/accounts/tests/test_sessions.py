"""Phones stay signed in: a plain member may keep their own phone signed in for the tenant's
number of days; staff never; logging out anywhere ends every session of the user."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from peixun.accounts.models import AccountSettings
from peixun.accounts.services import account_create, account_settings_update
from peixun.core.models import AuditEvent
from peixun.testing import PASSWORD, PersonaTestCase, make_member

DAY = 24 * 3600


class RememberedSessionTests(PersonaTestCase):
    def log_in(self, username: str, *, remember: bool) -> Client:
        client = Client()
        data = {"username": username, "password": PASSWORD}
        if remember:
            data["remember"] = "on"
        response = client.post(reverse("accounts:login"), data)
        self.assertEqual(response.status_code, 302, response.content[:300])
        return client

    def test_a_member_who_asks_stays_signed_in_for_the_tenants_days(self) -> None:
        client = self.log_in("member", remember=True)
        self.assertFalse(client.session.get_expire_at_browser_close())
        self.assertEqual(client.session.get_expiry_age(), 30 * DAY)

    def test_without_asking_the_session_ends_with_the_browser(self) -> None:
        client = self.log_in("member", remember=False)
        self.assertTrue(client.session.get_expire_at_browser_close())

    def test_staff_never_stay_signed_in(self) -> None:
        for username in ("secretary", "org_admin", "viewer"):
            with self.subTest(username=username):
                client = self.log_in(username, remember=True)
                self.assertTrue(client.session.get_expire_at_browser_close())

    def test_the_tenant_setting_is_used_and_zero_turns_it_off(self) -> None:
        root = self.world.root
        account_settings_update(actor=self.user("org_admin"), tenant=root, member_session_days=7)
        self.assertEqual(self.log_in("member", remember=True).session.get_expiry_age(), 7 * DAY)
        account_settings_update(actor=self.user("org_admin"), tenant=root, member_session_days=0)
        self.assertTrue(self.log_in("member", remember=True).session.get_expire_at_browser_close())

    def test_logging_out_anywhere_ends_the_remembered_phone(self) -> None:
        phone = self.log_in("member", remember=True)
        desk = self.log_in("member", remember=False)
        mine = reverse("members:mine")
        self.assertEqual(phone.get(mine).status_code, 200)
        desk.post(reverse("accounts:logout"))
        response = phone.get(mine)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])
        self.assertEqual(AuditEvent.objects.filter(verb="account.sessions_end").count(), 1)
        # Signing in again works, and only ends sessions at the next logout.
        again = self.log_in("member", remember=True)
        self.assertEqual(again.get(mine).status_code, 200)


class LoginSettingsTests(PersonaTestCase):
    def test_personas(self) -> None:
        url = reverse("accounts:settings")
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 404,
            },
        )

    def test_saving_is_audited_and_bad_values_are_refused(self) -> None:
        client = self.client_for("org_admin")
        url = reverse("accounts:settings")
        tenant = self.world.root.pk
        bad = client.post(url, {"tenant": tenant, "member_session_days": 91})
        self.assertEqual(bad.status_code, 200)
        self.assertContains(bad, "90")
        self.assertFalse(AccountSettings.objects.exists())
        good = client.post(url, {"tenant": tenant, "member_session_days": 14})
        self.assertEqual(good.status_code, 302)
        self.assertEqual(AccountSettings.objects.get(tenant_id=tenant).member_session_days, 14)
        event = AuditEvent.objects.get(verb="account_settings.update")
        self.assertEqual(event.after, {"member_session_days": 14})

    def test_service_refuses_other_orgs_and_other_actors(self) -> None:
        with self.assertRaises(ValidationError):
            account_settings_update(
                actor=self.user("org_admin"), tenant=self.world.unit, member_session_days=5
            )
        with self.assertRaises(PermissionDenied):
            account_settings_update(
                actor=self.user("secretary"), tenant=self.world.root, member_session_days=5
            )
        with self.assertRaises(ValidationError):
            account_settings_update(
                actor=self.user("org_admin"), tenant=self.world.root, member_session_days=-1
            )
        self.assertFalse(AccountSettings.objects.exists())


class ActivationOnThePhoneTests(PersonaTestCase):
    """The slip's QR code opens activation on the member's own phone: they may stay signed in
    there at once, so the first meeting's scan is one scan."""

    def activate(self, *, remember: bool) -> Client:
        member = make_member(self.world.branch, "周新")
        issued = account_create(actor=self.user("org_admin"), member=member)
        password = "Lanterns-9-river"
        data = {"code": issued.code, "new_password1": password, "new_password2": password}
        if remember:
            data["remember"] = "on"
        phone = Client()
        response = phone.post(reverse("accounts:activate"), data)
        self.assertEqual(response.status_code, 302, response.content[:300])
        return phone

    def test_the_activation_form_offers_to_stay_signed_in_ticked(self) -> None:
        page = Client().get(reverse("accounts:activate"))
        self.assertContains(page, 'name="remember" id="id_remember" checked')

    def test_activating_with_the_box_ticked_keeps_the_phone_signed_in(self) -> None:
        phone = self.activate(remember=True)
        self.assertFalse(phone.session.get_expire_at_browser_close())
        self.assertEqual(phone.session.get_expiry_age(), 30 * DAY)

    def test_activating_without_it_ends_with_the_browser(self) -> None:
        phone = self.activate(remember=False)
        self.assertTrue(phone.session.get_expire_at_browser_close())
