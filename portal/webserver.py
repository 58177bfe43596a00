"""The web server: daphne (HTTP and websockets), with an answer where twisted, under it, drops the connection.

Twisted reads a request line by line, at most 16 KB a line: a longer URL closed the connection without a word. Here
it is answered 414 URI Too Long (a header line that long: 431), and the request line plus headers may take 32 KB
instead of 16, so that a URL under 16 KB always reaches the application, whose own limit (asgi.py, MAX_URL_BYTES)
answers 414 from a lower length. `scripts/run.py` and the tests start it as daphne would be started:

    python -m portal.webserver -b 127.0.0.1 -p 8000 portal.asgi:application
"""

from __future__ import annotations

import daphne.server  # noqa: F401 - first: it installs the asyncio reactor that twisted must use
from daphne.cli import CommandLineInterface
from twisted.web import http

HEADERS_MAX_BYTES = 32 * 1024


def _answer_and_close(channel: http.HTTPChannel, status: bytes, text: bytes) -> None:
    channel.transport.write(
        b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
        + str(len(text)).encode() + b"\r\nConnection: close\r\n\r\n" + text
    )
    # The rest of the request is read and dropped, so that closing does not reset the connection under the answer.
    channel.dataReceived = lambda data: None
    channel.transport.loseWriteConnection()
    channel.setTimeout(10)


def line_too_long(channel: http.HTTPChannel, line: bytes) -> None:
    """HTTPChannel.lineLengthExceeded: nothing of this request read yet means the request line is the long one."""
    if channel._receivedHeaderSize == 0:
        _answer_and_close(channel, b"414 URI Too Long", b"URI Too Long: the address is longer than this server reads.\n")
    else:
        _answer_and_close(channel, b"431 Request Header Fields Too Large",
                          b"Request Header Fields Too Large: a header line is longer than this server reads.\n")


def main() -> None:
    http.HTTPChannel.lineLengthExceeded = line_too_long
    http.HTTPChannel.totalHeadersSize = HEADERS_MAX_BYTES
    CommandLineInterface.entrypoint()


if __name__ == "__main__":
    main()
