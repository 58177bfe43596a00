import os

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler

from portal.env import secret_key_required


class OneThreadHopHandler(ASGIHandler):
    """Django's ASGI handler with the whole request (middleware, view, middleware) in one thread hop.

    Django's own runs an async core under the middleware: a sync view is reached through three hops between the
    event loop and the request's thread (more for middleware that runs async), about a tenth of a line save's CPU.
    No view here is async; one that were would still run (Django calls it with async_to_sync)."""

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup(set_prefix=False)
django_asgi_app = OneThreadHopHandler()
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
