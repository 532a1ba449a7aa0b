"""In a real browser on the demo: the packer ships part of a held lot to the distributor through
the stock form, the distributor receives it, and the Cần Thơ agency sees the distributor among
the recipients of the lot's forward trace, with the picture."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Server

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "nguongoc-demo"
DISTRIBUTOR = "Công ty CP Phân phối nông sản Tây Đô"
PRODUCT = "Chanh không hạt hộp 1 kg"
REFERENCE = "PXK-BROWSER-01"


def sign_in(page: Any, username: str, then: str) -> None:
    """Sign in through the login form and land on `then`."""
    page.goto(f"/login?next={then}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def shot(page: Any, folder: Path, name: str) -> None:
    """A full-page screenshot, kept in the test's folder (and NGUONGOC_SCREENSHOTS if set)."""
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    extra = os.environ.get("NGUONGOC_SCREENSHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(extra) / f"{name}.png"), full_page=True)


def test_a_shipment_made_in_the_browser_reaches_the_agencys_trace(
        browser: Any, server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    def tab(width: int = 1280) -> Any:
        context = browser.new_context(viewport={"width": width, "height": 900},
                                      locale="vi-VN", base_url=server.base_url)
        opened = context.new_page()
        opened.set_default_timeout(15_000)
        return opened

    packer = tab()
    sign_in(packer, "longanxanh", "/stock")
    row = packer.locator("#holdings tbody tr", has_text=PRODUCT)
    lot_code = row.locator("code.lot").inner_text().strip()
    row.locator("a[href*='ship=']").click()
    form = packer.locator("details#ship")
    expect(form).to_have_attribute("open", "")
    expect(form.locator("select[name=lot_code]")).to_have_value(lot_code)
    option = form.locator("datalist#recipients option[value*='Tây Đô']").first
    recipient = option.get_attribute("value")
    assert recipient is not None and DISTRIBUTOR in recipient
    form.locator("input[name=quantity]").fill("120")
    form.locator("input[name=to_partner]").fill(recipient)
    form.locator("input[name=reference]").fill(REFERENCE)
    shot(packer, tmp_path, "ship-form")
    form.locator("button[type=submit]").click()
    expect(packer.locator(".flash")).to_contain_text(lot_code)
    expect(packer.locator("#outgoing")).to_contain_text(REFERENCE)
    packer.context.close()

    distributor = tab()
    sign_in(distributor, "taydo", "/stock")
    incoming = distributor.locator("#incoming article", has_text=lot_code)
    expect(incoming.locator("input[name=quantity]")).to_have_value("120")
    shot(distributor, tmp_path, "incoming")
    incoming.locator("button[type=submit]").click()
    expect(distributor.locator(".flash")).to_contain_text(lot_code)
    expect(distributor.locator("#incoming article", has_text=lot_code)).to_have_count(0)
    distributor.context.close()

    for width, name in ((1280, "trace-desktop"), (390, "trace-phone")):
        agency = tab(width)
        sign_in(agency, "cantho", f"/lots/{lot_code}/trace?direction=forward")
        recipients = agency.locator("#recipients-table tbody tr", has_text=DISTRIBUTOR)
        fresh = recipients.filter(has_text="120 hộp")  # counted units read in Vietnamese
        expect(fresh).to_have_count(1)
        expect(fresh).to_contain_text("Thành phố Cần Thơ")
        picture = agency.locator("#picture .picture svg")
        expect(picture).to_be_visible()
        assert picture.bounding_box()["height"] > 100
        expect(agency.locator("#picture")).to_contain_text(DISTRIBUTOR[:20])
        shot(agency, tmp_path, name)
        agency.context.close()
