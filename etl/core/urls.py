"""URLs as every stage keys them: the canonical URL, the outlet's registered domain, its label.

One public-suffix reader for the whole package: the list bundled with tldextract, never
downloaded (``suffix_list_urls=()``), never cached on disk (``cache_dir=None``).
"""

from __future__ import annotations

from functools import lru_cache

import courlan
import tldextract

_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def canonical_url(url: str, canonical: str | None) -> str:
    """The page's canonical link where it stays on the same site, normalised; else the URL."""
    chosen = url
    if (
        canonical
        and canonical.startswith(("http://", "https://"))
        and registered_domain(canonical) == registered_domain(url)
    ):
        chosen = canonical
    try:
        normalised = courlan.normalize_url(chosen)
    except (ValueError, TypeError):
        normalised = chosen
    return normalised.split("#", 1)[0]


@lru_cache(maxsize=65536)
def registered_domain(url: str) -> str:
    """The outlet key: registered domain by the public-suffix list (bundled, no download)."""
    if url.startswith("file:"):
        return "local"
    parts = _EXTRACTOR(url)
    return parts.top_domain_under_public_suffix or parts.domain or "unknown"


def domain_label(url: str) -> str:
    """The label under the public suffix: "ilanga" for www.ilanga.co.za ("" if none)."""
    return _EXTRACTOR(url).domain or ""


def load_public_suffixes() -> None:
    """Read the bundled public-suffix list now (40 ms) rather than at the first URL.

    Called before extraction workers fork, so that they share the list instead of each
    reading it again.
    """
    _EXTRACTOR("https://example.com/")


def public_suffix(url: str) -> str:
    """The public suffix: "co.za" for www.ilanga.co.za ("" if none)."""
    return _EXTRACTOR(url).suffix
