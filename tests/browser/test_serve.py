"""webchat/serve.py, the demo page's static server (no browser needed)."""
from __future__ import annotations

import http.client
import importlib.util
import threading

import pytest
import requests

from cluster.local_assistant import free_port
from tests.browser.conftest import WEBCHAT

CHAT_SERVER = "http://chat.example:5005"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("webchat_serve", WEBCHAT / "serve.py")
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    root = tmp_path_factory.mktemp("dist")
    (root / "index.html").write_text('<script src="forlop-chat.js" data-server-url="__CHAT_SERVER_URL__"></script>')
    (root / "forlop-chat.js").write_text("/* widget */")
    (root.parent / "secret.txt").write_text("not served")
    httpd = serve.make_server("127.0.0.1", free_port(), root, CHAT_SERVER)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def test_page_gets_the_chat_server_and_a_strict_csp(served):
    reply = requests.get(f"{served}/", timeout=5)
    assert reply.status_code == 200
    assert f'data-server-url="{CHAT_SERVER}"' in reply.text
    csp = reply.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert f"connect-src 'self' {CHAT_SERVER} ws://chat.example:5005" in csp
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_script_has_a_javascript_type(served):
    reply = requests.get(f"{served}/forlop-chat.js", timeout=5)
    assert reply.headers["Content-Type"].startswith("text/javascript")


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/nope.html"])
def test_nothing_outside_dist_is_served(served, path):
    # http.client sends the path as written (requests would normalise the dots away)
    host, port = served.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    conn.request("GET", path)
    reply = conn.getresponse()
    assert reply.status == 404
    assert b"not served" not in reply.read()
    conn.close()
