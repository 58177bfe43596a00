"""Fetching from other archives' IIIF servers without letting a manifest point the portal at its own network.

Only http and https. Every address a host name resolves to must be public unless IIIF_ALLOW_PRIVATE_HOSTS is on
(loopback, private ranges, link-local — cloud metadata at 169.254.169.254 —, multicast, reserved and unspecified
addresses are refused); the connection then goes to the address that was checked (no second lookup that could answer
otherwise), and each redirect is checked the same way. Bodies are read up to a byte limit, never further.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
USER_AGENT = "Skoropis IIIF import"


class FetchError(ValueError):
    """A fetch that failed; the message names the address and says why, in words a user can act on. `transient`:
    trying again later may work (no answer, a dropped connection, the server busy or failing)."""

    def __init__(self, message: str, *, transient: bool = False):
        super().__init__(message)
        self.transient = transient


@dataclass
class Fetched:
    url: str  # after redirects
    content_type: str
    data: bytes


def _checked_address(host: str, port: int) -> str:
    """The first address of `host`, once every address it resolves to is allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"the server {host} cannot be found ({exc})") from exc
    addresses = [info[4][0] for info in infos]
    if not settings.IIIF_ALLOW_PRIVATE_HOSTS:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if not ip.is_global or ip.is_multicast:
                raise FetchError(
                    f"{host} is at {address}, a private, local or reserved address: the portal fetches only from "
                    f"public servers"
                )
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def address_check(url: str) -> tuple[str, int, str]:
    """(host, port, the address to connect to) of an address the portal may fetch from; raises FetchError. A name
    lookup, no connection: the web request checks a manifest's address with it and leaves the fetch to a worker."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http and https addresses can be fetched")
    if not parts.hostname:
        raise FetchError(f"{url}: not a web address")
    if parts.username or parts.password:
        raise FetchError(f"{url}: addresses with a user name or password are not fetched")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError(f"{url}: bad port ({exc})") from exc
    return parts.hostname, port, _checked_address(parts.hostname, port)


def fetch_retrying(url: str, *, max_bytes: int, accept: str = "*/*") -> Fetched:
    """`fetch`, tried again IIIF_FETCH_RETRIES times after a transient failure (no answer, a dropped connection,
    HTTP 429 or 5xx), waiting IIIF_FETCH_BACKOFF_MS, twice as long each time; the last error says how many
    tries were made."""
    retries, wait = settings.IIIF_FETCH_RETRIES, settings.IIIF_FETCH_BACKOFF_MS / 1000
    for attempt in range(retries + 1):
        try:
            return fetch(url, max_bytes=max_bytes, accept=accept)
        except FetchError as exc:
            if not exc.transient or attempt == retries:
                if exc.transient and retries:
                    raise FetchError(f"{exc} (tried {retries + 1} times)", transient=True) from exc
                raise
            log.info("%s; trying again in %.1f s", exc, wait)
            time.sleep(wait)
            wait *= 2
    raise AssertionError("unreachable")


def fetch(url: str, *, max_bytes: int, accept: str = "*/*", timeout: float | None = None) -> Fetched:
    """GET `url` (following up to MAX_REDIRECTS checked redirects); raises FetchError."""
    timeout = timeout if timeout is not None else settings.IIIF_FETCH_TIMEOUT
    for _ in range(MAX_REDIRECTS + 1):
        host, port, address = address_check(url)
        parts = urlsplit(url)
        kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        connection = kind(host, port, address, timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("GET", path, headers={"Accept": accept, "User-Agent": USER_AGENT})
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                continue
            if response.status != 200:
                raise FetchError(
                    f"{url}: the server answered HTTP {response.status} {response.reason}",
                    transient=response.status == 429 or response.status >= 500,
                )
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"{url}: {_size(int(length))}, more than the limit of {_size(max_bytes)}")
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise FetchError(f"{url}: more than the limit of {_size(max_bytes)}")
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            return Fetched(url=url, content_type=content_type, data=data)
        except TimeoutError as exc:
            raise FetchError(f"{url}: the server did not answer within {timeout:g} s", transient=True) from exc
        except ssl.SSLError as exc:
            raise FetchError(f"{url}: secure connection failed ({exc.reason or exc})") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(
                f"{url}: the server cannot be reached ({exc.__class__.__name__}: {exc})", transient=True
            ) from exc
        finally:
            connection.close()
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 100 * 1024 else f"{n / 1024:.1f} KB"
