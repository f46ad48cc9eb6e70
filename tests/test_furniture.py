"""The fact boxes the metadata walk collects are the ones ``drop_boxes`` finds on its own."""

from __future__ import annotations

from lxml import etree

from etl.extract.furniture import box_candidates, drop_boxes, teaser_cards
from etl.extract.metadata import read_page_metadata
from etl.extract.page import parse_html

STORY = "<p>" + "Story text of the article itself. " * 30 + "</p>"
# Boxes where a walk could miss them: in the head, on the root and the body, in elements the
# metadata walk does not read (svg, script), nested in each other (the outer one holding most
# of the page), holding the headline, and inside an embed that goes before the boxes do.
PAGES = [
    "<html><head><title>T</title></head><body><div class='c-InfoBox'><p>Key facts</p></div>"
    f"{STORY}<aside role='complementary'><p>Related</p></aside></body></html>",
    "<html role='complementary'><head><meta name='x' class='infobox'>"
    "<style class='fact-box'>p {}</style></head><body class='fact-box'>"
    f"<svg class='icon-infobox'><g/></svg>{STORY}<script class='faktaboks'>var a;</script>"
    "</body></html>",
    f"<html><body><div class='fakta-ruta'>{STORY}<div role='complementary'><p>Inner</p></div>"
    "<div class='infobox'><h1>Headline</h1></div></div>"
    "<div class='info-box'><div class='factbox'><p>Inside another box</p></div></div>"
    "</body></html>",
    f"<html><body>{STORY}<blockquote class='twitter-tweet infobox'><p>A post</p>"
    "<div class='factbox'><p>In the post</p></div></blockquote>"
    "<div class='boxed-teaser FAKTABOX'><p>Not a word of its own</p></div></body></html>",
    f"<html><body><article>{STORY}</article><div class='x'>No boxes here</div></body></html>",
    "<html><head><title>T</title></head><body><blockquote class='twitter-tweet'><p>Post</p>"
    "<blockquote class='x reddit-embed-bq'><p>Quoted post</p></blockquote></blockquote>"
    f"<blockquote class='quote'>{STORY}</blockquote><div class='instagram-media'>Not a quote</div>"
    "<p><ruby>漢<rt>かん</rt></ruby>字</p><svg><ruby>字<rp>(</rp></ruby></svg></body></html>",
]
EMBEDS_XPATH = (
    "//blockquote[contains(@class, 'twitter-tweet') or contains(@class, 'instagram-media')"
    " or contains(@class, 'tiktok-embed') or contains(@class, 'bluesky-embed')"
    " or contains(@class, 'threads-post') or contains(@class, 'reddit-embed')]"
)


def test_the_walk_finds_the_boxes_embeds_and_rubies_in_document_order() -> None:
    found = 0
    for markup in PAGES:
        tree = parse_html(markup)
        assert tree is not None
        meta = read_page_metadata(tree)
        assert meta.boxes == box_candidates(tree)
        assert meta.embeds == tree.xpath(EMBEDS_XPATH)
        assert meta.rubies == list(tree.iter("ruby"))
        found += len(meta.embeds) + len(meta.rubies)
    assert found == 5


def test_boxes_from_the_walk_drop_as_the_walk_of_drop_boxes_does() -> None:
    dropped_some = False
    for markup in PAGES:
        walked, collected = parse_html(markup), parse_html(markup)
        assert walked is not None and collected is not None
        boxes = read_page_metadata(collected).boxes
        for tree in (walked, collected):
            # Removed before the boxes, as extract_page removes social embeds.
            for embed in tree.iter("blockquote"):
                embed.drop_tree()
                break
        drop_boxes(walked)
        drop_boxes(collected, boxes)
        assert etree.tostring(collected) == etree.tostring(walked)
        dropped_some |= etree.tostring(walked) != etree.tostring(parse_html(markup))
    assert dropped_some


CARDS_XPATH = etree.XPath(
    "//a[@href][descendant::*[self::p or self::div"
    " or self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]]"
)


def test_teaser_cards_are_the_links_the_xpath_picks() -> None:
    tree = parse_html(
        "<html><head><title>T</title></head><body>"
        "<a href='/1'><div><h3>Card</h3><p>Summary</p></div></a><a href='/2'>plain</a>"
        "<a href=''><span><h2>Empty target</h2></span></a><a><div>No target</div></a>"
        "<a href='/3'><img src='x.png'><em><b><p>deep</p></b></em></a>"
        "<a href='/4'><span>inline</span></a><div><a href='/5'><h6>in a div</h6></a></div>"
        f"{STORY}</body></html>"
    )
    assert tree is not None
    cards = teaser_cards(tree)
    assert cards == CARDS_XPATH(tree)
    assert [card.get("href") for card in cards] == ["/1", "", "/3", "/5"]
