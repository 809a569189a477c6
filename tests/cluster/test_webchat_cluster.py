"""The resident web chat in Chromium against the cluster: the page, the widget's socket.io
traffic and the REST-free path all go through nginx, in front of two Rasa servers.

Browser tests run in a pytest process of their own (scripts/test.sh), so this module starts
its own cluster. The last test stops the Rasa server the widget is on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from cluster.launcher import Cluster
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, ChatPage
from tests.cluster.conftest import AccessLog

pytestmark = pytest.mark.browser
STICKY = re.compile(r"[?&]sticky=([0-9a-f]+)")


@dataclass
class _Site:
    page_url: str


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (CI installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def chat(browser, cluster: Cluster):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nb-NO")
    chat_page = ChatPage(context.new_page(), _Site(f"{cluster.base_url}/"))
    yield chat_page
    context.close()
    assert not chat_page.errors, chat_page.errors


def _tab_traffic(log: AccessLog):
    """(sticky value, upstream ports) of the widget's socket.io requests since `log` was made."""
    lines = log.lines("/socket.io/")
    stickies = {m.group(1) for line in lines for m in [STICKY.search(line)] if m}
    assert len(stickies) == 1, f"one tab, one sticky value: {stickies}"
    return stickies.pop(), log.upstream_ports("/socket.io/")


def test_the_widget_talks_through_nginx_and_stays_on_one_server(chat: ChatPage, cluster: Cluster):
    log = AccessLog(cluster.nginx_access_log)
    chat.goto().open()
    chat.wait_connected()
    answer = chat.ask("hva er et pakkeforløp?")
    assert answer and "pakkeforløp" in " ".join(answer).lower()
    sticky, ports = _tab_traffic(log)
    assert len(sticky) == 24
    assert ports and len(set(ports)) == 1 and ports[0] in cluster.rasa_ports


def test_when_the_tabs_server_stops_the_widget_continues_on_the_other(chat: ChatPage, cluster: Cluster):
    log = AccessLog(cluster.nginx_access_log)
    chat.goto().open()
    session_id = chat.wait_connected()
    assert "Barne- og familietjenesten" in " ".join(chat.ask("sønnen min på 14 sliter, hvem kan vi kontakte?"))
    _, ports = _tab_traffic(log)
    server = f"rasa-{cluster.rasa_ports.index(ports[-1]) + 1}"

    from_stop = AccessLog(cluster.nginx_access_log)
    cluster.stop(server)
    chat.wait_connected()  # socket.io reconnects; nginx sends the tab to the running server
    answer = chat.ask("når kan jeg ringe?")
    # same conversation (PostgreSQL): the route chosen before the stop still holds
    assert "Barne- og familietjenesten" in " ".join(answer)
    assert chat.session_id() == session_id
    # the reconnection's requests (long polling before the upgrade) went to the other server
    moved_to = set(from_stop.upstream_ports("/socket.io/")) - {ports[-1]}
    assert moved_to and moved_to <= set(cluster.rasa_ports)
