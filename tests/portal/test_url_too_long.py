"""A URL too long answers 414 through the real web server (daphne via portal/webserver.py), never a dropped
connection: past MAX_URL_BYTES (8 KB) the application answers, past twisted's 16 KB request line the server does."""

import socket
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]


def raw_get(base: str, path: str, headers: str = "") -> bytes:
    """The server's answer (status line and headers) to a GET sent whole; b"" if it closed without one."""
    address = urlsplit(base)
    request = f"GET {path} HTTP/1.1\r\nHost: {address.hostname}\r\n{headers}Connection: close\r\n\r\n".encode()
    with socket.create_connection((address.hostname, address.port), timeout=60) as s:
        s.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer


def search_path(length: int) -> str:
    return "/search/?q=" + "a" * (length - len("/search/?q="))


@pytest.mark.parametrize("length", [16_500, 64_000, 300_000])
def test_a_url_longer_than_the_servers_request_line_answers_414(daphne_server, length):
    answer = raw_get(daphne_server, search_path(length))
    assert answer.startswith(b"HTTP/1.1 414 "), answer[:200]


@pytest.mark.parametrize("length", [8_200, 12_000, 16_000])
def test_a_url_over_the_applications_limit_answers_414(daphne_server, length):
    answer = raw_get(daphne_server, search_path(length))
    assert answer.startswith(b"HTTP/1.1 414 "), answer[:200]


def test_a_url_just_under_16_kb_with_large_headers_still_answers_414_not_400(daphne_server):
    cookie = "Cookie: big=" + "c" * 6000 + "\r\n"
    answer = raw_get(daphne_server, search_path(15_000), headers=cookie)
    assert answer.startswith(b"HTTP/1.1 414 "), answer[:200]


def test_a_url_within_the_limit_is_served(daphne_server):
    assert raw_get(daphne_server, search_path(8_000)).startswith(b"HTTP/1.1 200 OK\r\n")


def test_a_header_line_longer_than_the_server_reads_answers_431(daphne_server):
    answer = raw_get(daphne_server, "/search/?q=a", headers="X-Long: " + "h" * 20_000 + "\r\n")
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
