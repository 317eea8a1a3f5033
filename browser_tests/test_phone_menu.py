"""The phone menu (the collapsed navbar at 390 px) reads at WCAG AA contrast: every visible text
in the open menu has a contrast ratio of at least 4.5:1 against the colour behind it."""

from __future__ import annotations

import pytest

from browser_tests.conftest import screenshot
from peixun.testing import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# For each visible text element in the navbar: its colour, the first opaque background found
# walking up, and the WCAG contrast ratio between them.
CONTRASTS = """
() => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] === 1)) return c;
    }
    return [255, 255, 255];
  };
  const blend = (fg, bg) => {
    const a = fg.length > 3 ? fg[3] : 1;
    return [0, 1, 2].map((i) => fg[i] * a + bg[i] * (1 - a));
  };
  const out = [];
  for (const el of document.querySelectorAll('nav.navbar a, nav.navbar button, nav.navbar span, nav.navbar .navbar-text')) {
    const box = el.getBoundingClientRect();
    const text = (el.innerText || '').trim();
    if (!text || box.width === 0 || box.height === 0) continue;
    const bg = background(el);
    const fg = blend(rgb(getComputedStyle(el).color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    out.push({text, ratio: (hi + 0.05) / (lo + 0.05), fg: fg.map(Math.round), bg});
  }
  return out;
}
"""


def test_open_phone_menu_has_readable_contrast(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        for username in ("org_admin", "member"):
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            page.click("button.navbar-toggler")
            page.wait_for_selector("#nav.show")
            dropdown = page.locator("#nav .dropdown-toggle").first
            if dropdown.count():
                dropdown.click()
            page.wait_for_timeout(400)  # the collapse animation
            screenshot(page, f"phone-menu-{username}")
            found = page.evaluate(CONTRASTS)
            assert len(found) >= 4, found
            poor = [f for f in found if f["ratio"] < 4.5]
            assert not poor, f"{username}: text below 4.5:1 in the phone menu: {poor}"
            page.context.clear_cookies()
        assert world.users["member"].is_active
    finally:
        context.close()
