"""Takes a Rasa server out of the deployed nginx site, or puts it back, for a rolling restart on
several machines (docs/operations.md): the `server HOST:PORT ...;` lines of that server in every
upstream get or lose `down`. The file is changed in place (a copy is kept as FILE.bak); nginx
reads it on `nginx -t && systemctl reload nginx`.

    python -m cluster.site down 10.0.0.21:5005 [--site /etc/nginx/sites-available/forlop.conf]
    python -m cluster.site up 10.0.0.21:5005
    python -m cluster.site status
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path
from typing import Dict, List, Optional

DEFAULT_SITE = Path("/etc/nginx/sites-available/forlop.conf")
# the Rasa upstreams of deploy/nginx/forlop.conf; the action servers' upstream is left alone
RASA_UPSTREAMS = ("forlop_rasa_rest", "forlop_rasa_socketio")
UPSTREAM = re.compile(r"^(\s*upstream\s+(\S+)\s*\{)(.*?)^(\s*\})", re.MULTILINE | re.DOTALL)


def _server_line(address: str) -> re.Pattern:
    return re.compile(rf"^(\s*server\s+{re.escape(address)}\b)([^;]*?)(\s+down)?(\s*;)", re.MULTILINE)


def mark(text: str, address: str, down: bool) -> str:
    """The site with `address` marked down (or not) in every Rasa upstream; KeyError if it is in none."""
    found = 0

    def change_upstream(match: re.Match) -> str:
        nonlocal found
        head, name, body, tail = match.groups()
        if name not in RASA_UPSTREAMS:
            return match.group(0)

        def change_server(server: re.Match) -> str:
            nonlocal found
            found += 1
            return f"{server.group(1)}{server.group(2)}{' down' if down else ''}{server.group(4)}"

        return head + _server_line(address).sub(change_server, body) + tail

    changed = UPSTREAM.sub(change_upstream, text)
    if not found:
        raise KeyError(f"{address} is in no Rasa upstream ({', '.join(RASA_UPSTREAMS)})")
    return changed


def status(text: str) -> Dict[str, List[str]]:
    """Rasa upstream -> its servers, with " (down)" after those taken out."""
    result: Dict[str, List[str]] = {}
    for match in UPSTREAM.finditer(text):
        if match.group(2) in RASA_UPSTREAMS:
            result[match.group(2)] = [f"{m.group(1)}{' (down)' if m.group(2) else ''}" for m in re.finditer(
                r"^\s*server\s+(\S+)[^;]*?(\sdown)?\s*;", match.group(3), re.MULTILINE)]
    return result


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cluster.site", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("down", "up", "status"))
    parser.add_argument("address", nargs="?", help="HOST:PORT of a Rasa server, as in the site's upstreams")
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE)
    args = parser.parse_args(argv)
    text = args.site.read_text(encoding="utf-8")
    if args.action == "status":
        for upstream, servers in status(text).items():
            print(f"{upstream}: {', '.join(servers)}")
        return 0
    if not args.address:
        parser.error("down and up need the HOST:PORT of a Rasa server")
    try:
        changed = mark(text, args.address, args.action == "down")
    except KeyError as error:
        print(f"site: {error.args[0]} in {args.site}", file=sys.stderr)
        return 1
    if changed != text:
        shutil.copy2(args.site, f"{args.site}.bak")
        args.site.write_text(changed, encoding="utf-8")
    print(f"site: {args.address} {'taken out of' if args.action == 'down' else 'back in'} {args.site}; "
          "now: nginx -t && systemctl reload nginx")
    return 0


if __name__ == "__main__":
    sys.exit(main())
