"""In a real browser: an agency user signs in, issues a growing-area code through the form,
finds it in the list by searching, and sees a form error in Vietnamese for a bad value."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Server

pytestmark = pytest.mark.browser

CODE = "VN-80-803-27811-77-25"


def sign_in(page: Any, server: Server) -> None:
    """Sign in through the login form, in Vietnamese."""
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(server.username)
    page.get_by_label("Mật khẩu").fill(server.password)
    page.locator("form.form").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(server.url("/"))


def fill_growing_area(page: Any, code: str, area_ha: str) -> None:
    """Fill the issue-a-code form for the Thạnh Lợi lime cooperative of the demo."""
    page.goto("/growing-areas/new")
    page.get_by_label("Mã số").first.fill(code)
    holder = page.locator("#f-holder_id option", has_text="Thạnh Lợi").first
    page.locator("#f-holder_id").select_option(holder.get_attribute("value"))
    page.get_by_label("Cây trồng").fill("Chanh không hạt")
    page.get_by_label("Giống").fill("Citrus latifolia")
    page.get_by_label("Diện tích (ha)").fill(area_ha)
    page.locator("#f-issued_on").fill("2025-03-01")


def submit(page: Any) -> Any:
    """Click the form's button; the response to the POST."""
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Cấp mã số").click()
    page.wait_for_load_state()
    return posted.value


def test_an_agency_issues_a_growing_area_code_and_finds_it(page: Any, server: Server):
    from playwright.sync_api import expect

    sign_in(page, server)
    fill_growing_area(page, CODE, "3,5")
    assert submit(page).status == 302
    expect(page).to_have_url(server.url(f"/growing-areas/{CODE}"))
    expect(page.locator(".flash")).to_contain_text(f"Đã cấp mã số vùng trồng {CODE}")
    expect(page.locator("dl.facts")).to_contain_text("nay là Tỉnh Tây Ninh")

    page.goto("/growing-areas")
    search = page.get_by_label("Tìm kiếm")
    search.fill("thanh loi")  # the holder's name, typed without diacritics
    search.press("Enter")
    expect(page.locator("table.list")).to_contain_text(CODE)
    page.get_by_label("Tìm kiếm").fill("27811-77")
    page.locator("form.filters").get_by_role("button", name="Tìm kiếm").click()
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    page.get_by_role("link", name=CODE).click()
    expect(page.locator("h1")).to_contain_text(CODE)


def test_bad_values_show_errors_in_vietnamese_beside_the_fields(page: Any, server: Server):
    from playwright.sync_api import expect

    sign_in(page, server)
    fill_growing_area(page, "AB-80-0001", "-2")
    assert submit(page).status == 422
    expect(page.locator("#f-code-error")).to_contain_text("Mã số vùng trồng bắt đầu bằng VN")
    expect(page.locator("#f-area_ha-error")).to_have_text("Phải lớn hơn 0.")
    expect(page.locator(".alert")).to_contain_text("vui lòng sửa các ô được đánh dấu")
    expect(page.locator("#f-area_ha")).to_have_value("-2")
    expect(page.locator("#f-area_ha")).to_have_attribute("aria-invalid", "true")
    page.goto("/growing-areas?q=AB-80-0001")
    expect(page.locator(".empty")).to_be_visible()


def test_lists_read_well_on_a_phone(phone: Any, server: Server):
    from playwright.sync_api import expect

    phone.goto("/growing-areas")
    expect(phone.locator("table.list tbody tr").first).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
