"""Runs the cluster on this machine for people: `python -m cluster` (Ctrl-C stops everything).

    python -m cluster [--rasa-servers 2] [--action-servers 2] [--port 8080] [--model PATH]
    python -m cluster staff-user NAME [--role admin]    (while the cluster runs: a console account)

Fixed ports, each changeable by an environment variable (or --port for the public one):

    CLUSTER_PORT=8080           nginx: web page, REST, socket.io (the only public entry)
    CLUSTER_RASA_PORT=5005      first Rasa server; the next ones count up (5006, ...)
    CLUSTER_ACTION_PORT=5055    first action server; the next ones count up
    CLUSTER_ACTION_LB_PORT=5050 nginx's internal listener in front of the action servers
    CLUSTER_POSTGRES_PORT=5433  PostgreSQL (not 5432: leaves a system PostgreSQL alone)
    CLUSTER_REDIS_PORT=6380     Redis (not 6379, for the same reason)
    CLUSTER_WEB_PORT=8090       the demo page server (reached through nginx)
    CLUSTER_REVIEW_PORT=8081    the staff review console (not behind the public nginx)

Data (PostgreSQL, kept between runs) and logs live in var/cluster/ (CLUSTER_DIR).
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

import settings
from settings import PROJECT_ROOT as ROOT

WATCH_SECONDS = 2


port = settings.cluster_port


def fixed_ports(rasa_servers: int, action_servers: int, public_port: Optional[int]):
    from cluster.launcher import Ports

    return Ports(
        nginx=public_port or port("CLUSTER_PORT"), action_lb=port("CLUSTER_ACTION_LB_PORT"),
        rasa=[port("CLUSTER_RASA_PORT") + i for i in range(rasa_servers)],
        actions=[port("CLUSTER_ACTION_PORT") + i for i in range(action_servers)],
        postgres=port("CLUSTER_POSTGRES_PORT"), redis=port("CLUSTER_REDIS_PORT"),
        web=port("CLUSTER_WEB_PORT"), review=port("CLUSTER_REVIEW_PORT"),
    )


def _stop_on_signals() -> None:
    """Ctrl-C, `kill` and a closed terminal all stop the cluster cleanly. SIGINT is set even if
    it was ignored when we started (a shell's background job): Ctrl-C must always work."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)


def serve(args: argparse.Namespace) -> int:
    from cluster.launcher import running_cluster

    workdir = Path(args.dir)
    ports = fixed_ports(args.rasa_servers, args.action_servers, args.port)
    _stop_on_signals()
    print(f"cluster: starting {args.rasa_servers} Rasa servers and {args.action_servers} action servers "
          f"(data and logs in {workdir}; a Rasa server takes a minute or two to load) ...", flush=True)
    started = time.monotonic()
    try:
        with running_cluster(workdir, args.rasa_servers, args.action_servers, model=args.model,
                             ports=ports, durable=True, with_retention=True) as cluster:
            print(f"cluster: ready in {time.monotonic() - started:.0f} s", flush=True)
            print(f"  web page with the chat   {cluster.base_url}/")
            print(f"  REST                     curl -X POST {cluster.rest_url} "
                  "-H 'Content-Type: application/json' -d '{\"sender\": \"meg\", \"message\": \"hei\"}'")
            print(f"  socket.io                {cluster.base_url}/socket.io/")
            print(f"  review console (staff)   {cluster.review_url}/   "
                  "(account: python -m cluster staff-user NAME --role admin)")
            print(f"  Rasa servers             {', '.join(f'127.0.0.1:{p}' for p in cluster.rasa_ports)}")
            print(f"  action servers           {', '.join(f'127.0.0.1:{p}' for p in cluster.action_ports)} "
                  f"(through nginx on 127.0.0.1:{cluster.action_lb_port})")
            print(f"  PostgreSQL, Redis        127.0.0.1:{cluster.postgres.port}, 127.0.0.1:{cluster.redis_port}")
            print(f"  logs                     {workdir / 'logs'}/")
            print("cluster: Ctrl-C stops everything", flush=True)
            watch(cluster)
    except KeyboardInterrupt:
        print("\ncluster: stopped", flush=True)
    except RuntimeError as error:
        print(f"cluster: {error}", file=sys.stderr)
        return 1
    return 0


def watch(cluster) -> None:
    """Reports a process that stops by itself; the others keep serving (that is the point)."""
    reported = set()
    while True:
        for name, service in cluster.services.items():
            if not service.running and name not in reported:
                reported.add(name)
                print(f"cluster: {name} stopped (exit code {service.process.returncode}); "
                      f"log: {service.log}", file=sys.stderr, flush=True)
        time.sleep(WATCH_SECONDS)


def staff_user(args: argparse.Namespace) -> int:
    """Creates a console account in the running cluster's database (review create-user)."""
    from cluster.postgres import PostgresInstance

    pg_root = Path(args.dir) / "postgres"
    if not (pg_root / "password").exists():
        print(f"cluster: no cluster database in {pg_root}: start it first (python -m cluster)", file=sys.stderr)
        return 1
    instance = PostgresInstance(pg_root.resolve(), port("CLUSTER_POSTGRES_PORT"))
    env = {**os.environ, **instance.server.env(), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "review", "create-user", args.name, "--role", args.role]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def main(argv: Optional[List[str]] = None) -> int:
    conf = settings.cluster()
    parser = argparse.ArgumentParser(prog="python -m cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=conf.directory,
                        help="data and logs (default var/cluster)")
    sub = parser.add_subparsers(dest="command")
    parser.add_argument("--rasa-servers", type=int, default=conf.rasa_servers)
    parser.add_argument("--action-servers", type=int, default=conf.action_servers)
    parser.add_argument("--port", type=int, default=None, help="public nginx port (CLUSTER_PORT, 8080)")
    parser.add_argument("--model", type=Path, default=None, help="model archive (default: newest in models/)")
    user = sub.add_parser("staff-user", help="create a review console account in the cluster's database")
    user.add_argument("name")
    user.add_argument("--role", choices=("reviewer", "admin"), default="reviewer")
    args = parser.parse_args(argv)
    if args.command == "staff-user":
        return staff_user(args)
    if args.rasa_servers < 1 or args.action_servers < 1:
        parser.error("at least one Rasa server and one action server")
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
