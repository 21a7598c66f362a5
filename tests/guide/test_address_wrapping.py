"""Addresses in the HTML guide in Chromium: an e-mail or web address never wraps at
one of its own hyphens (a reader takes that for hyphenation and types "ithelp@"), and
the full stop after an address never starts a line by itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.guide import render_html
from tui.guide.html import address_html

from .cdp import Browser
from .conftest import LANGUAGES, make_settings
from .test_browser import LONG

pytestmark = pytest.mark.browser

# Each character of <main> with the top of its line box, then every address found in
# the text: a line that ends right after an address's "-", or punctuation after an
# address that begins a new line.
PROBE = r"""JSON.stringify((() => {
  const chars = [];
  // The phone drawings' SVG labels are placed, not wrapped: only the flowing text.
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT,
    {acceptNode: n => n.parentElement.closest('svg') ? NodeFilter.FILTER_REJECT
                                                     : NodeFilter.FILTER_ACCEPT});
  for (let node; (node = walker.nextNode());) {
    for (let i = 0; i < node.data.length; i++) {
      const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      chars.push([node.data[i], rect ? Math.round(rect.top) : null]);
    }
  }
  const text = chars.map(c => c[0]).join('');
  const address = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+[A-Za-z]|https?:\/\/[^\s)]+[^\s).,]/g;
  const found = {addresses: 0, problems: []};
  for (let m; (m = address.exec(text));) {
    found.addresses++;
    const end = m.index + m[0].length;
    for (let i = m.index + 1; i < end; i++) {
      const [before, top] = chars[i - 1];
      if (before === '-' && top !== null && chars[i][1] > top)
        found.problems.push(['hyphen', m[0]]);
    }
    const next = chars[end];
    if (next && '.,;:!?)'.includes(next[0]) && next[1] > chars[end - 1][1])
      found.problems.push(['orphan', m[0] + chars[end][0]]);
  }
  return found;
})())"""

VALUES = {
    "short": {},
    "long": LONG,
    "hyphens": {
        "support_contact": "it-service-desk-mobile@contoso-pharma.example",
        "sign_in_domain": "contoso-pharmaceuticals.example",
    },
}
# Phone widths where the unfixed page broke "it-help@contoso.com" after "it-" or left
# the "." after an address alone on a line.
WIDTHS = (312, 330, 336, 360, 375, 390, 414)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("values", list(VALUES), ids=list(VALUES))
def test_addresses_never_wrap_at_a_hyphen_nor_orphan_their_full_stop(
    browser: Browser, tmp_path: Path, lang: str, values: str
) -> None:
    path = tmp_path / f"guide-{lang}.html"
    path.write_text(render_html(make_settings(**VALUES[values]), lang), encoding="utf-8")
    problems = []
    for width in WIDTHS:
        page = browser.new_page()
        try:
            page.set_viewport(width, 800, mobile=True)
            page.load(path.as_uri())
            found = json.loads(page.evaluate(PROBE))
        finally:
            page.close()
        assert found["addresses"] >= 4  # example address x3, contact, link
        problems += [(width, *problem) for problem in found["problems"]]
    assert problems == []


def test_address_markup_breaks_only_before_at_and_dots_and_after_slashes() -> None:
    assert address_html("it-help@contoso.com") == "it-help<wbr>@contoso<wbr>.com"
    assert address_html("https://a.example/x-y") == "https://<wbr>a<wbr>.example/<wbr>x-y"
    # A long piece gets break points too, but never right after one of its hyphens.
    assert "-<wbr>" not in address_html("it-service-desk-mobile-devices@contoso.example")
    assert address_html("<b>&@x") == "&lt;b&gt;<wbr>&amp;<wbr>@x"
