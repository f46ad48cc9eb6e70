"""``urllib.parse.urljoin`` against one page's URL, for every link of the page.

A news page has 150 links and more; ``urljoin`` parses the page's URL and the link and puts
them back together for each (7 µs a link, a third of marking a page's links). Most links are
written out in full or as a path from the site's root, and for those the result is known
without parsing: the link itself, or the page's scheme and host before it. Anything else
(relative paths, dot segments, parameters, empty queries, spaces) goes to ``urljoin``, so the
result is always the same as ``urljoin(base, href)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

# What urlsplit/urlunsplit give back unchanged: no control characters or spaces (stripped or
# removed), no ";" (parameters), a "?" or "#" only before a non-empty query or fragment.
_PATH = r"[^\x00-\x20\x7f;?#\[\]]*"
_REST = r"(?:\?[^\x00-\x20\x7f#]+)?(?:#[^\x00-\x20\x7f]+)?"
# An absolute http(s) link with a plain host: urljoin returns it as written.
_ABSOLUTE = re.compile(rf"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:/{_PATH})?{_REST}")
# A path from the root without "." or ".." segments: the page's scheme and host, then the link.
_ROOTED = re.compile(rf"/(?!/)(?!(?:[^?#]*/)?\.\.?(?:[/?#]|$)){_PATH}{_REST}")


def url_joiner(base: str) -> Callable[[str], str]:
    """``href -> urljoin(base, href)`` for one base URL, without parsing the common links."""
    parts = urlsplit(base)
    origin = (
        f"{parts.scheme}://{parts.netloc}"
        if parts.scheme in ("http", "https") and parts.netloc and base
        else None
    )

    def join(href: str) -> str:
        if href and _ABSOLUTE.fullmatch(href):
            return href
        if origin is not None and _ROOTED.fullmatch(href):
            return origin + href
        return urljoin(base, href)

    return join
