"""The start page and the menu lead to every registry list, in both languages."""

from __future__ import annotations

from tests.web.conftest import WebClient

LISTS = ("/partners", "/growing-areas", "/aquaculture", "/products", "/certifications")


def test_the_start_page_links_every_list(web: WebClient):
    page = web.get("/")
    assert page.status_code == 200
    for url in LISTS:
        assert f'href="{url}"' in page.text


def test_every_list_answers_in_vietnamese_and_english(web: WebClient):
    for url in LISTS:
        vietnamese = web.get(url)
        assert vietnamese.status_code == 200 and 'lang="vi"' in vietnamese.text
        assert 'aria-current="page"' in vietnamese.text
    english = web.get("/certifications?lang=en")
    assert 'lang="en"' in english.text and "Certifications" in english.text
    assert web.get("/partners?lang=vi").text.count("Đối tác") >= 2
