"""Decoding pages whose encoding labels lie (etl.extract.encoding)."""

from __future__ import annotations

import pytest

from etl.extract.encoding import decode_html
from etl.extract.page import extract_page
from etl.ingest.inputs import Page

GERMAN = (
    "<html><head><title>Größere Straßen für München</title></head><body><article>"
    "<h1>Größere Straßen für München</h1>"
    + "".join(
        f"<p>Der Stadtrat beschloss am {day}. Oktober, die Straßen zwischen Schwabing und "
        f"Giesing zu verbreitern; die Bürger äußerten sich überwiegend zufrieden ({day}).</p>"
        for day in range(1, 9)
    )
    + "</article></body></html>"
)


@pytest.mark.parametrize(
    "content_type",
    ["text/html; charset=iso-8859-1", "text/html; charset=windows-1252", "text/html", None],
)
def test_utf8_bytes_are_utf8_whatever_the_header_says(content_type: str | None) -> None:
    assert decode_html(GERMAN.encode("utf-8"), content_type) == GERMAN


def test_utf8_bytes_are_utf8_whatever_the_meta_tag_says() -> None:
    page = GERMAN.replace("<head>", '<head><meta charset="ISO-8859-1">')
    assert decode_html(page.encode("utf-8"), None) == page


def test_a_stray_byte_does_not_turn_a_utf8_page_into_another_charset() -> None:
    page = GERMAN.encode("utf-8").replace(b"Schwabing", b"Schwa\xe9bing", 1)
    for content_type in ("text/html; charset=utf-8", None, "text/html; charset=iso-8859-1"):
        text = decode_html(page, content_type)
        assert text.count("\ufffd") == 1
        assert text.replace("Schwa\ufffdbing", "Schwabing") == GERMAN


def test_a_utf8_page_cut_inside_a_character_keeps_the_rest() -> None:
    cut = GERMAN.encode("utf-8")[: GERMAN.encode("utf-8").rindex("ß".encode()) + 1]
    text = decode_html(cut, "text/html; charset=utf-8")
    assert text.startswith("<html><head><title>Größere Straßen für München</title>")
    assert text.endswith("\ufffd")


@pytest.mark.parametrize("charset", ["iso-8859-1", "windows-1252", "iso-8859-15"])
def test_legacy_pages_that_say_their_charset_still_read_right(charset: str) -> None:
    assert decode_html(GERMAN.encode(charset), f"text/html; charset={charset}") == GERMAN
    meta = GERMAN.replace("<head>", f'<head><meta charset="{charset}">')
    assert decode_html(meta.encode(charset), None) == meta


def test_legacy_pages_that_claim_utf8_are_detected() -> None:
    assert decode_html(GERMAN.encode("cp1252"), "text/html; charset=utf-8") == GERMAN


def test_cyrillic_in_its_declared_charset() -> None:
    page = "<html><body><p>Городской совет принял решение о строительстве моста.</p></body></html>"
    assert decode_html(page.encode("cp1251"), "text/html; charset=windows-1251") == page


def test_byte_order_marks_and_wide_charsets() -> None:
    assert decode_html(GERMAN.encode("utf-16"), "text/html; charset=iso-8859-1") == GERMAN
    assert decode_html(GERMAN.encode("utf-8-sig"), "text/html; charset=iso-8859-1") == GERMAN
    assert decode_html(GERMAN.encode("utf-16-le"), "text/html; charset=utf-16le") == GERMAN


def test_seven_bit_charsets_are_not_read_as_ascii() -> None:
    page = "<html><body><p>東京都は新しい橋の建設を決めた。</p></body></html>"
    assert decode_html(page.encode("iso-2022-jp"), "text/html; charset=iso-2022-jp") == page


def test_a_page_served_as_latin1_in_utf8_keeps_its_umlauts() -> None:
    page = Page(
        url="https://zeitung.example/stadt/groessere-strassen-fuer-muenchen",
        body=GERMAN.encode("utf-8"),
        origin="test",
        content_type="text/html; charset=ISO-8859-1",
    )
    record = extract_page(page)
    assert record["title"] == "Größere Straßen für München"
    assert "Bürger äußerten sich überwiegend zufrieden" in record["text"]
    assert "Ã" not in record["text"]
