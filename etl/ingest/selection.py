"""Which inputs, and which records of them, a run takes: globs, and date and domain filters.

Bulk WARC files (Common Crawl's CC-NEWS holds every outlet of a month, a few GB a day) are
mostly records a user does not want; the filters here drop them before the costly extraction,
and the pipeline counts each dropped record as skipped, so the accounting still adds up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from etl.core.errors import InputError
from etl.core.objectstore import is_object_url
from etl.core.urls import registered_domain
from etl.ingest.inputs import Page, Reject, is_html, is_warc, list_input_units

_GLOB_CHARACTERS = frozenset("*?[")


def expand_inputs(patterns: Sequence[str | Path], base: str | Path = ".") -> list[str]:
    """Paths and glob patterns (``**`` included) into sorted units of work.

    A relative pattern is taken relative to ``base``. A pattern that matches nothing is an
    error, as a missing path is: a typo should not make an empty, successful import.
    """
    paths: list[str | Path] = []
    for pattern in patterns:
        if is_object_url(pattern):
            paths.append(str(pattern))  # objects are listed (and patterns matched) there
            continue
        candidate = Path(pattern).expanduser()
        if not candidate.is_absolute():
            candidate = Path(base) / candidate
        if _GLOB_CHARACTERS & set(str(pattern)):
            matches = _glob(candidate)
            if not matches:
                raise InputError(f"no file matches {pattern}")
            paths += matches
        else:
            paths.append(candidate)
    return list_input_units(paths)


def _glob(pattern: Path) -> list[Path]:
    """Folders and page files matching an absolute pattern; other files are passed over.

    The part before the first wildcard is the root (``Path.glob`` takes relative patterns).
    """
    parts = pattern.parts
    first = next(i for i, part in enumerate(parts) if _GLOB_CHARACTERS & set(part))
    matches = Path(*parts[:first]).glob(str(Path(*parts[first:])))
    return sorted(p for p in matches if p.is_dir() or is_warc(p) or is_html(p))


def normalise_domain(value: str) -> str:
    """A domain as a user writes it (``www.Example.de``, a URL) as the registered domain."""
    text = value.strip().lower()
    if not text:
        raise InputError("empty domain in the domain filter")
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    domain = registered_domain(f"http://{host}/") if host else ""
    if not domain or domain == "unknown":
        raise InputError(f"not a domain: {value!r}")
    return domain


@dataclass(frozen=True)
class RecordFilter:
    """Keep records fetched in ``[since, until]`` (UTC days) from the given outlets.

    Dates are the fetch date (``WARC-Date``): the publication date is only known after
    extraction. A record without a fetch date is kept by the date filter, and one without a
    URL (a damaged file) by both: those become reject rows rather than vanish.
    """

    since: date | None = None
    until: date | None = None
    domains: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls,
        since: str | date | None = None,
        until: str | date | None = None,
        domains: Iterable[str] = (),
    ) -> RecordFilter:
        """From user input (ISO dates, domains or URLs); bad values raise ``InputError``."""
        record_filter = cls(
            since=_as_date(since, "since"),
            until=_as_date(until, "until"),
            domains=frozenset(normalise_domain(d) for d in domains),
        )
        if (
            record_filter.since
            and record_filter.until
            and record_filter.since > record_filter.until
        ):
            raise InputError(f"since {record_filter.since} is after until {record_filter.until}")
        return record_filter

    @property
    def active(self) -> bool:
        return bool(self.since or self.until or self.domains)

    def skip_reason(self, record: Page | Reject) -> str | None:
        """Why ``record`` is left out (``outside_dates``, ``other_domain``), or None."""
        fetched = record.fetched_at
        if fetched is not None:
            day = (fetched if fetched.tzinfo else fetched.replace(tzinfo=UTC)).astimezone(UTC)
            if (self.since and day.date() < self.since) or (self.until and day.date() > self.until):
                return "outside_dates"
        if self.domains and record.url and registered_domain(record.url) not in self.domains:
            return "other_domain"
        return None


def _as_date(value: str | date | None, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        pass
    try:
        return _as_date(datetime.fromisoformat(value.strip()), name)
    except ValueError as exc:
        raise InputError(f"{name} must be a date like 2025-10-16, got {value!r}") from exc
