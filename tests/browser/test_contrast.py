"""Colours as the browser computes them: `<code>` text reaches 4.5:1 against
the background it sits on (Bootstrap's pink does not)."""

from __future__ import annotations

import pytest

from tests.browser.helpers import log_in
from tests.factories import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTRASTS = """
() => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll("code")].map((el) => {
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  });
}
"""


def test_code_text_has_enough_contrast(live_server, page):
    Personas()
    log_in(page, live_server.url, "canbo.tinh")
    from units.models import Area

    area = Area.objects.get(key="ag89-883")
    # The list (on white) and an area's page (the code on the page's background).
    for path in ("/areas/", f"/areas/{area.pk}/"):
        page.goto(f"{live_server.url}{path}")
        ratios = page.evaluate(CONTRASTS)
        assert ratios, f"{path} shows GSO codes in <code>"
        assert min(ratios) >= 4.5, (path, min(ratios))
