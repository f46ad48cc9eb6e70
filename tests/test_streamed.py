"""Streamed React segments are read where the page shows them (etl.extract.streamed)."""

from __future__ import annotations

from etl.extract.page import extract_page, parse_html
from etl.extract.streamed import place_streamed_segments
from tests.test_extract import page

_PROSE = (
    "Die Gemeinde hat am Dienstag beschlossen, die alte Brücke über den Mühlbach bis zum "
    "Frühjahr zu erneuern. Die Arbeiten sollen im März beginnen und etwa sechs Wochen dauern."
)
_STREAMED = [
    "Während der Bauzeit fährt der Bus eine Umleitung über die Lindenstraße und den Marktplatz.",
    "Anwohner erhalten bis Ende Februar einen Brief mit den genauen Terminen der Sperrung.",
    "Die Kosten von 480.000 Euro trägt zur Hälfte das Land, den Rest zahlt die Gemeinde.",
]


def streamed_page(placeholder_parent: str = "div") -> str:
    """An article whose list arrives as a streamed segment; the placeholder in a div."""
    items = "".join(f"<li>{line}</li>" for line in _STREAMED)
    return f"""<!DOCTYPE html><html lang="de"><head><title>Brücke wird erneuert</title></head>
<body><header><nav><a href="/">Start</a> <a href="/lokales">Lokales</a></nav></header>
<main><article><h1>Brücke wird erneuert</h1>
<p>{_PROSE}</p><p>{_PROSE.replace("Dienstag", "Mittwoch")}</p>
<{placeholder_parent}><template id="B:0"></template><div class="skeleton"></div></div>
<p>{_PROSE.replace("Brücke", "Straße")}</p>
</article></main>
<footer><p>Impressum</p></footer>
<div hidden id="S:0"><ul>{items}</ul></div>
<script>$RC("B:0","S:0")</script>
</body></html>"""


def test_a_streamed_segment_is_extracted_in_its_placeholder() -> None:
    text = extract_page(page(streamed_page()))["text"]
    for line in _STREAMED:
        assert line in text
    # in the article's order: after the paragraph above the placeholder, before the one below
    assert text.index(_STREAMED[0]) < text.index("Straße über den Mühlbach")


def test_segments_follow_the_scripts_pairing_and_segment_placeholders() -> None:
    markup = (
        '<html><body><div id="a"><template id="P:3"></template></div>'
        '<div id="b"><template id="B:3"></template></div>'
        '<div hidden id="S:3">loose <b>bold</b></div>'
        '<script>$RS("S:3","P:3")</script></body></html>'
    )
    tree = parse_html(markup)
    assert tree is not None
    assert place_streamed_segments(tree, markup) == 1
    assert tree.xpath("string(//div[@id='a'])") == "loose bold"
    assert not tree.xpath("//div[@hidden]") and tree.xpath("//template[@id='B:3']")


def test_a_placeholder_in_a_block_pruned_as_comments_leaves_the_segment_alone() -> None:
    markup = streamed_page(placeholder_parent='div class="commentOnSelection"')
    tree = parse_html(markup)
    assert tree is not None
    assert place_streamed_segments(tree, markup) == 0
    assert tree.xpath("//div[@hidden][@id='S:0']")
