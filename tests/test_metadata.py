from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from trafilatura.utils import load_html

from etl.extract.metadata import parse_dateline, read_page_metadata


def meta_of(head: str = "", body: str = "") -> object:
    tree = load_html(f"<html><head>{head}</head><body>{body}<p>Text.</p></body></html>")
    return read_page_metadata(tree)


def test_json_ld_gives_headline_breadcrumbs_people_and_organisations() -> None:
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "NewsArticle",
                "headline": "Rolling Stone&#8217;s &#8216;Best Work&#8217;",
                "datePublished": "2025-10-14T09:30:00+02:00",
                "author": [
                    {"@type": "Person", "name": "Anna Beispiel"},
                    {"@type": "Organization", "name": "dpa"},
                ],
            },
            {
                "@type": "BreadcrumbList",
                "itemListElement": [
                    {"@type": "ListItem", "position": 2, "name": "Politik"},
                    {"@type": "ListItem", "position": 1, "name": "Startseite"},
                ],
            },
        ],
    }
    meta = meta_of(f'<script type="application/ld+json">{json.dumps(ld)}</script>')
    assert meta.titles_ld == ["Rolling Stone’s ‘Best Work’"]
    assert meta.authors == ["Anna Beispiel"]
    assert meta.author_orgs == ["dpa"]
    assert meta.breadcrumbs == ["Startseite", "Politik"]
    assert meta.published == [datetime(2025, 10, 14, 9, 30, tzinfo=timezone(timedelta(hours=2)))]


def test_meta_tags_keep_tags_apart_from_seo_keywords_and_read_the_copyright_holder() -> None:
    meta = meta_of(
        '<meta property="article:tag" content="Verkehr">'
        '<meta name="keywords" content="radweg, stadt, bonn">'
        '<meta property="og:type" content="article">'
        '<meta name="copyright" content="Copyright (c) Condé Nast 2023">'
        '<meta name="twitter:title" content="Kurz">'
    )
    assert meta.topics == ["Verkehr"]
    assert meta.keywords == ["radweg", "stadt", "bonn"]
    assert meta.og_type == "article"
    assert meta.organisations == ["Condé Nast"]
    assert meta.titles_twitter == ["Kurz"]


def test_visible_bylines_tag_lines_and_credits_but_not_photo_credits() -> None:
    meta = meta_of(
        body='<nav class="breadcrumb"><a href="/">Home</a><a href="/welt/">Welt</a></nav>'
        '<p class="meta"><span class="source">Von Katrin Albers</span></p>'
        '<div class="author-box">Anna Beispiel</div>'
        "<p>Themen: Sturmflut, Husum</p>"
        '<p class="source">Quelle: dpa</p>'
        '<figure><figcaption><span class="copyright">© APA/Johann Berger</span></figcaption>'
        "</figure>"
    )
    assert meta.breadcrumbs == ["Home", "Welt"]
    assert meta.bylines == ["Von Katrin Albers", "Anna Beispiel"]
    assert meta.tag_lines == ["Sturmflut, Husum"]
    assert meta.credits == ["Quelle: dpa"]


def test_dotted_dates_are_day_first_whatever_the_page_language() -> None:
    assert parse_dateline("11.10.2025, 09:15 Uhr") == datetime(2025, 10, 11, 9, 15)
    assert parse_dateline("Stand: 3.4.2025") == datetime(2025, 4, 3)


def test_dotted_machine_dates_are_day_first_too() -> None:
    from etl.extract.metadata import parse_datetime

    # dateparser alone read this month first (March 4th).
    assert parse_datetime("03.04.2019 11:45") == datetime(2019, 4, 3, 11, 45)


@pytest.mark.parametrize(
    ("value", "languages", "expected"),
    [
        ("16. Oktober 2025, 22:41", ["de"], datetime(2025, 10, 16, 22, 41)),
        ("October 16, 2025 3:05pm", None, datetime(2025, 10, 16, 15, 5)),
        ("Oct 16, 2025, 12:30 a.m.", ["en"], datetime(2025, 10, 16, 0, 30)),
        ("Fr, 17 Mai 2019 13:38:23", None, datetime(2019, 5, 17, 13, 38, 23)),
        ("torsdag 09. mai 2024 - 13:26", None, datetime(2024, 5, 9, 13, 26)),
        ("2025-10-16 14:03", None, datetime(2025, 10, 16, 14, 3)),
        ("12 mars 2024", ["fr"], datetime(2024, 3, 12)),
    ],
)
def test_common_date_formats_are_read_without_dateparser(
    value: str, languages: list[str] | None, expected: datetime
) -> None:
    from etl.extract.metadata import _parse_common

    assert _parse_common(value, languages) == expected


def test_a_month_name_outside_the_page_languages_is_left_to_dateparser() -> None:
    from etl.extract.metadata import _parse_common

    assert _parse_common("October 16, 2025", ["de"]) is None
    assert _parse_common("Fr, 17 Mai 2019", ["de"]) is None  # the weekday's language decides
    assert _parse_common("31 February 2025", None) is None
    assert _parse_common("Sonntag", None) is None


def test_machine_dates_accept_iso_and_rfc_2822_and_refuse_template_leftovers() -> None:
    from etl.extract.metadata import parse_datetime

    assert parse_datetime("2024-05-03T10:00:00.000+0200") == datetime(
        2024, 5, 3, 10, tzinfo=timezone(timedelta(hours=2))
    )
    assert parse_datetime("Fri, 03 May 2024 10:00:00 +0200") == datetime(
        2024, 5, 3, 10, tzinfo=timezone(timedelta(hours=2))
    )
    for leftover in ("1h ago", "14:36", "PT2M53S", "00:00-YY-DD-MM"):
        assert parse_datetime(leftover) is None


def test_pictures_say_what_their_captions_are() -> None:
    tree = load_html(
        "<html><head><script type='application/ld+json'>"
        '{"@type": "ImageObject", "description": "Dicke Ausrüstung und schweres Gerät"}'
        "</script></head><body><figure><img alt='Feuerwehrleute im Einsatz' "
        "title='Feuerwehrleute mit Atemschutz | Bildquelle: WDR'>"
        "<figcaption>Die Wache an der Hauptstraße</figcaption></figure></body></html>"
    )
    assert read_page_metadata(tree).captions == [
        "Dicke Ausrüstung und schweres Gerät",
        "Feuerwehrleute im Einsatz",
        "Feuerwehrleute mit Atemschutz",
        "Die Wache an der Hauptstraße",
    ]


def test_a_link_to_the_writers_page_named_as_its_address_names_them_is_a_byline() -> None:
    meta = meta_of(
        body='<p><a href="/authors/">All authors</a> · <a href="/team/jane-roe">Jane Roe</a></p>'
        '<div class="meta"><a href="https://example.com/blog/author/jos%C3%A9-pe%C3%B1a/">'
        "José Peña</a> · 5 min read</div>"
        '<p><a href="/writers/max-muster">Read more</a> <a rel="author" href="/u/7">Lea Ott</a></p>'
    )
    assert meta.bylines == ["José Peña", "Lea Ott"]


def test_a_byline_label_in_an_element_of_its_own_names_the_next_element() -> None:
    meta = meta_of(body='<div class="meta"><p>Written by</p><p>Jane Roe</p></div>')
    assert meta.bylines == ["Jane Roe"]
    assert meta_of(body="<div><span>By:</span><span>Max Muster</span></div>").bylines == [
        "Max Muster"
    ]
    # A label the page repeats labels the items of a list, not the article.
    meta = meta_of(
        body="<li><p>Guide one</p><p>By:</p><p>Jane Roe</p></li>"
        "<li><p>Guide two</p><p>By:</p><p>Max Muster</p></li>"
    )
    assert meta.bylines == []
    # A label with words after it, or text without a label, is no such byline.
    meta = meta_of(body="<p>Written by hand</p><p>Jane Roe</p>")
    assert meta.bylines == []


def test_a_bylines_parts_in_elements_of_their_own_are_read_apart() -> None:
    meta = meta_of(
        body='<div class="author-details"><p>Jane Roe</p><small>December 17, 2025</small></div>'
    )
    assert meta.bylines == ["Jane Roe December 17, 2025"]
