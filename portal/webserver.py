"""The web server: several daphne processes (HTTP and websockets) on one listening socket, each answering where
twisted, under it, drops the connection.

One daphne process runs Django on one core (the GIL), so under load the editors' saves queued behind each other.
Here a small supervisor binds the address, starts `--processes` daphnes (default: WEB_PROCESSES, else one per CPU)
that share the socket, so the kernel hands each new connection to one of them; websocket groups work across them
through the Redis channel layer. The socket accepts connections only once every process has loaded the application,
so a server that answers a connect is a server that serves at once. A process that dies is started again on the
same socket; SIGTERM or SIGINT stops them all. In each process Django's requests run in WEB_REQUEST_THREADS
long-lived threads (default 4; portal/asgi.py), which take their PostgreSQL connections from a pool
(DATABASE_POOL_SIZE, default here the threads + 2 for the websockets' queries; settings.py) instead of connecting for
every request.

Twisted reads a request line by line, at most 16 KB a line: a longer URL closed the connection without a word. Here
it is answered 414 URI Too Long (a header line that long: 431), and the request line plus headers may take 32 KB
instead of 16, so that a URL under 16 KB always reaches the application, whose own limit (asgi.py, MAX_URL_BYTES)
answers 414 from a lower length. `scripts/run.py` and the tests start it as daphne would be started:

    python -m portal.webserver --processes 2 -b 127.0.0.1 -p 8000 portal.asgi:application

(any other daphne option, such as --proxy-headers, goes to every process).
"""

from __future__ import annotations

import argparse
import importlib
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING

from portal.env import env_int

if TYPE_CHECKING:
    from twisted.web import http

HEADERS_MAX_BYTES = 32 * 1024
BACKLOG = 1024
DEFAULT_REQUEST_THREADS = 4


def request_threads() -> int:
    """WEB_REQUEST_THREADS: the threads a process serves Django's requests in (portal/asgi.py)."""
    return max(1, env_int("WEB_REQUEST_THREADS", DEFAULT_REQUEST_THREADS))


def default_processes() -> int:
    """WEB_PROCESSES, else one per CPU this server may run on."""
    return max(1, env_int("WEB_PROCESSES", len(os.sched_getaffinity(0))))


# --- one daphne process ------------------------------------------------------------------------------------------------


def _answer_and_close(channel: http.HTTPChannel, status: bytes, text: bytes) -> None:
    channel.transport.write(
        b"HTTP/1.1 "
        + status
        + b"\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
        + str(len(text)).encode()
        + b"\r\nConnection: close\r\n\r\n"
        + text
    )
    # The rest of the request is read and dropped, so that closing does not reset the connection under the answer.
    channel.dataReceived = lambda data: None
    channel.transport.loseWriteConnection()
    channel.setTimeout(10)


def line_too_long(channel: http.HTTPChannel, line: bytes) -> None:
    """HTTPChannel.lineLengthExceeded: nothing of this request read yet means the request line is the long one."""
    if channel._receivedHeaderSize == 0:
        _answer_and_close(
            channel, b"414 URI Too Long", b"URI Too Long: the address is longer than this server reads.\n"
        )
    else:
        _answer_and_close(
            channel,
            b"431 Request Header Fields Too Large",
            b"Request Header Fields Too Large: a header line is longer than this server reads.\n",
        )


def _adopt_with_family() -> None:
    """daphne's `fd:` endpoint takes the address family only as a number it cannot parse: accept INET / INET6."""
    from twisted.internet.endpoints import AdoptedStreamServerEndpoint
    from twisted.plugins import fd_endpoint

    def parse(reactor, fileno, domain="INET"):
        return AdoptedStreamServerEndpoint(reactor, int(fileno), getattr(socket, f"AF_{domain}"))

    fd_endpoint.parser._parseServer = parse


def _stop_when_orphaned(life_fd: int) -> None:
    """The supervisor holds the other end: end of file means it is gone, and this process stops too."""

    def watch() -> None:
        while os.read(life_fd, 1):
            pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()


def serve(
    listen_fd: int, family: str, ready_fd: int | None, go_fd: int | None, life_fd: int, daphne_args: list[str]
) -> None:
    """One daphne on the supervisor's socket: load the application, say so, wait for the go, serve."""
    import daphne.server  # noqa: F401 - first: it installs the asyncio reactor that twisted must use
    from daphne.cli import CommandLineInterface
    from twisted.web import http

    http.HTTPChannel.lineLengthExceeded = line_too_long
    http.HTTPChannel.totalHeadersSize = HEADERS_MAX_BYTES
    _adopt_with_family()
    os.environ.setdefault("DATABASE_POOL_SIZE", str(request_threads() + 2))
    importlib.import_module(daphne_args[-1].partition(":")[0])  # the application, as daphne will import it
    from django.urls import get_resolver

    _ = get_resolver().url_patterns  # every URLconf and view imported now, not in some visitor's request
    if ready_fd is not None:
        os.write(ready_fd, b"r")
        os.close(ready_fd)
    if go_fd is not None:
        if not os.read(go_fd, 1):  # the go: the socket listens (end of file: the supervisor gave up)
            sys.exit(1)
        os.close(go_fd)
    _stop_when_orphaned(life_fd)
    CommandLineInterface().run(["-e", f"fd:fileno={listen_fd}:domain={family}", *daphne_args])


# --- the supervisor ----------------------------------------------------------------------------------------------------


class Supervisor:
    """Binds the address, starts the processes, listens once all have loaded, restarts one that dies."""

    RESTARTS_PER_MINUTE = 5

    def __init__(self, host: str, port: int, processes: int, daphne_args: list[str]):
        self.host, self.port, self.count, self.daphne_args = host, port, processes, daphne_args
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        self.family = "INET6" if info[0] == socket.AF_INET6 else "INET"
        self.socket = socket.socket(info[0], socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(info[4])
        self.socket.set_inheritable(True)
        self.life_read, self.life_write = os.pipe()
        self.procs: list[subprocess.Popen] = []
        self.restarts: list[float] = []
        self.stopping = False

    def spawn(self, ready_fd: int | None = None, go_fd: int | None = None) -> subprocess.Popen:
        """A process of its own group: Ctrl-C reaches the supervisor, which stops them in order."""
        args = ["--listen-fd", str(self.socket.fileno()), "--family", self.family, "--life-fd", str(self.life_read)]
        fds = [self.socket.fileno(), self.life_read]
        for name, fd in (("--ready-fd", ready_fd), ("--go-fd", go_fd)):
            if fd is not None:
                args += [name, str(fd)]
                fds.append(fd)
        return subprocess.Popen(
            [sys.executable, "-m", "portal.webserver", *args, *self.daphne_args], pass_fds=fds, process_group=0
        )

    def start(self) -> None:
        ready_read, ready_write = os.pipe()
        go_read, go_write = os.pipe()
        self.procs = [self.spawn(ready_write, go_read) for _ in range(self.count)]
        os.close(ready_write)
        os.close(go_read)
        try:
            loaded = 0
            while loaded < self.count:
                if self.stopping:
                    return
                dead = [p for p in self.procs if p.poll() is not None]
                if dead:
                    raise RuntimeError(f"a web server process exited with code {dead[0].returncode} while starting")
                if select.select([ready_read], [], [], 0.5)[0]:
                    loaded += len(os.read(ready_read, self.count))
            self.socket.listen(BACKLOG)
            os.write(go_write, b"g" * self.count)
        finally:
            os.close(ready_read)
            os.close(go_write)
        print(
            f"web server: {self.count} processes on {self.host}:{self.port} "
            f"(pids {' '.join(str(p.pid) for p in self.procs)})",
            file=sys.stderr,
            flush=True,
        )

    def watch(self) -> int:
        while not self.stopping:
            time.sleep(0.5)
            for i, proc in enumerate(self.procs):
                if proc.poll() is None or self.stopping:
                    continue
                now = time.monotonic()
                self.restarts = [t for t in self.restarts if now - t < 60] + [now]
                if len(self.restarts) > self.RESTARTS_PER_MINUTE:
                    print("web server: processes keep dying; stopping", file=sys.stderr, flush=True)
                    return 1
                print(
                    f"web server: process {proc.pid} exited with code {proc.returncode}; starting another",
                    file=sys.stderr,
                    flush=True,
                )
                self.procs[i] = self.spawn()  # the socket listens already: it serves as soon as it has loaded
        return 0

    def stop(self, *_args) -> None:
        self.stopping = True

    def shut_down(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        os.close(self.life_write)
        self.socket.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--processes", type=int, default=None)
    parser.add_argument("-b", "--bind", dest="host")
    parser.add_argument("-p", "--port", type=int)
    parser.add_argument("--listen-fd", type=int)  # the rest: how the supervisor starts each process
    parser.add_argument("--family", default="INET")
    parser.add_argument("--ready-fd", type=int)
    parser.add_argument("--go-fd", type=int)
    parser.add_argument("--life-fd", type=int)
    args, daphne_args = parser.parse_known_args(argv)
    if args.listen_fd is not None:
        serve(args.listen_fd, args.family, args.ready_fd, args.go_fd, args.life_fd, daphne_args)
        return 0
    if not args.host or args.port is None or not daphne_args:
        print(
            "usage: python -m portal.webserver [--processes N] -b HOST -p PORT [daphne options] APPLICATION",
            file=sys.stderr,
        )
        return 2
    processes = args.processes if args.processes is not None else default_processes()
    if processes < 1:
        print(f"--processes must be at least 1, got {processes}", file=sys.stderr)
        return 2
    supervisor = Supervisor(args.host, args.port, processes, daphne_args)
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)
    try:
        supervisor.start()
        return supervisor.watch()
    except RuntimeError as exc:
        print(f"web server: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        supervisor.shut_down()


if __name__ == "__main__":
    sys.exit(main())
