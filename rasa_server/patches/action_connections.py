"""Kept connections from the Rasa server to the action server.

Rasa 3.6's EndpointConfig.request opens a new aiohttp ClientSession, and with it a new TCP
connection, for every custom action, and closes it afterwards: session set-up, connect and
teardown were most of the server's time in aiohttp (docs/performance.md), and the action
server accepted a new connection per call as well.

Here the action endpoint's requests share one ClientSession per event loop, whose connections
are kept alive. Idle connections are closed on our side after KEEPALIVE_SECONDS, before the
action server (Sanic: 5 s) closes them, so a request does not go out on a connection the
server has dropped for idleness. A request that still finds its connection gone (the action
server was restarted) is sent once more on a new connection: the project's actions only look
things up, so a repeat is harmless. Everything else (deadline, apology) is remote_actions.py's.
"""
from __future__ import annotations

import asyncio
import weakref
from typing import Any, Optional

import aiohttp
from rasa.utils.endpoints import EndpointConfig

KEEPALIVE_SECONDS = 2.0
DEFAULT_REQUEST_TIMEOUT = 60 * 5  # Rasa's; the deadline per call is remote_actions' own
_INSTALLED_MARK = "_forlop_kept_connections"
# a reused connection the server had closed: the request never reached an action
STALE_CONNECTION_ERRORS = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)


class _KeptSession:
    """What EndpointConfig.request expects from session(): `async with` gives a ClientSession.
    This one stays open afterwards."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *exc_info: Any) -> None:
        return None


class KeptSessions:
    """One ClientSession per event loop for one endpoint (a finished loop's session goes with it)."""

    def __init__(self, endpoint: EndpointConfig) -> None:
        self._endpoint = endpoint
        self._sessions: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.ClientSession]" = \
            weakref.WeakKeyDictionary()

    def session(self) -> _KeptSession:
        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is None or session.closed:
            endpoint = self._endpoint
            auth = (aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
                    if endpoint.basic_auth else None)
            session = aiohttp.ClientSession(
                headers=endpoint.headers, auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            )
            self._sessions[loop] = session
        return _KeptSession(session)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        session = self._sessions.pop(loop, None)
        if session is not None:
            await session.close()


def keep_connections(endpoint: Optional[EndpointConfig]) -> None:
    """Makes `endpoint` (the action endpoint) keep its connections; once per endpoint object."""
    if endpoint is None or getattr(endpoint, _INSTALLED_MARK, None) is not None:
        return
    sessions = KeptSessions(endpoint)
    original_request = endpoint.request

    async def request(*args: Any, **kwargs: Any) -> Any:
        try:
            return await original_request(*args, **kwargs)
        except STALE_CONNECTION_ERRORS:
            return await original_request(*args, **kwargs)  # once more, on a new connection

    # instance attributes: EndpointConfig.request calls self.session(); other endpoints unchanged
    endpoint.session = sessions.session
    endpoint.request = request
    setattr(endpoint, _INSTALLED_MARK, sessions)


def kept_sessions(endpoint: EndpointConfig) -> Optional[KeptSessions]:
    return getattr(endpoint, _INSTALLED_MARK, None)
