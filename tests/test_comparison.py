"""trafilatura's readability comparison, skipped only where it cannot change the result
(etl.extract.comparison)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import trafilatura.core
from lxml import etree
from lxml.html import HtmlElement, fromstring
from trafilatura import bare_extraction

from etl.extract import comparison
from tests.pages import BODY, article_page, section_front

TEASERS = "".join(
    f"<li><a href='/politik/meldung-{i}.html'>Eine andere Meldung mit einem längeren Titel "
    f"Nummer {i}, die mit dem Artikel nichts zu tun hat</a></li>"
    for i in range(60)
)
PAGES = {
    "article": article_page(),
    "article among many teasers": article_page(furniture=f"<ul>{TEASERS}</ul>"),
    "article with a big script": article_page(
        extra_head="<script>" + "var state = {'a': 1, 'b': [1, 2, 3]};\n" * 2000 + "</script>"
    ),
    "prose in divs": "<html><body><nav>Start Politik Sport</nav><div class='x'>"
    + "".join(f"<div>{p}</div>" for p in BODY * 3)
    + "</div></body></html>",
    "section front": section_front(),
    "table page": "<html><body><table>"
    + "".join(f"<tr><td>{p}</td><td>{p}</td></tr>" for p in BODY)
    + "</table></body></html>",
}


@pytest.fixture
def skips() -> Iterator[list[bool]]:
    """The answers of ``readability_cannot_win`` during the test."""
    answers: list[bool] = []
    decide = comparison.readability_cannot_win

    def recorded(*args: Any) -> bool:
        answers.append(decide(*args))
        return answers[-1]

    comparison.readability_cannot_win = recorded  # type: ignore[assignment]
    yield answers
    comparison.readability_cannot_win = decide  # type: ignore[assignment]


def extraction(html: str, *, own: bool, **options: Any) -> dict[str, Any] | None:
    """bare_extraction's record with the project's stages 1 and 2 (own) or trafilatura's."""
    (comparison.install if own else comparison.uninstall)()
    try:
        document = bare_extraction(
            fromstring(html), url="https://zeitung.example/a/b-c-d", deduplicate=False, **options
        )
    finally:
        comparison.install()
    if document is None:
        return None
    # Trees compare by identity: their markup stands for them.
    return {
        key: etree.tostring(value) if isinstance(value, etree._Element) else value
        for key, value in document.as_dict().items()
    }


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    "options", [{}, {"favor_precision": True}, {"favor_recall": True}, {"include_tables": False}]
)
def test_the_result_is_trafilaturas_own(name: str, options: dict[str, Any]) -> None:
    assert extraction(PAGES[name], own=True, **options) == extraction(
        PAGES[name], own=False, **options
    )


def test_readability_is_skipped_where_the_article_is_most_of_the_page(skips: list[bool]) -> None:
    extraction(PAGES["article"], own=True)
    extraction(PAGES["article with a big script"], own=True)
    assert skips == [True, True]


def test_readability_runs_where_it_could_find_more(skips: list[bool]) -> None:
    extraction(PAGES["article among many teasers"], own=True)
    extraction(PAGES["table page"], own=True)
    assert skips and not any(skips)


def test_it_is_in_place_for_the_pipeline() -> None:
    import etl.extract.page  # noqa: F401  (installs it)

    assert trafilatura.core._extract_and_compare is comparison.extract_and_compare


def test_another_trafilatura_keeps_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trafilatura, "__version__", "2.4.0")
    comparison.uninstall()
    comparison.install()
    assert trafilatura.core._extract_and_compare is not comparison.extract_and_compare
    monkeypatch.undo()
    comparison.install()
    assert trafilatura.core._extract_and_compare is comparison.extract_and_compare


def test_the_bound_holds_on_a_page_of_scattered_text() -> None:
    tree: HtmlElement = fromstring(
        "<html><head><style>p { x: 1 }</style></head><body><p>a  b</p>\n\n<div> c<b>d</b> "
        "<script>var   x = 1;</script>e </div></body></html>"
    )
    page = comparison._COLLAPSED_PAGE_LENGTH(tree)
    dropped = sum(comparison.collapsed_length(e.text or "") for e in tree.iter("script", "style"))
    # "a b c d e" with "cd" joined: readability can give at most "a b cd e", 8 characters
    assert page - dropped >= len("a b cd e")


def test_the_benchmarks_plain_loop_keeps_trafilaturas_own() -> None:
    """(a) of ``news-archive bench`` is what a user writes: trafilatura unchanged."""
    script = (
        "import trafilatura.core, etl.bench.speed, etl.cli; "
        "print(trafilatura.core._extract_and_compare.__module__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "trafilatura.core"
