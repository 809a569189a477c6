"""Serves the built web chat and the demo municipal page (webchat/dist) on http://localhost:8080/.

    python -m webchat.serve [--port 8080] [--host 127.0.0.1] [--chat-server http://localhost:5005]

Standard library only. The demo page's `data-server-url` placeholder is filled with
--chat-server (env CHAT_SERVER_URL), and the Content-Security-Policy lets the page talk to that
server only. Files are served from dist/ alone: no directory listings, no paths outside it.
Remember ALLOWED_ORIGINS on the Rasa side must list this page's origin (default covers
http://localhost:8080 and http://127.0.0.1:8080).
"""
from __future__ import annotations

import argparse
import mimetypes
import sys
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import settings

HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = HERE / "dist"
SERVER_PLACEHOLDER = b"__CHAT_SERVER_URL__"
TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".map": "application/json", ".css": "text/css"}


def content_security_policy(chat_server: str) -> str:
    parts = urlsplit(chat_server)
    http_origin = f"{parts.scheme}://{parts.netloc}"
    ws_origin = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' {http_origin} {ws_origin}",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class Handler(BaseHTTPRequestHandler):
    server_version = "forlop-webchat"
    sys_version = ""

    def __init__(self, *args, root: Path, chat_server: str, **kwargs):
        self.root = root
        self.chat_server = chat_server
        super().__init__(*args, **kwargs)

    def _resolve(self) -> Path | None:
        path = unquote(urlsplit(self.path).path)
        target = (self.root / path.lstrip("/")).resolve()
        try:
            target.relative_to(self.root)
        except ValueError:
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    def _respond(self, send_body: bool) -> None:
        target = self._resolve()
        if target is None:
            self.send_error(HTTPStatus.NOT_FOUND, "Finnes ikke")
            return
        body = target.read_bytes()
        ctype = TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".html":
            body = body.replace(SERVER_PLACEHOLDER, self.chat_server.encode())
            ctype = "text/html"
        if ctype.startswith("text/") or ctype == "application/json":
            ctype += "; charset=utf-8"
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if target.suffix == ".html":
            self.send_header("Content-Security-Policy", content_security_policy(self.chat_server))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(send_body=False)

    def log_message(self, format: str, *args) -> None:
        if not settings.webchat().quiet:
            super().log_message(format, *args)


def make_server(host: str, port: int, root: Path, chat_server: str) -> ThreadingHTTPServer:
    handler = partial(Handler, root=root.resolve(), chat_server=chat_server.rstrip("/"))
    return ThreadingHTTPServer((host, port), handler)


def main(argv=None) -> int:
    conf = settings.webchat()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=conf.host)
    parser.add_argument("--port", type=int, default=conf.port)
    parser.add_argument("--chat-server", default=conf.chat_server,
                        help="URL of the Rasa server the widget connects to")
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="folder to serve (the build output)")
    args = parser.parse_args(argv)
    if not (args.root / "forlop-chat.js").is_file():
        print(f"serve.py: {args.root}/forlop-chat.js is missing: run webchat/build.sh first", file=sys.stderr)
        return 1
    server = make_server(args.host, args.port, args.root, args.chat_server)
    print(f"Web chat demo on http://{args.host}:{server.server_port}/ (chat server {args.chat_server})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
