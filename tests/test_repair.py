from __future__ import annotations

import pytest
from trafilatura.utils import repair_faulty_html as trafilatura_repair

from etl.extract.repair import repair_faulty_html

PAGES = [
    "<html><body><p>Plain.</p></body></html>",
    "<!DOCTYPE html>\n<html><body><p>Ünïcode ‘quotes’ and 漢字.</p></body></html>",
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" />\n<html><p>x</p></html>',
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x.dtd"/><html><p>no newline</p></html>',
    "<!doctype html>",
    "<!DOCTYPE html/>",
    "<html/>\n<body><p>self-closing html</p></body>",
    '<?xml version="1.0"?>\n<html lang="de" />\n<p>x</p>',
    "<html><body><p>Bell \x07, form feed \x0c, escape \x1b, tab \t and CR \r stay?</p></html>",
    "<html><body><p>Non-characters \ufffe and \uffff, a lone surrogate \ud800.</p></html>",
    "<html><body><p>\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x1f</p></html>",
    "",
    "\n",
]


@pytest.mark.parametrize("markup", PAGES)
def test_the_repairs_are_trafilaturas(markup: str) -> None:
    for beginning in (markup[:50].lower(), "<!doctype html>", ""):
        assert repair_faulty_html(markup, beginning) == trafilatura_repair(markup, beginning)
