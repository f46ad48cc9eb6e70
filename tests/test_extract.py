from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from etl.extract.metadata import parse_dateline
from etl.extract.page import (
    ExtractionRejected,
    decode_html,
    extract_page,
    site_name_keys,
    strip_site_name,
)
from etl.ingest.inputs import Page
from tests.pages import BODY, article_page, section_front
from tests.test_clean import clean

FETCHED = datetime(2025, 10, 17, 6, tzinfo=UTC)


def page(html: str | bytes, content_type: str | None = "text/html; charset=utf-8") -> Page:
    body = html.encode() if isinstance(html, str) else html
    return Page(
        "https://www.rheinland-kurier.de/lokales/radwege-123.html?utm_source=rss",
        body,
        "test#0",
        FETCHED,
        200,
        content_type,
    )


def test_json_ld_gives_headline_time_with_offset_authors_and_keywords() -> None:
    html = article_page(
        json_ld={
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Stadt plant neue Radwege",
            "datePublished": "2025-10-14T09:30:00+02:00",
            "author": [{"@type": "Person", "name": "Anna Beispiel"}],
            "keywords": "Verkehr, Radwege,Stadtplanung",
            "publisher": {"@type": "Organization", "name": "Rheinland Kurier"},
        }
    )
    record = extract_page(page(html))
    assert record["title"] == "Stadt plant neue Radwege"
    assert datetime.fromisoformat(record["published_raw"]) == datetime(
        2025, 10, 14, 9, 30, tzinfo=timezone(timedelta(hours=2))
    )
    assert "Anna Beispiel" in record["authors_raw"]
    assert {"Verkehr", "Radwege", "Stadtplanung"} <= set(record["topics_raw"])
    assert "Radwegenetzes" in record["text"]
    assert "Impressum" not in record["text"]
    assert record["site_name"] == "Rheinland Kurier"


def test_visible_dateline_is_used_when_the_page_has_no_machine_date() -> None:
    html = article_page(furniture="")
    html = (
        html.replace('<p class="byline"></p>', '<p class="byline">16. Oktober 2025, 22:41 Uhr</p>')
        .replace('<p class="byline">', '<span class="date">')
        .replace("22:41 Uhr</p>", "22:41 Uhr</span>")
    )
    record = extract_page(page(html))
    published = datetime.fromisoformat(record["published_raw"])
    assert (published.year, published.month, published.day) == (2025, 10, 16)
    assert (published.hour, published.minute) == (22, 41)
    assert record["published_from"] == "dateline"


@pytest.mark.parametrize(
    ("dateline", "expected"),
    [
        ("16. Oktober 2025, 22:41 Uhr", datetime(2025, 10, 16, 22, 41)),
        ("Aktualisiert: 16.10.2025, 14:03 Uhr", datetime(2025, 10, 16, 14, 3)),
        (
            "Published October 16, 2025 3:05pm EDT",
            datetime(2025, 10, 16, 15, 5, tzinfo=timezone(timedelta(hours=-4))),
        ),
    ],
)
def test_datelines_in_german_and_english(dateline: str, expected: datetime) -> None:
    assert parse_dateline(dateline) == expected


def test_title_loses_the_site_name_but_keeps_inner_dashes() -> None:
    assert strip_site_name("Stadt plant neue Radwege | Rheinland Kurier", ["Rheinland Kurier"]) == (
        "Stadt plant neue Radwege"
    )
    assert strip_site_name("Harbour Herald - Ferry fares rise again", ["Harbour Herald"]) == (
        "Ferry fares rise again"
    )
    assert strip_site_name("Kiel - Hafen wächst weiter", ["Rheinland Kurier"]) == (
        "Kiel - Hafen wächst weiter"
    )


def test_on_a_subdomain_the_outlet_is_named_by_the_domain_under_the_public_suffix() -> None:
    names = site_name_keys([], "https://developers.harbourherald.co.uk/story/25/12/19/ferries")
    assert strip_site_name("Ferry fares rise again - Harbourherald", names) == (
        "Ferry fares rise again"
    )


def test_a_shortened_site_name_is_a_site_name_too() -> None:
    url = "https://www.getharbourtools.com/blog/ferries"
    # The initials of the outlet's name, its name without "Agency", its name in the domain.
    names = site_name_keys(["Harbour Tools Awards"], url)
    assert strip_site_name("Top 10 ferry apps | HTA", names) == "Top 10 ferry apps"
    names = site_name_keys(["Harbour Tools Marketing Agency"], url)
    assert strip_site_name("Ferry fares | Harbour Tools Marketing", names) == "Ferry fares"
    assert strip_site_name("Ferry fares | HarbourTools", site_name_keys([], url)) == "Ferry fares"
    # A theme's ornament after every title goes; a part of the headline stays.
    assert strip_site_name("Ferry fares rise again ⋆", names) == "Ferry fares rise again"
    assert strip_site_name("Ferry fares | Review", names) == "Ferry fares | Review"
    assert strip_site_name("Ferry fares: The Harbour", names) == "Ferry fares: The Harbour"


def test_an_h1_that_names_the_site_and_nothing_else_states_is_no_headline() -> None:
    # A blog without og:title or JSON-LD whose theme prints the blog's name as h1.
    html = article_page(title="Rheinland Kurier Blog", title_tag="Stadt plant neue Radwege")
    assert extract_page(page(html))["title"] == "Stadt plant neue Radwege"
    # Confirmed by another statement, an h1 with the site's name in it is the headline.
    named = article_page(
        title="Rheinland Kurier wird 75",
        title_tag="Stadt plant neue Radwege",
        meta={"twitter:title": "Rheinland Kurier wird 75"},
    )
    assert extract_page(page(named))["title"] == "Rheinland Kurier wird 75"


def test_wrongly_declared_charset_falls_back_to_what_decodes() -> None:
    text = "<html><body><p>Größere Straßen für Düsseldorf</p></body></html>"
    assert decode_html(text.encode("cp1252"), "text/html; charset=utf-8") == text
    assert decode_html(text.encode("cp1252"), None) == text
    assert decode_html(text.encode("utf-8"), "text/html; charset=bogus-charset") == text


def test_page_without_article_text_is_rejected_with_a_reason() -> None:
    html = article_page(paragraphs=["Nur ein kurzer Satz."])
    with pytest.raises(ExtractionRejected) as excinfo:
        extract_page(page(html))
    assert excinfo.value.reason == "extraction_empty"


def test_title_prefers_og_title_and_strips_outlet_and_section_affixes() -> None:
    html = article_page(
        title="Stadt plant neue Radwege",
        meta={"og:title": "Radwege: Stadt plant neue Wege - Lokales | Rheinland Kurier"},
        json_ld={"@type": "NewsArticle", "headline": "Stadt plant neue Radwege &amp; mehr"},
    )
    record = extract_page(page(html))
    assert record["title"] == "Radwege: Stadt plant neue Wege"
    assert "Stadt plant neue Radwege" in record["title_variants"]
    names = {"rheinlandkurier", "rheinland-kurier.de"}
    assert strip_site_name(
        "Ukrainische Gegenoffensive | Europa | DW | 28.04.2023", names | {"dw"}
    ) == ("Ukrainische Gegenoffensive")
    assert strip_site_name("„Einsatz“ - Die Neue Südtiroler Tageszeitung", {"tageszeitung"}) == (
        "„Einsatz“"
    )


def test_a_title_statement_that_is_a_url_slug_is_passed_over() -> None:
    html = article_page(
        title="Stadt plant neue Radwege",
        meta={"og:title": "radwege-stadt-plant-2024"},
        json_ld={"@type": "NewsArticle", "headline": "stadt_plant_neue_radwege"},
    )
    assert extract_page(page(html))["title"] == "Stadt plant neue Radwege"
    # A headline of one hyphenated word or a product code stays a headline.
    html = article_page(title="Deutschland-Ticket", meta={"og:title": "Deutschland-Ticket"})
    assert extract_page(page(html))["title"] == "Deutschland-Ticket"


def test_title_is_the_visible_headline_without_a_tagline_or_a_kicker_set_off_by_a_bar() -> None:
    # No og:title: the structured headline carries the blog's name and tagline.
    tagline = article_page(
        title="Stadt plant neue Radwege",
        site="Blog",
        json_ld={
            "@type": "BlogPosting",
            "headline": "Stadt plant neue Radwege - Radfahren in der Stadt | Tipps & Touren",
        },
    )
    assert extract_page(page(tagline))["title"] == "Stadt plant neue Radwege"
    kicker = article_page(
        title="Stadt plant neue Radwege",
        meta={"og:title": "Verkehrswende | Stadt plant neue Radwege"},
    )
    assert extract_page(page(kicker))["title"] == "Stadt plant neue Radwege"
    # A kicker behind a colon is part of the headline as outlets print it.
    colon = article_page(
        title="Stadt plant neue Radwege",
        meta={"og:title": "Verkehrswende: Stadt plant neue Radwege"},
    )
    assert extract_page(page(colon))["title"] == "Verkehrswende: Stadt plant neue Radwege"
    # The site's name behind a colon is no kicker, and a Markdown heading mark no part of it.
    blog = article_page(
        title="Stadt plant neue Radwege",
        site="Kurier",
        meta={"og:title": "Rheinland-Kurier Blog: Stadt plant neue Radwege"},
    )
    assert extract_page(page(blog))["title"] == "Stadt plant neue Radwege"
    typed = article_page(title="Stadt plant neue Radwege", meta={"og:title": "## Stadt plant"})
    assert extract_page(page(typed))["title"] == "Stadt plant"


def test_title_keeps_the_typography_most_statements_use() -> None:
    html = article_page(
        title="What’s Right, Not What’s Easy",
        meta={"og:title": "What's Right, Not What's Easy"},
        json_ld={"@type": "NewsArticle", "headline": "What’s Right, Not What’s Easy"},
    )
    assert extract_page(page(html))["title"] == "What’s Right, Not What’s Easy"
    # One statement against one: the social title stays.
    html = article_page(title="What’s Right", meta={"og:title": "What's Right"}, title_tag="x")
    assert extract_page(page(html))["title"] == "What's Right"


def test_title_cut_short_by_an_unescaped_quote_is_taken_whole_from_another_statement() -> None:
    html = article_page(title='Marathon: Sieger und "royaler Besuch"').replace(
        "</title>",
        '</title><meta property="og:title" content="Marathon: Sieger und "royaler Besuch"">',
    )
    assert extract_page(page(html))["title"] == 'Marathon: Sieger und "royaler Besuch"'


def test_title_loses_a_section_glued_to_it_before_the_outlet() -> None:
    title = "장동혁, 한동훈 제명했지만… '윤 어게인' 절연 부담 커졌다"
    assert strip_site_name(f"{title}-정치ㅣ한국일보", {"한국일보"}) == title
    assert strip_site_name("Covid-19-Zahlen steigen | Kurier", {"kurier"}) == (
        "Covid-19-Zahlen steigen"
    )


def test_lead_shown_outside_the_article_container_is_put_back() -> None:
    lead = (
        "Die Stadt will bis 2030 vierzig Kilometer neue Radwege bauen. Anwohner der Innenstadt "
        "fürchten um ihre Parkplätze."
    )
    html = article_page(
        meta={"og:description": lead},
        extra_head="",
    ).replace("<main><article>", f'<main><div class="teaser"><p>Bonn. {lead}</p></div><article>')
    record = extract_page(page(html))
    assert record["text"].startswith(f"Bonn. {lead}")
    # Only once, and not when the lead is only in the metadata.
    assert record["text"].count(lead) == 1
    meta_only = extract_page(page(article_page(meta={"og:description": lead})))
    assert lead not in meta_only["text"]


def test_section_front_is_rejected_as_an_index_page() -> None:
    front = Page(
        "https://www.rheinland-kurier.de/politik/",
        section_front().encode(),
        "t#1",
        FETCHED,
        200,
        None,
    )
    with pytest.raises(ExtractionRejected) as excinfo:
        extract_page(front)
    assert excinfo.value.reason == "extraction_empty"
    assert "index page" in excinfo.value.detail


def test_article_declaring_og_type_website_without_date_is_kept() -> None:
    # Blogs and company pages declare "website" on their articles: the page must look like
    # an index too (teasers, no prose, an index URL), else it is an article.
    record = extract_page(page(article_page(meta={"og:type": "website"})))
    assert BODY[0] in record["text"]
    dated = article_page(
        meta={"og:type": "website", "article:published_time": "2025-10-14T09:30:00+02:00"}
    )
    assert extract_page(page(dated))["published_raw"] == "2025-10-14T09:30:00+02:00"
    # A few teasers, or a front's URL, are not enough on their own.
    furniture = section_front(teasers=3).split("<main>")[1].split("</main>")[0]
    with_teasers = article_page(meta={"og:type": "website"}, furniture=furniture)
    assert extract_page(page(with_teasers))["text"]
    at_front_url = Page(
        "https://www.rheinland-kurier.de/politik/",
        article_page(meta={"og:type": "website"}).encode(),
        "t#1",
        FETCHED,
        200,
        None,
    )
    assert extract_page(at_front_url)["text"]


def test_a_list_of_other_sites_pages_is_not_an_index_page() -> None:
    # Teasers count only for the site's own articles: a listing of events or products on
    # other sites is the page's own content.
    listing = section_front().replace('href="/politik/', 'href="https://events.example.org/')
    front = Page(
        "https://www.rheinland-kurier.de/termine/", listing.encode(), "t#1", FETCHED, 200, None
    )
    assert extract_page(front)["text"]


def test_dateline_without_offset_is_local_time_of_the_outlets_country() -> None:
    html = article_page().replace(
        '<p class="byline"></p>', '<p class="dateline">11.10.2025, 09:15 Uhr</p>'
    )
    record = extract_page(page(html))
    assert record["published_raw"] == "2025-10-11T09:15:00+02:00"
    assert record["published_from"] == "dateline"
    # A .com site may be in any zone: the time stays naive (stored as UTC, offset unknown).
    com = Page("https://www.example.com/a.html", html.encode(), "t#1", FETCHED, 200, None)
    assert extract_page(com)["published_raw"] == "2025-10-11T09:15:00"


def test_text_keeps_links_as_markdown_for_the_cleaning_stage() -> None:
    html = article_page().replace(
        "Förderprogramm des Landes",
        '<a href="https://www.land.de/foerderung">Förderprogramm</a> des Landes',
    )
    record = extract_page(page(html))
    assert "[Förderprogramm](https://www.land.de/foerderung)" in record["text"]


def test_lead_is_found_through_any_description_but_never_in_a_picture_caption() -> None:
    lead = "Die Stadt will bis 2030 vierzig Kilometer neue Radwege bauen, sagt die Verwaltung."
    caption = "Radfahrer auf der Rheinbrücke in Bonn, wo die Stadt einen neuen Radweg plant."
    html = article_page(
        meta={"og:description": "Eine ganz andere Beschreibung für Suchmaschinen und Netzwerke."},
        json_ld={
            "@type": "NewsArticle",
            "headline": "Stadt plant neue Radwege",
            "description": lead,
        },
    ).replace("<main><article>", f'<main><div class="teaser"><p>{lead}</p></div><article>')
    assert extract_page(page(html))["text"].startswith(lead)
    captioned = article_page(meta={"og:description": caption}).replace(
        "<main><article>",
        f'<main><div><figure><img src="a.jpg"><figcaption>{caption}</figcaption></figure></div>'
        "<article>",
    )
    assert caption not in extract_page(page(captioned))["text"]


SECOND_STORY = [
    "Im Hafen hat am Montag ein neues Containerterminal den Betrieb aufgenommen. Es soll die "
    "Umschlagzahlen in den kommenden Jahren deutlich erhöhen, sagte der Hafenbetreiber.",
    "Die Bauarbeiten hatten mehr als drei Jahre gedauert und deutlich mehr gekostet als "
    "geplant. Gewerkschaften fordern nun zusätzliche Stellen für die Beschäftigten am Kai.",
    "Der Senat will im kommenden Jahr über eine Erweiterung entscheiden. Umweltverbände haben "
    "bereits angekündigt, gegen eine weitere Vertiefung der Fahrrinne zu klagen.",
]


def markup(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def test_teaser_cards_for_other_articles_stay_out_of_the_text() -> None:
    summary = (
        "Der Hafenbetreiber meldet Rekordzahlen beim Umschlag und plant eine neue Kaimauer, "
        "die in drei Jahren fertig sein soll und mehr als hundert Millionen Euro kostet."
    )
    card = (
        f'<a href="/hafen.html"><div class="card"><h3>Hafen meldet Rekord</h3>'
        f"<p>{summary}</p></div></a>"
    )
    html = article_page().replace("</article>", f"{card}</article>")
    record = extract_page(page(html))
    assert "Radwegenetzes" in record["text"]
    assert "Kaimauer" not in record["text"]


def test_fact_boxes_inside_the_article_stay_out_of_the_text() -> None:
    boxes = (
        '<div role="complementary"><h3>Fakta om radveier</h3><p>Ein Radweg ist ein Weg, '
        "der für Fahrräder bestimmt ist und oft baulich von der Fahrbahn getrennt wird.</p></div>"
        '<section class="c-infoBox--wide"><p>Die Radverkehrsstrategie des Landes sieht vor, '
        "den Anteil des Radverkehrs bis zum Jahr 2035 auf ein Viertel zu erhöhen.</p></section>"
    )
    paragraphs = article_page().split("<p>Nach Angaben")
    html = f"{paragraphs[0]}{boxes}<p>Nach Angaben{paragraphs[1]}"
    record = extract_page(page(html))
    assert "Radwegenetzes" in record["text"] and "zwölf Millionen" in record["text"]
    assert "baulich" not in record["text"]
    assert "Radverkehrsstrategie" not in record["text"]


def test_a_box_that_holds_the_whole_article_is_no_box() -> None:
    html = article_page().replace("<article>", '<article role="complementary">')
    assert "Radwegenetzes" in extract_page(page(html))["text"]


def test_a_second_story_loaded_below_the_first_is_left_out() -> None:
    first, second = markup(BODY), markup(SECOND_STORY)
    # Endless scrolling: each story in its own <article>, both in one feed container.
    html = (
        article_page(meta={"og:title": "Stadt plant neue Radwege"}, paragraphs=[])
        .replace("<main><article>", '<main><div class="article-content"><article>')
        .replace('<p class="byline"></p>', first)
        .replace(
            "</article>",
            f"</article><article><h1>Neues Terminal im Hafen</h1>{second}</article></div>",
        )
    )
    record = extract_page(page(html))
    assert "Radwegenetzes" in record["text"]
    assert "Containerterminal" not in record["text"]


def test_a_story_article_nested_in_a_page_article_around_the_same_headline_is_kept() -> None:
    # Blog themes wrap the post's <article> (with its h1) in a page-level <article>: one
    # story, not two.
    html = (
        article_page()
        .replace("<main><article>", '<main><article class="page"><article class="post">')
        .replace("</article>", "</article></article>")
    )
    record = extract_page(page(html))
    assert "Radwegenetzes" in record["text"] and "zwölf Millionen" in record["text"]


def test_a_body_split_into_chunks_of_one_class_is_read_whole_and_in_order() -> None:
    first, second = markup(BODY), markup(SECOND_STORY)
    html = article_page(paragraphs=[]).replace(
        '<p class="byline"></p>',
        f'<div class="article-body">{first}</div>'
        '<div class="ad"><p>Anzeige</p></div>'
        f'<div class="article-body">{second}</div>',
    )
    text = extract_page(page(html))["text"]
    positions = [text.find(p[:40]) for p in [*BODY, *SECOND_STORY]]
    assert all(p >= 0 for p in positions), text
    assert positions == sorted(positions)


def test_subheadings_in_sections_of_their_own_join_the_split_body_in_place() -> None:
    # Page builders put each heading and each text block in a section of its own; joining the
    # blocks must bring the headings between them along, in order. An image section between
    # two blocks is no heading and stays where it is.
    first, second = markup(BODY), markup(SECOND_STORY)
    html = article_page(paragraphs=[]).replace(
        '<p class="byline"></p>',
        f'<section class="b-text"><div class="rich">{first}</div></section>'
        '<section class="b-title"><h2>Wie es weitergeht</h2></section>'
        '<section class="b-image"><figure><img src="/a.jpg"></figure></section>'
        f'<section class="b-text"><div class="rich">{second}</div></section>',
    )
    text = extract_page(page(html))["text"]
    positions = [text.find(p[:40]) for p in [BODY[-1], "Wie es weitergeht", SECOND_STORY[0]]]
    assert all(p >= 0 for p in positions), text
    assert positions == sorted(positions)


def test_boxes_of_one_class_inside_a_body_with_prose_of_its_own_stay_in_place() -> None:
    from etl.extract.page import join_split_bodies, parse_html

    # Product cards in a buying guide: the body has paragraphs beside them, so the cards are
    # parts of one container that extractors read whole, not a body split around ads.
    card = f'<div class="product">{markup(SECOND_STORY)}</div>'
    tree = parse_html(
        f"<html><body><div class='body'>{markup(BODY)}{card}<h2>Weitere Modelle</h2>{card}"
        f"{markup(BODY)}</div></body></html>"
    )
    assert tree is not None
    join_split_bodies(tree)
    cards = tree.findall(".//div[@class='product']")
    assert [len(c.findall("p")) for c in cards] == [len(SECOND_STORY), len(SECOND_STORY)]


def test_chunks_of_one_class_holding_headlines_are_stories_and_stay_apart() -> None:
    from etl.extract.page import join_split_bodies, parse_html

    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    # Each story's h1 sits deep inside its chunk; the body chunks of the second group have none.
    story = f'<div class="story"><header><div><h1>{{}}</h1></div></header>{paragraphs}</div>'
    body = f'<div class="chunk">{paragraphs}</div>'
    tree = parse_html(
        f"<html><body>{story.format('One')}{story.format('Two')}{body}<hr>{body}</body></html>"
    )
    assert tree is not None
    join_split_bodies(tree)
    stories = tree.findall(".//div[@class='story']")
    chunks = tree.findall(".//div[@class='chunk']")
    assert [len(s.findall("p")) for s in stories] == [len(BODY), len(BODY)]
    assert [len(c.findall("p")) for c in chunks] == [2 * len(BODY), 0]


def test_after_the_last_chunk_only_the_prose_right_after_it_joins_the_body() -> None:
    from etl.extract.page import join_split_bodies, parse_html

    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    tail = (
        "<p>Die letzten, kürzeren Einträge der Liste folgen dem letzten Abschnitt der Liste"
        " direkt, ohne Lücke.</p>"
    )
    partner = (
        "<p>Wir sind stolz, Mitglied im Verband der Gartenfreunde Rheinstadt und Umgebung"
        " zu sein.</p>"
    )
    blocks = [paragraphs, paragraphs, tail, '<a href="/kontakt/">Kontakt</a>', partner]
    tree = parse_html(
        "<html><body>"
        + "<hr>".join(f'<div class="block">{block}</div>' for block in blocks)
        + "</body></html>"
    )
    assert tree is not None
    join_split_bodies(tree)
    first = tree.find(".//div[@class='block']")
    assert first is not None
    text = first.text_content()
    assert "kürzeren Einträge" in text and "Verband der Gartenfreunde" not in text


def test_chunks_after_a_heading_of_teasers_are_not_the_articles_body() -> None:
    from etl.extract.page import join_split_bodies, parse_html

    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    teasers = "".join(f"<p>{p}</p>" for p in SECOND_STORY)
    tree = parse_html(
        f'<html><body><div class="rich">{paragraphs}</div><aside>Anzeige</aside>'
        f'<div class="rich">{paragraphs}</div>'
        f'<h2>Recommended for you</h2><div class="rich">{teasers}</div></body></html>'
    )
    assert tree is not None
    join_split_bodies(tree)
    chunks = tree.findall(".//div[@class='rich']")
    assert [len(c.findall("p")) for c in chunks] == [2 * len(BODY), 0, len(SECOND_STORY)]


def test_a_footer_widget_with_the_class_of_the_body_chunks_stays_out_of_the_text() -> None:
    first, second = markup(BODY), markup(SECOND_STORY)
    widget = (
        '<div class="e-con-inner"><p>Hauptstraße 1, 12345 Rheinstadt</p>'
        '<p><a href="/kontakt/">Kontakt</a> <a href="/termin/">Termin buchen</a></p></div>'
    )
    html = (
        article_page(paragraphs=[])
        .replace(
            '<p class="byline"></p>',
            f'<div class="e-con-inner">{first}</div>'
            '<div class="ad"><p>Anzeige</p></div>'
            f'<div class="e-con-inner">{second}</div>',
        )
        .replace("</body>", f"<footer>{widget}</footer></body>")
    )
    text = extract_page(page(html))["text"]
    assert all(p[:40] in text for p in [*BODY, *SECOND_STORY]), text
    assert "Hauptstraße 1" not in text and "Termin buchen" not in text


def test_a_page_rendered_by_script_gives_the_article_from_its_data_payload() -> None:
    content = markup(BODY)
    payload = json.dumps({"article": {"title": "Stadt plant neue Radwege", "contentHtml": content}})
    html = article_page(paragraphs=[]).replace(
        "</body>", f"<script>window.__DATA__ = {payload};</script></body>"
    )
    record = extract_page(page(html))
    assert record["text"].count("Radwegenetzes") == 1
    assert "<p>" not in record["text"]
    ld_only = article_page(
        paragraphs=[],
        json_ld={"@type": "NewsArticle", "headline": "Stadt", "articleBody": "\n".join(BODY)},
    )
    assert "Bürgerversammlungen" in extract_page(page(ld_only))["text"]


def test_a_byline_paragraph_names_the_authors_and_leaves_the_body() -> None:
    html = article_page(
        paragraphs=["Anna Beispiel / Max Muster", *BODY],
        json_ld={
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Stadt plant neue Radwege",
            "author": {"@type": "Organization", "name": "Rheinland Kurier"},
        },
    )
    record = extract_page(page(html))
    assert "Anna Beispiel / Max Muster" in record["bylines_raw"]
    row = clean(record).row(0, named=True)
    assert (row["authors"], row["author_kind"]) == (["Anna Beispiel", "Max Muster"], "person")
    assert "Anna Beispiel" not in row["text"]


def test_a_page_declaring_its_encoding_in_an_xml_prolog_still_parses() -> None:
    from etl.extract.page import parse_html

    tree = parse_html(
        '<?xml version="1.0" encoding="utf-8"?><html><head><title>T</title></head>'
        "<body><p>Käse</p></body></html>"
    )
    assert tree is not None and tree.findtext(".//p") == "Käse"
    assert parse_html("just a line of text") is None


def test_fact_boxes_go_but_a_mislabelled_container_stays() -> None:
    from etl.extract.page import drop_boxes, parse_html

    tree = parse_html(
        "<html><body><div class='article-body'><p>"
        + "Story text. " * 40
        + "</p><div class='c-InfoBox'><p>Key facts</p></div>"
        "<aside role='complementary'><p>Related</p></aside>"
        "<div class='boxed-teaser'><p>Not a fact box</p></div></div></body></html>"
    )
    assert tree is not None
    drop_boxes(tree)
    text = tree.text_content()
    assert "Key facts" not in text and "Related" not in text
    assert "Not a fact box" in text and "Story text." in text


def test_the_readability_comparison_can_be_switched_off() -> None:
    from etl.extract.page import extraction_settings

    assert extraction_settings().compare_extractors is True
    fast = extraction_settings(["compare_extractors=false"])
    assert fast.compare_extractors is False
    record = extract_page(
        Page(url="https://example.de/a", body=article_page().encode(), origin="x"), fast
    )
    assert record["text"]


def test_a_page_trafilatura_finds_no_text_in_keeps_its_container_of_prose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Some layouts make trafilatura's scoring pass over the whole article: a page that shows
    # paragraphs of prose side by side is an article all the same, not an empty page.
    monkeypatch.setattr("etl.extract.page.bare_extraction", lambda *args, **kwargs: None)
    paragraphs = [
        "Der Gemeinderat hat am Dienstagabend nach langer Debatte beschlossen, die alte Brücke "
        f"über den Mühlbach bis zum Frühjahr zu erneuern ({n}). Die Arbeiten sollen Anfang März "
        f"beginnen und etwa sechs Wochen dauern; der Bus fährt solange eine Umleitung ({n})."
        for n in range(4)
    ]
    prose = "".join(f"<p>{text}</p>" for text in paragraphs)
    html = (
        "<html><body><nav><p>Start</p></nav>"
        f'<div class="x"><h2>Brücke</h2>{prose}<p>Kurz.</p></div>'
        "<aside><p>Newsletter</p></aside></body></html>"
    )
    text = extract_page(page(html))["text"]
    assert text.splitlines()[0] == " ".join(paragraphs[0].split())
    assert "Kurz." in text and "Newsletter" not in text and "Start" not in text


def test_a_page_with_too_little_prose_for_an_article_is_still_rejected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("etl.extract.page.bare_extraction", lambda *args, **kwargs: None)
    sentences = "Ein kurzer Satz steht hier allein da. " * 3
    html = f"<html><body><div><p>{sentences}</p></div></body></html>"
    with pytest.raises(ExtractionRejected):
        extract_page(page(html))


def test_a_statement_of_hundreds_of_characters_is_no_headline() -> None:
    description = "Die Stadt plant neue Radwege, und die Verwaltung erklärt warum. " * 6
    html = article_page(meta={"og:title": description}, json_ld={"headline": description})
    assert extract_page(page(html))["title"] == "Stadt plant neue Radwege"
