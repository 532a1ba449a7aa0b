"""The trace page: picture, origins, partners in chain order, recipients and holders; partner
users see one step back and one step forward (Circular 17/2021)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from chains.exports import CSV_COLUMNS
from tests.chains.conftest import Chain
from tests.chains.web.conftest import WebClient


def table(html: str, section: str) -> str:
    """The HTML of one section of the trace page."""
    found = re.search(rf'<section class="lp" id="{section}">(.*?)</section>', html, re.S)
    assert found, f"no section {section}"
    return found.group(1)


def test_an_agency_traces_a_retail_lot_back_to_both_growing_areas(
        chain: Chain, packed: dict[str, str], web_as: Callable[..., WebClient]) -> None:
    html = web_as("agency", provinces=["92"]).text(
        f"/lots/{packed['box']}/trace?direction=backward")
    assert "<svg" in table(html, "picture") and "Truy xuất ngược" in html
    origins = table(html, "origins")
    assert chain.areas["farm_a"] in origins and chain.areas["farm_b"] in origins
    assert "Tỉnh Long An" in origins and "Tỉnh Tây Ninh" in origins  # as recorded, now
    partners = table(html, "partners")
    order = [partners.index(f"Đối tác {kind}") for kind in
             ("producer", "collector", "packing_house", "distributor", "retailer")]
    assert order == sorted(order)
    assert 'class="restricted"' not in html
    assert f"/api/v1/lots/{packed['box']}/trace?direction=backward&amp;format=csv" in html


def test_a_forward_trace_lists_every_recipient_with_quantities_and_dates(
        chain: Chain, packed: dict[str, str], web_as: Callable[..., WebClient]) -> None:
    html = web_as("agency", provinces=["80"]).text(f"/lots/{packed['b']}/trace?direction=forward")
    rows = re.findall(r"<tr>(.*?)</tr>", table(html, "recipients"), re.S)
    received = {}
    for row in rows:
        cells = re.findall(r'<td data-label="[^"]*"[^>]*>(.*?)</td>', row, re.S)
        if not cells:
            continue  # the header
        name = re.search(r"<strong>(.*?)</strong>", cells[0]).group(1)  # type: ignore[union-attr]
        received[name] = re.sub(r"<[^>]+>", " ", cells[4]).split()[0:2]
        assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", cells[5])  # shipped, in Vietnam time
    shops = {name: q for name, q in received.items() if "retailer" in name}
    assert sorted(shops.values()) == [["300", "box"], ["600", "box"]]
    assert ["350", "kg"] in received.values() and ["400", "kg"] in received.values()
    holders = table(html, "holders")
    assert "100 box" in holders and "50 kg" in holders  # distributor and collector keep some


def test_the_csv_download_works_with_the_signed_in_session(
        chain: Chain, packed: dict[str, str], web_as: Callable[..., WebClient]) -> None:
    web = web_as("agency", provinces=["92"])
    response = web.get(f"/api/v1/lots/{packed['box']}/trace?direction=forward&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == CSV_COLUMNS


def test_a_partner_user_sees_the_restricted_view_of_its_own_step(
        chain: Chain, packed: dict[str, str], web_as: Callable[..., WebClient]) -> None:
    shop = web_as("partner", partner_id=chain.ids["shop_1"])
    html = shop.text(f"/lots/{packed['box']}/trace?direction=backward")
    assert 'class="restricted"' in html
    assert "Đối tác collector" not in table(html, "partners")  # two steps away
    assert "Đối tác distributor" in table(html, "partners")  # its supplier
    assert "Đối tác retailer" in table(html, "holders")
    assert "Đối tác distributor" not in table(html, "holders")
    recipients = table(html, "recipients")
    assert recipients.count("<tr>") == 2  # header and its own receipt only
    quantities = re.findall(r'data-label="[^"]*" class="num">([^<]*)<', recipients)
    assert "Đối tác retailer" in recipients and [q.split()[0] for q in quantities] == ["600"]
    full = web_as("agency", provinces=["92"]).text(
        f"/lots/{packed['box']}/trace?direction=backward")
    assert table(full, "recipients").count("<tr>") > 2


def test_a_partner_that_never_handled_the_lot_is_refused(
        chain: Chain, packed: dict[str, str], web_as: Callable[..., WebClient]) -> None:
    stranger = web_as("partner", partner_id=chain.ids["shop_2"])
    assert stranger.get(f"/lots/{packed['a']}/trace?direction=backward").status_code == 403


def test_an_unknown_direction_is_a_bad_request(
        chain: Chain, packed: dict[str, str], web_as: Callable[..., WebClient]) -> None:
    response = web_as("agency").get(f"/lots/{packed['a']}/trace?direction=sideways")
    assert response.status_code == 400
