"""Runs the cluster on this machine for people: `python -m cluster` (Ctrl-C stops everything).

    python -m cluster [--rasa-servers 2] [--action-servers 2] [--port 8080] [--model PATH]
    python -m cluster staff-user NAME [--role admin] [--municipality ID ...]   (while it runs: a console account)
    python -m cluster deploy-model [--model PATH]       (while it runs: the Rasa servers one at a time)
    python -m cluster backup [--out DIR] [--tracker]    (pg_dump and its manifest, while it runs)
    python -m cluster restore DUMP [--tracker] [--serve-review PORT]   (default: a throw-away PostgreSQL)

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
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

import settings
from cluster import control
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
    workdir.mkdir(parents=True, exist_ok=True)
    control.reset(workdir)
    control.write_pid(workdir)
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
            print("cluster: Ctrl-C stops everything; python -m cluster deploy-model puts a new model live",
                  flush=True)
            watch(cluster, workdir)
    except KeyboardInterrupt:
        print("\ncluster: stopped", flush=True)
    except RuntimeError as error:
        print(f"cluster: {error}", file=sys.stderr)
        return 1
    finally:
        control.remove_pid(workdir)
    return 0


def watch(cluster, workdir: Path) -> None:
    """Reports a process that stops by itself (the others keep serving: that is the point), and
    carries out requests of `python -m cluster deploy-model` (cluster/control.py)."""
    reported = set()
    while True:
        serve_request(cluster, workdir)
        for name, service in cluster.services.items():
            if service.running:
                reported.discard(name)
            elif name not in reported:
                reported.add(name)
                print(f"cluster: {name} stopped (exit code {service.process.returncode}); "
                      f"log: {service.log}", file=sys.stderr, flush=True)
        time.sleep(WATCH_SECONDS)


def serve_request(cluster, workdir: Path) -> bool:
    """Carries out the waiting request, if there is one; True if there was."""
    request = control.take_request(workdir)
    if request is not None:
        carry_out(cluster, workdir, request)
    return request is not None


def carry_out(cluster, workdir: Path, request: dict) -> None:
    from cluster import rolling

    def say(line: str) -> None:
        print(f"cluster: {line}", flush=True)
        control.progress(workdir, request, line)

    if request.get("action") != "deploy-model":
        control.finish(workdir, request, ok=False, message=f"unknown request {request.get('action')!r}")
        return
    try:
        rollout = rolling.rolling_restart(cluster, Path(request["arguments"]["model"]), say=say)
    except Exception as error:  # noqa: BLE001 - reported to the command; the cluster keeps serving
        say(f"deploy-model FAILED: {error}")
        control.finish(workdir, request, ok=False, message=str(error))
        return
    figures = {"model": str(rollout.model), "model_id": rollout.model_id, "seconds": round(rollout.seconds, 1),
               "servers": [vars(server) for server in rollout.servers]}
    control.finish(workdir, request, ok=True, message=f"every Rasa server runs {rollout.model.name}", figures=figures)


def deploy_model(args: argparse.Namespace) -> int:
    """Asks the running cluster to restart its Rasa servers one at a time with another model."""
    from cluster.launcher import latest_model
    from cluster.node import NodeCheckError, check_model

    workdir = Path(args.dir).resolve()
    if control.launcher_pid(workdir) is None:
        print(f"cluster: no running cluster in {workdir}: start it first (python -m cluster)", file=sys.stderr)
        return 1
    model = (args.model or latest_model()).resolve()
    try:
        check_model(model)  # before anything is touched
    except NodeCheckError as error:
        print(f"cluster: {error}", file=sys.stderr)
        return 2
    try:
        request_id = control.submit(workdir, "deploy-model", {"model": str(model)})
        print(f"cluster: deploy-model {model.name}: asked the running cluster (Ctrl-C here does not stop it)",
              flush=True)
        result = control.follow(workdir, request_id, echo=lambda line: print(line, flush=True))
    except RuntimeError as error:
        print(f"cluster: {error}", file=sys.stderr)
        return 1
    print(f"cluster: {result['message']}", file=sys.stdout if result["ok"] else sys.stderr)
    return 0 if result["ok"] else 1


def cluster_postgres(args: argparse.Namespace):
    """The PostgreSQL of the cluster in args.dir (a PostgresServer), or None with a message."""
    from cluster.postgres import PostgresInstance

    pg_root = Path(args.dir) / "postgres"
    if not (pg_root / "password").exists():
        print(f"cluster: no cluster database in {pg_root}: start it first (python -m cluster)", file=sys.stderr)
        return None
    return PostgresInstance(pg_root.resolve(), port("CLUSTER_POSTGRES_PORT")).server


def tracker_postgres():
    """The PostgreSQL named by TRACKER_* (deploy/forlop.env.example), or None with a message."""
    from cluster.postgres import PostgresServer

    conf = settings.load()
    if conf.tracker_dialect != "postgresql":
        print("cluster: TRACKER_DIALECT is not postgresql: nothing to back up or restore with pg_dump",
              file=sys.stderr)
        return None
    return PostgresServer(conf.tracker_host or "localhost", conf.tracker_port or 5432, conf.tracker_user or "",
                          conf.tracker_password or "", conf.tracker_db)


def backup(args: argparse.Namespace) -> int:
    """pg_dump of the tracker store and review console tables, with a manifest of its snapshot."""
    from cluster import backup as dumps

    server = tracker_postgres() if args.tracker else cluster_postgres(args)
    if server is None:
        return 1
    out = Path(args.out) if args.out else Path(args.dir) / "backups"
    try:
        dump, manifest = dumps.backup(server, out)
    except Exception as error:  # noqa: BLE001 - psycopg2 or pg_dump: one line for the operator
        print(f"cluster: backup failed: {error}", file=sys.stderr)
        return 1
    print(f"cluster: {dump} ({dump.stat().st_size} bytes, pg_dump {manifest.seconds:.1f} s)")
    print(f"cluster: snapshot {manifest.created_at}: {manifest.describe()}; "
          f"{manifest.written_while_dumping} events written meanwhile are not in it")
    print(f"cluster: manifest {dumps.manifest_path(dump)}")
    return 0


def restore(args: argparse.Namespace) -> int:
    """pg_restore of a dump, then a comparison with its manifest (and the console on it, if asked)."""
    from cluster import backup as dumps
    from cluster.postgres import running_postgres

    dump = Path(args.dump)
    manifest_file = dumps.manifest_path(dump)
    if not dump.is_file() or not manifest_file.is_file():
        print(f"cluster: {dump} and its manifest {manifest_file.name} must both exist", file=sys.stderr)
        return 1
    manifest = dumps.Manifest.read(manifest_file)
    with contextlib.ExitStack() as stack:
        if args.tracker:
            server = tracker_postgres()
            if server is None:
                return 1
            db = server.db
        else:
            server, db = stack.enter_context(running_postgres()), manifest.database
            print(f"cluster: a throw-away PostgreSQL on 127.0.0.1:{server.port} (deleted when this ends)")
        try:
            seconds = dumps.restore(dump, server, db)
            problems = dumps.verify(server, db, manifest)
        except Exception as error:  # noqa: BLE001 - one line for the operator
            print(f"cluster: restore failed: {error}", file=sys.stderr)
            return 1
        print(f"cluster: restored {dump.name} into {db} in {seconds:.1f} s")
        if problems:
            for problem in problems:
                print(f"cluster: DIFFERS: {problem}", file=sys.stderr)
            return 1
        print(f"cluster: equal to the dump's snapshot ({manifest.created_at}): {manifest.describe()}")
        if args.serve_review:
            _stop_on_signals()
            log = Path(args.dir) / "logs" / "review-restored.log"
            try:
                with dumps.running_review(server, db, args.serve_review, log) as url:
                    print(f"cluster: review console on the restored database: {url}/ (the dump's accounts); "
                          "Ctrl-C stops it", flush=True)
                    while True:
                        time.sleep(WATCH_SECONDS)
            except KeyboardInterrupt:
                print("\ncluster: stopped", flush=True)
    return 0


def staff_user(args: argparse.Namespace) -> int:
    """Creates a console account in the running cluster's database (review create-user)."""
    server = cluster_postgres(args)
    if server is None:
        return 1
    env = {**os.environ, **server.env(), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "review", "create-user", args.name, "--role", args.role]
    command += [option for municipality in args.municipality for option in ("--municipality", municipality)]
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
    user.add_argument("--municipality", action="append", default=[],
                      help="a municipality a reviewer may read (repeat for several; admins read all)")
    deploy = sub.add_parser("deploy-model", help="restart the running cluster's Rasa servers one at a time "
                                                 "with another model (cluster/rolling.py)")
    deploy.add_argument("--model", type=Path, default=None, help="model archive (default: newest in models/)")
    dump = sub.add_parser("backup", help="pg_dump of the tracker store and review console, with a manifest")
    dump.add_argument("--out", default=None, help="directory (default: <dir>/backups)")
    dump.add_argument("--tracker", action="store_true", help="the PostgreSQL of TRACKER_* instead of the cluster's")
    load = sub.add_parser("restore", help="pg_restore a dump and compare it with its manifest")
    load.add_argument("dump", help="the .dump file (its .dump.json manifest beside it)")
    load.add_argument("--tracker", action="store_true",
                      help="into the (empty) database of TRACKER_*; default: a throw-away PostgreSQL")
    load.add_argument("--serve-review", type=int, default=None, metavar="PORT",
                      help="then serve the review console on the restored database until Ctrl-C")
    args = parser.parse_args(argv)
    commands = {"staff-user": staff_user, "deploy-model": deploy_model, "backup": backup, "restore": restore}
    if args.command in commands:
        return commands[args.command](args)
    if args.rasa_servers < 1 or args.action_servers < 1:
        parser.error("at least one Rasa server and one action server")
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
