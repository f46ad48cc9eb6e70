"""Polite HTTP into WARC files: robots.txt, per-host pacing, retries, limits, an SSRF guard.

Every exchange is archived as it happened: request and response records, or a ``metadata``
record naming why there is no usable response. The pipeline later reads these files like any
other WARC, so a live collect and a replay from the archive take the same extraction path.

Records that are not an article candidate carry a ``News-Archive-Role`` header (``discovery``
for robots.txt, feeds and sitemaps; ``superseded`` for redirect hops and retried attempts);
``etl.ingest.inputs.read_warc`` counts those as skipped, so each fetched URL yields exactly
one input.
"""

from __future__ import annotations

import asyncio
import io
import ipaddress
import os
import random
import socket
import zlib
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from protego import Protego
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from etl.core.settings import Settings

ROLE_HEADER = "News-Archive-Role"
FAILURE_FIELD = "fetch-failure"
ROBOTS_TOKEN = "news-archive"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MiB = 1024 * 1024

try:
    _VERSION = version("news-archive")
except PackageNotFoundError:  # running from a checkout that was never installed
    _VERSION = "0"


class SSRFBlocked(Exception):
    """A connection to a non-public address that the source did not allow.

    Raised by the network backend, below httpx, so it is checked on the address actually
    connected to, for every redirect hop and retry, before any byte is sent.
    """


class BodyTooLarge(Exception):
    """The body, as sent or once decompressed, is over the limit."""


@dataclass(frozen=True)
class FetchSettings:
    """How hard and how long to try; tests shrink every wait with ``wait_scale``."""

    contact: str = ""
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 120.0
    max_body_bytes: int = 10 * MiB
    # The sitemap protocol allows 50 MB uncompressed.
    max_document_bytes: int = 50 * MiB
    max_redirects: int = 5
    retries: int = 3
    backoff_base: float = 2.0
    backoff_max: float = 120.0
    # A server asking for a longer pause is left alone until the next collect.
    max_retry_after: float = 300.0
    default_delay: float = 1.0
    # Some robots.txt files ask for an hour between requests; this is the most we wait.
    max_delay: float = 60.0
    wait_scale: float = 1.0
    host_concurrency: int = 1
    max_connections: int = 32
    refetch_after_days: float | None = None

    @classmethod
    def from_env(cls) -> FetchSettings:
        settings = Settings.from_env()
        return cls(contact=settings.contact, refetch_after_days=settings.refetch_after_days)

    @property
    def user_agent(self) -> str:
        contact = f"; +{self.contact}" if self.contact else ""
        return f"{ROBOTS_TOKEN}/{_VERSION} (news archive collector{contact})"


# --- SSRF guard -------------------------------------------------------------------------


async def resolve_host(host: str, port: int) -> list[str]:
    """The addresses a connection to ``host`` may use (tests replace this function)."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_ADDRCONFIG
    )
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class NetworkPolicy:
    """Which hosts may resolve to loopback, private, link-local or multicast addresses.

    Only hosts the source's own configuration names (with ``allow_private_network``), so a
    local test site still cannot redirect the collector into the rest of the network.
    """

    private_hosts: frozenset[str] = frozenset()

    async def addresses_for(self, host: str, port: int) -> list[str]:
        try:
            addresses = await resolve_host(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host}")
        if host.lower().strip("[]") not in self.private_hosts:
            for address in addresses:
                if not is_public_address(address):
                    raise SSRFBlocked(f"{host} resolves to non-public address {address}")
        return addresses


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks, then connects to the checked address itself (no second lookup)."""

    def __init__(self, policy: NetworkPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        error: Exception | None = None
        for address in await self._policy.addresses_for(host, port):
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise SSRFBlocked("unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_client(policy: NetworkPolicy, settings: FetchSettings) -> httpx.AsyncClient:
    """An httpx client whose every connection goes through the SSRF check; no proxies."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    # httpx has no parameter for httpcore's network backend, the one layer that sees the
    # address actually connected to, so the pool is built here with the guarded backend.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_connections,
        keepalive_expiry=5.0,
        network_backend=_GuardedBackend(policy),
    )
    return httpx.AsyncClient(
        transport=transport,
        trust_env=False,
        follow_redirects=False,
        timeout=httpx.Timeout(
            settings.read_timeout,
            connect=settings.connect_timeout,
            pool=settings.total_timeout,
        ),
        headers={
            "User-Agent": settings.user_agent,
            # Only encodings whose decompressed size the bomb guard can count.
            "Accept-Encoding": "gzip, deflate",
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        },
    )


# --- the WARC archive -------------------------------------------------------------------


class WarcArchive:
    """One gzipped WARC file, written as ``<name>.open`` and renamed when closed.

    Readers of ``data/raw`` never see a file that is still being written, and a crashed
    collect leaves an ``.open`` file behind instead of a truncated archive.
    """

    def __init__(self, path: Path, info: Mapping[str, str], origin: str | None = None) -> None:
        """``origin``: how readers will name the file (its URL once published), if not its path."""
        self.path = path.resolve()
        self._origin = origin or str(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._partial = self.path.with_name(self.path.name + ".open")
        self._file: BinaryIO = self._partial.open("wb")
        self._writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
        self.records = 0
        info = {"software": f"news-archive/{_VERSION}", "format": "WARC File Format 1.1", **info}
        self._writer.write_record(self._writer.create_warcinfo_record(self.path.name, info))

    def origin(self, offset: int) -> str:
        """How ``read_warc`` names the record at ``offset`` (its ``input_origin``)."""
        return f"{self._origin}#{offset}"

    def write_exchange(
        self,
        request: httpx.Request,
        response: httpx.Response,
        body: bytes,
        role: str,
        address: str | None,
    ) -> int:
        """A response record (body as received, content-encoding kept) and its request."""
        date = _warc_date()
        headers = [
            ("X-Archive-Orig-Transfer-Encoding" if k.lower() == "transfer-encoding" else k, v)
            for k, v in response.headers.multi_items()
        ]
        http = StatusAndHeaders(
            f"{response.status_code} {response.reason_phrase}",
            headers,
            protocol=response.http_version or "HTTP/1.1",
        )
        extra = {"WARC-Date": date, ROLE_HEADER: role}
        if address:
            extra["WARC-IP-Address"] = address
        record = self._writer.create_warc_record(
            str(response.url),
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http,
            warc_headers_dict=extra,
        )
        offset = self._write(record)
        self._write_request(request, date, record.rec_headers.get_header("WARC-Record-ID"))
        return offset

    def write_failure(
        self, url: str, reason: str, detail: str, role: str, request: httpx.Request | None
    ) -> int:
        """A ``metadata`` record saying why ``url`` has no usable response."""
        date = _warc_date()
        fields = {FAILURE_FIELD: reason, "detail": " ".join(detail.split())[:2000]}
        payload = "".join(f"{k}: {v}\r\n" for k, v in fields.items()).encode("utf-8")
        record = self._writer.create_warc_record(
            url,
            "metadata",
            payload=io.BytesIO(payload),
            length=len(payload),
            warc_content_type="application/warc-fields",
            warc_headers_dict={"WARC-Date": date, ROLE_HEADER: role},
        )
        offset = self._write(record)
        if request is not None:
            self._write_request(request, date, record.rec_headers.get_header("WARC-Record-ID"))
        return offset

    def _write_request(self, request: httpx.Request, date: str, concurrent_to: str) -> None:
        target = request.url.raw_path.decode("ascii", "replace")
        http = StatusAndHeaders(
            f"{request.method} {target} HTTP/1.1",
            list(request.headers.multi_items()),
            is_http_request=True,
        )
        record = self._writer.create_warc_record(
            str(request.url),
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=http,
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": concurrent_to},
        )
        self._write(record)

    def _write(self, record: Any) -> int:
        offset = self._file.tell()
        self._writer.write_record(record)
        self.records += 1
        return offset

    def close(self) -> Path:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._partial.replace(self.path)
        return self.path

    def abandon(self) -> None:
        """Close without renaming: the ``.open`` file stays as evidence, unread."""
        self._file.close()


def _warc_date() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- body limits ------------------------------------------------------------------------


class _BodyCounter:
    """Counts the decoded size of a gzip or deflate body as it streams in (bomb guard)."""

    def __init__(self, encoding: str, limit: int, keep: bool) -> None:
        encoding = encoding.strip().lower()
        self._limit = limit
        self._keep = keep
        self.size = 0
        self.parts: list[bytes] = []
        self._raw_deflate_tried = encoding != "deflate"
        self._inflate: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS)
        self.broken = encoding not in ("", "identity", "gzip", "x-gzip", "deflate")

    def feed(self, chunk: bytes) -> None:
        if self._inflate is None:
            self._add(chunk)
            return
        data = chunk
        while data:
            try:
                out = self._inflate.decompress(data, 256 * 1024)
            except zlib.error:
                if not self._raw_deflate_tried and self.size == 0:
                    # "deflate" is sent both with and without the zlib wrapper.
                    self._raw_deflate_tried = True
                    self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                # Undecodable: the archive keeps the bytes; extraction will reject them.
                self._inflate, self.broken = None, True
                return
            self._add(out)
            data = self._inflate.unconsumed_tail

    def _add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self._limit:
            raise BodyTooLarge(f"body over {self._limit} bytes once decompressed")
        if self._keep:
            self.parts.append(data)


def gunzip_limited(data: bytes, limit: int) -> bytes:
    """A gzip file (``sitemap.xml.gz``) decompressed, refusing more than ``limit`` bytes."""
    counter = _BodyCounter("gzip", limit, keep=True)
    counter.feed(data)
    return b"".join(counter.parts)


# --- pacing and robots ------------------------------------------------------------------


class _HostGate:
    """At most ``concurrency`` requests to one host at a time, ``delay`` seconds apart."""

    def __init__(self, concurrency: int) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._next_start = 0.0
        self.delay = 0.0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        async with self._slots:
            wait = self._next_start - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                yield
            finally:
                self._next_start = loop.time() + self.delay


@dataclass(frozen=True)
class _Robots:
    parser: Protego | None = None
    # Set when robots.txt could not be read: RFC 9309 says to assume a complete disallow.
    unreachable: str | None = None

    def allows(self, url: str) -> bool:
        if self.unreachable:
            return False
        return self.parser is None or bool(self.parser.can_fetch(url, ROBOTS_TOKEN))

    def crawl_delay(self) -> float:
        if self.parser is None:
            return 0.0
        delay = self.parser.crawl_delay(ROBOTS_TOKEN)
        return float(delay) if delay else 0.0


# --- fetching ---------------------------------------------------------------------------


@dataclass
class FetchStats:
    requests: int = 0
    retries: int = 0
    bytes: int = 0


@dataclass
class Fetched:
    """The end of one URL's fetch: a response (archived) or a failure (archived as metadata)."""

    url: str
    final_url: str
    origin: str
    status: int | None = None
    content_type: str | None = None
    headers: httpx.Headers | None = None
    body: bytes = b""  # decoded, and only for discovery documents
    failure: str | None = None
    detail: str = ""
    # A passing failure (timeout, reset, 5xx, 429, robots.txt unreachable): try next collect.
    transient: bool = False

    @property
    def ok(self) -> bool:
        return self.failure is None and self.status is not None and 200 <= self.status < 300


@dataclass
class _Attempt:
    request: httpx.Request
    response: httpx.Response | None = None
    body: bytes = b""
    decoded: bytes = b""
    address: str | None = None
    failure: str | None = None
    detail: str = ""
    transient: bool = False
    retry_after: float | None = None


class _Failed(Exception):
    def __init__(self, reason: str, detail: str, transient: bool = False) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.transient = reason, detail, transient


class Fetcher:
    """State shared by every session of a collect: host gates and robots.txt verdicts."""

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, asyncio.Task[_Robots]] = {}

    def gate(self, host: str, delay: float) -> _HostGate:
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = _HostGate(self.settings.host_concurrency)
        scaled = min(delay, self.settings.max_delay) * self.settings.wait_scale
        gate.delay = max(gate.delay, scaled)
        return gate

    def session(
        self, archive: WarcArchive, policy: NetworkPolicy, crawl_delay: float | None = None
    ) -> Session:
        return Session(self, archive, policy, crawl_delay)


class Session:
    """One source's fetches: its own client (and SSRF policy), archive and counts."""

    def __init__(
        self,
        fetcher: Fetcher,
        archive: WarcArchive,
        policy: NetworkPolicy,
        crawl_delay: float | None,
    ) -> None:
        self.fetcher = fetcher
        self.settings = fetcher.settings
        self.archive = archive
        self.policy = policy
        self.delay = self.settings.default_delay if crawl_delay is None else crawl_delay
        self.stats = FetchStats()
        self._client = guarded_client(policy, self.settings)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch_page(self, url: str) -> Fetched:
        """An article URL: robots.txt, redirects and retries; the body stays in the archive."""
        return await self._fetch(
            url, role="article", keep=False, limit=self.settings.max_body_bytes
        )

    async def fetch_document(
        self, url: str, validators: Mapping[str, str] | None = None
    ) -> Fetched:
        """A feed or sitemap, conditionally (``If-None-Match`` / ``If-Modified-Since``)."""
        headers = {}
        if validators and validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators and validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
        return await self._fetch(
            url,
            role="discovery",
            keep=True,
            limit=self.settings.max_document_bytes,
            headers=headers,
        )

    async def _fetch(
        self,
        url: str,
        *,
        role: str,
        keep: bool,
        limit: int,
        headers: Mapping[str, str] | None = None,
        robots: bool = True,
    ) -> Fetched:
        chain: list[str] = []
        current = url
        while True:
            try:
                if urlsplit(current).scheme not in ("http", "https"):
                    raise _Failed("bad_url", f"not an http(s) URL: {current[:200]}")
                try:
                    httpx.URL(current)
                except httpx.InvalidURL as exc:
                    raise _Failed("bad_url", f"{exc}: {current[:200]}") from exc
                if robots:
                    verdict = await self._robots_for(current)
                    if not verdict.allows(current):
                        raise _Failed(
                            "robots_disallowed",
                            verdict.unreachable or f"robots.txt disallows {current}",
                            transient=verdict.unreachable is not None,
                        )
            except _Failed as failed:
                return self._fail(
                    url, current, failed.reason, failed.detail, role, failed.transient
                )
            attempt = await self._attempts(current, limit, keep, headers)
            if attempt.failure is not None or attempt.response is None:
                offset = self.archive.write_failure(
                    url,
                    attempt.failure or "connection_error",
                    attempt.detail,
                    role,
                    None if attempt.failure == "ssrf_blocked" else attempt.request,
                )
                return Fetched(
                    url,
                    current,
                    self.archive.origin(offset),
                    failure=attempt.failure,
                    detail=attempt.detail,
                    transient=attempt.transient,
                )
            response = attempt.response
            location = response.headers.get("location")
            if response.status_code in REDIRECT_STATUSES and location:
                self.archive.write_exchange(
                    attempt.request, response, attempt.body, "superseded", attempt.address
                )
                chain.append(current)
                target = urljoin(current, location.strip())
                if target in chain:
                    return self._fail(
                        url, target, "redirect_loop", f"{current} redirects back to {target}", role
                    )
                if len(chain) > self.settings.max_redirects:
                    return self._fail(
                        url,
                        target,
                        "too_many_redirects",
                        f"more than {self.settings.max_redirects} redirects",
                        role,
                    )
                current = target
                continue
            offset = self.archive.write_exchange(
                attempt.request, response, attempt.body, role, attempt.address
            )
            return Fetched(
                url,
                str(response.url),
                self.archive.origin(offset),
                status=response.status_code,
                content_type=response.headers.get("content-type"),
                headers=response.headers,
                body=attempt.decoded,
                transient=response.status_code in RETRY_STATUSES,
            )

    def _fail(
        self, url: str, final_url: str, reason: str, detail: str, role: str, transient: bool = False
    ) -> Fetched:
        offset = self.archive.write_failure(url, reason, detail, role, None)
        return Fetched(
            url,
            final_url,
            self.archive.origin(offset),
            failure=reason,
            detail=detail,
            transient=transient,
        )

    async def _attempts(
        self, url: str, limit: int, keep: bool, headers: Mapping[str, str] | None
    ) -> _Attempt:
        """One URL (no redirects followed), retried on timeouts, resets, 429 and 5xx."""
        settings = self.settings
        host = (urlsplit(url).hostname or "").lower()
        gate = self.fetcher.gate(host, self.delay)
        number = 0
        while True:
            number += 1
            async with gate.slot():
                attempt = await self._attempt(url, limit, keep, headers)
            status = attempt.response.status_code if attempt.response is not None else None
            retryable = attempt.transient or status in RETRY_STATUSES
            if not retryable or number > settings.retries:
                return attempt
            wait = min(settings.backoff_max, settings.backoff_base * 2 ** (number - 1))
            wait *= 0.5 + random.random() / 2  # jitter, so hosts are not hit in lockstep
            if attempt.retry_after is not None:
                if attempt.retry_after > settings.max_retry_after:
                    return attempt
                wait = max(wait, attempt.retry_after)
            if attempt.response is not None:
                self.archive.write_exchange(
                    attempt.request, attempt.response, attempt.body, "superseded", attempt.address
                )
            else:
                self.archive.write_failure(
                    url, attempt.failure or "", attempt.detail, "superseded", attempt.request
                )
            self.stats.retries += 1
            await asyncio.sleep(wait * settings.wait_scale)

    async def _attempt(
        self, url: str, limit: int, keep: bool, headers: Mapping[str, str] | None
    ) -> _Attempt:
        request = self._client.build_request("GET", url, headers=headers)
        attempt = _Attempt(request)
        self.stats.requests += 1
        try:
            async with asyncio.timeout(self.settings.total_timeout):
                response = await self._client.send(request, stream=True)
                try:
                    attempt.address = _peer_address(response)
                    attempt.body, attempt.decoded = await self._read_body(response, limit, keep)
                finally:
                    await response.aclose()
            attempt.response = response
            attempt.retry_after = _retry_after(response.headers.get("retry-after"))
        except SSRFBlocked as exc:
            self.stats.requests -= 1  # refused before connecting: nothing was sent
            attempt.failure, attempt.detail = "ssrf_blocked", str(exc)
        except BodyTooLarge as exc:
            attempt.failure, attempt.detail = "too_large", f"{url}: {exc}"
        except (httpx.TimeoutException, TimeoutError) as exc:
            attempt.failure, attempt.transient = "timeout", True
            attempt.detail = f"{type(exc).__name__} after {self.settings.read_timeout:g} s read"
        except httpx.TransportError as exc:
            attempt.failure, attempt.transient = "connection_error", True
            attempt.detail = f"{type(exc).__name__}: {exc}"
        return attempt

    async def _read_body(
        self, response: httpx.Response, limit: int, keep: bool
    ) -> tuple[bytes, bytes]:
        """The raw body (as archived) and, if ``keep``, the decoded one; both size-checked."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge(f"Content-Length {declared} over {limit} bytes")
        counter = _BodyCounter(response.headers.get("content-encoding", ""), limit, keep)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_raw():
            size += len(chunk)
            self.stats.bytes += len(chunk)
            if size > limit:
                raise BodyTooLarge(f"body over {limit} bytes")
            counter.feed(chunk)
            chunks.append(chunk)
        return b"".join(chunks), b"".join(counter.parts)

    async def _robots_for(self, url: str) -> _Robots:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        task = self.fetcher._robots.get(origin)
        if task is None:
            # One fetch per origin, however many URLs wait for it.
            task = asyncio.ensure_future(self._read_robots(origin))
            self.fetcher._robots[origin] = task
        try:
            verdict = await asyncio.shield(task)
        except _Failed:
            # Not kept: another source may be allowed to reach this host.
            if self.fetcher._robots.get(origin) is task:
                del self.fetcher._robots[origin]
            raise
        self.fetcher.gate((parts.hostname or "").lower(), max(self.delay, verdict.crawl_delay()))
        return verdict

    async def _read_robots(self, origin: str) -> _Robots:
        fetched = await self._fetch(
            f"{origin}/robots.txt", role="discovery", keep=True, limit=512 * 1024, robots=False
        )
        if fetched.failure == "ssrf_blocked":
            raise _Failed("ssrf_blocked", fetched.detail)
        if fetched.failure is not None or fetched.status is None:
            return _Robots(unreachable=f"robots.txt unreachable ({fetched.failure})")
        if fetched.status >= 500 or fetched.status == 429:
            return _Robots(unreachable=f"robots.txt unreachable (HTTP {fetched.status})")
        if fetched.status >= 400:
            return _Robots()  # RFC 9309: no robots.txt, no restrictions
        if not 200 <= fetched.status < 300:
            return _Robots(unreachable=f"robots.txt answered HTTP {fetched.status}")
        return _Robots(Protego.parse(fetched.body.decode("utf-8", "replace")))


def _peer_address(response: httpx.Response) -> str | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    address = stream.get_extra_info("server_addr")
    return str(address[0]) if address else None


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
