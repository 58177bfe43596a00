import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.urls import set_script_prefix

from portal.env import secret_key_required
from portal.webserver import request_threads


class RequestThreadsHandler(ASGIHandler):
    """Django's ASGI handler with each request served whole (request_started, middleware, view, and for a response
    already in memory its close and request_finished) in one hop to one of `threads` long-lived threads.

    Django's own runs an async core under the middleware (three hops between the event loop and a thread for a sync
    view) and gives every request a thread of its own (ThreadSensitiveContext), so a new thread, a new database
    connection wrapper and a new Redis connection pool a request: together about a quarter of a line save's CPU
    (11.3 ms against 8.4 ms). Here a few threads take the requests in turn and keep theirs (the database connections
    still go back to the pool after each request); several let a process work on one request while another waits on
    the database. No view here is async; one that were would still run (Django calls it with async_to_sync)."""

    def __init__(self, threads: int):
        super().__init__()
        self.executor = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="request")

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(self.executor, self._respond, scope, body_file)
        try:
            await self.send_response(response, send)
        finally:
            if response.streaming:  # a file is read while it is sent: closed (and the request finished) after
                await loop.run_in_executor(self.executor, self._close, response, body_file)

    def _respond(self, scope, body_file):
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            self._close(response, body_file)
        return response

    @staticmethod
    def _close(response, body_file) -> None:
        try:
            response.close()  # sends request_finished: this thread's database connection goes back to the pool
        finally:
            body_file.close()

    async def get_response_async(self, request):
        """Not used by __call__; kept for whoever calls Django's async entry (one hop, as __call__ makes)."""
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup(set_prefix=False)
django_asgi_app = RequestThreadsHandler(request_threads())
secret_key_required()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from portal.routing import websocket_urlpatterns  # noqa: E402


class URLLengthLimit:
    """414 URI Too Long for an HTTP request whose path and query string pass MAX_URL_BYTES, whatever the server
    (daphne's own limit, through portal/webserver.py, is the 16 KB request line)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            length = len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string", b""))
            if length > self.limit:
                body = f"URI Too Long: {length} bytes of path and query; the limit is {self.limit}.\n".encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 414,
                        "headers": [
                            (b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


application = URLLengthLimit(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
        }
    ),
    limit=settings.MAX_URL_BYTES,
)
