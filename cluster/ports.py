"""Free loopback ports. A port found free can be taken before our server binds it; the
launcher then sees cluster.process.PortInUse and asks for another one."""
from __future__ import annotations

import socket
from typing import Set

LOOPBACK = "127.0.0.1"
_handed_out: Set[int] = set()  # never hand the same port to two of our own servers


def free_port() -> int:
    while True:
        with socket.socket() as sock:
            sock.bind((LOOPBACK, 0))
            port = sock.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port
