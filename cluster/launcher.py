"""Starts the assistant as a cluster on one machine: PostgreSQL (tracker store), Redis (lock
store), action servers, Rasa servers, nginx in front, the demo page and the review console.

    with running_cluster(workdir) as cluster:          # free loopback ports, data under workdir
        cluster.say("meg", "hei")                      # REST through nginx
        cluster.stop("rasa-1"); cluster.start("rasa-1")

Every process listens on 127.0.0.1 and runs in its own process group; all of them are stopped
when the block ends, also after an error. A process that does not come up raises RuntimeError
with the tail of its own log. Start order: PostgreSQL and Redis, nginx (it needs nothing
behind it to start), then action servers, Rasa servers, page and console side by side.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

import requests
import yaml

from cluster.nginx import NginxInstance, NginxSettings, RateLimits
from cluster.ports import free_port
from cluster.postgres import PostgresInstance, PostgresServer, reachable_root
from cluster.process import PortInUse, Service
from cluster.redis import RedisInstance
from settings import PROJECT_ROOT as ROOT

VENV_BIN = Path(sys.executable).parent
RASA_START_TIMEOUT_SECONDS = 240  # TensorFlow and the model on a busy 2-core machine
PYTHON_START_TIMEOUT_SECONDS = 120  # action server, page, console
HEALTH_TIMEOUT_SECONDS = 3
PORT_ATTEMPTS = 3  # a port found free can be taken before our server binds it
REDIS_KEY_PREFIX = "forlop"  # alphanumeric (Rasa's rule); keeps our keys apart on a shared Redis
LOCK_STORE_CLASS = "rasa_server.stores.lock_store.AtomicRedisLockStore"  # why not plain `redis`: see that module
RETENTION_INTERVAL_SECONDS = 3600
SANIC_BACKLOG = 1024
REDIS_TIMEOUT_SECONDS = 2  # Rasa's 10 s would keep a resident waiting on a hung Redis


@dataclass
class Ports:
    nginx: int
    action_lb: int  # nginx's internal listener in front of the action servers
    rasa: List[int]
    actions: List[int]
    postgres: int
    redis: int
    web: Optional[int] = None
    review: Optional[int] = None

    @classmethod
    def free(cls, rasa_servers: int, action_servers: int, with_web: bool, with_review: bool) -> "Ports":
        return cls(
            nginx=free_port(), action_lb=free_port(),
            rasa=[free_port() for _ in range(rasa_servers)],
            actions=[free_port() for _ in range(action_servers)],
            postgres=free_port(), redis=free_port(),
            web=free_port() if with_web else None, review=free_port() if with_review else None,
        )


def latest_model() -> Path:
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError("no trained model in models/: run scripts/train.sh (make train)")
    return models[-1]


def _http_ok(url: str) -> bool:
    return requests.get(url, timeout=HEALTH_TIMEOUT_SECONDS, allow_redirects=False).status_code < 500


@dataclass
class Cluster:
    workdir: Path
    nginx_port: int  # public entry: web page "/", REST "/webhooks/rest/webhook", socket.io "/socket.io/"
    rasa_ports: List[int]
    action_ports: List[int]
    postgres: PostgresServer
    redis_port: int
    review_port: Optional[int]
    web_port: Optional[int] = None
    action_lb_port: Optional[int] = None
    env: Dict[str, str] = field(default_factory=dict, repr=False)  # what the Python servers get
    services: Dict[str, Service] = field(default_factory=dict, repr=False)
    # the model each Rasa server loads at its next start (rasa-1 is [0]); set_model changes it
    rasa_models: List[Path] = field(default_factory=list, repr=False)
    nginx: Optional[NginxInstance] = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    @property
    def rest_url(self) -> str:
        return f"{self.base_url}/webhooks/rest/webhook"

    @property
    def review_url(self) -> Optional[str]:
        return f"http://127.0.0.1:{self.review_port}" if self.review_port else None

    @property
    def nginx_access_log(self) -> Path:
        """One line per request with the upstream that answered it (upstream=127.0.0.1:PORT)."""
        return self.workdir / "logs" / "nginx-access.log"

    def say(self, sender: str, text: str, timeout: float = 30) -> list:
        reply = requests.post(self.rest_url, json={"sender": sender, "message": text}, timeout=timeout)
        reply.raise_for_status()
        return reply.json()

    def names(self) -> List[str]:
        return list(self.services)

    def _service(self, name: str) -> Service:
        try:
            return self.services[name]
        except KeyError:
            raise KeyError(f"no process {name!r} in this cluster; there are {self.names()}") from None

    def stop(self, name: str, hard: bool = False) -> None:
        """SIGTERM (PostgreSQL: SIGINT, its fast shutdown), or SIGKILL when hard; waits for it."""
        self._service(name).stop(hard=hard)

    def start(self, name: str) -> None:
        """Starts a stopped process again with the same ports and data; waits until healthy."""
        self._service(name).start()

    def pid(self, name: str) -> int:
        return self._service(name).pid

    def log(self, name: str) -> Path:
        return self._service(name).log

    # -- Rasa servers in and out of nginx (rolling restarts: cluster/rolling.py) -------------

    def rasa_names(self) -> List[str]:
        return [f"rasa-{index + 1}" for index in range(len(self.rasa_ports))]

    def rasa_port(self, name: str) -> int:
        return self.rasa_ports[self._rasa_index(name)]

    def _rasa_index(self, name: str) -> int:
        if name not in self.rasa_names():
            raise KeyError(f"no Rasa server {name!r} in this cluster; there are {self.rasa_names()}")
        return int(name.split("-")[1]) - 1

    def model(self, name: str) -> Path:
        return self.rasa_models[self._rasa_index(name)]

    def set_model(self, name: str, model: Path) -> None:
        """The model this Rasa server loads at its next start (stop and start it to load it)."""
        self.rasa_models[self._rasa_index(name)] = Path(model).resolve()

    def take_out(self, name: str) -> None:
        """Marks the Rasa server `down` in nginx's upstreams; returns once nginx sends it no new request."""
        self._set_down(self.rasa_port(name), True)

    def put_back(self, name: str) -> None:
        """Lets nginx send requests to the Rasa server again."""
        self._set_down(self.rasa_port(name), False)

    def taken_out(self) -> List[str]:
        return [name for name in self.rasa_names() if self.rasa_port(name) in self.nginx.settings.down_ports]

    def _set_down(self, port: int, down: bool) -> None:
        if self.nginx is None:
            raise RuntimeError("this cluster has no nginx to take servers out of")
        ports = self.nginx.settings.down_ports
        if down and port not in ports:
            ports.append(port)
        elif not down and port in ports:
            ports.remove(port)
        else:
            return
        self.nginx.reload_and_wait(self._service("nginx"))


class _Builder:
    """Creates the services of one cluster and starts them in order, re-picking taken ports."""

    def __init__(self, workdir: Path, ports: Ports, model: Path, fixed_ports: bool, durable: bool,
                 limits: RateLimits, with_retention: bool, extra_origins: List[str],
                 lock_store: str = LOCK_STORE_CLASS) -> None:
        self.workdir = workdir
        self.ports = ports
        self.model = model
        self.rasa_models = [model.resolve() for _ in ports.rasa]  # shared with Cluster.set_model
        self.fixed_ports = fixed_ports
        self.logs = workdir / "logs"
        self.services: Dict[str, Service] = {}
        self.repick: Dict[str, Callable[[], None]] = {}
        self.started: List[Service] = []
        self.temporary_pg_root: Optional[Path] = None

        # PostgreSQL runs as its own account, which may not reach workdir (pytest's tmp_path
        # is private to root): then its data lives in a temporary directory linked from here
        pg_link = workdir / "postgres"
        if pg_link.is_symlink() and not pg_link.exists():
            pg_link.unlink()  # the temporary directory of an earlier run is gone
        pg_root = pg_link
        if not pg_link.exists():
            reachable = reachable_root(workdir)
            if reachable != workdir:
                self.temporary_pg_root = pg_root = reachable
                pg_link.symlink_to(pg_root, target_is_directory=True)
        self.pg = PostgresInstance(pg_root.resolve(), ports.postgres, durable=durable)
        self.redis = RedisInstance(workdir / "redis", ports.redis)
        self.nginx = NginxInstance(workdir / "nginx", NginxSettings(
            public_port=ports.nginx, action_lb_port=ports.action_lb, rasa_ports=ports.rasa,
            action_ports=ports.actions, web_port=ports.web, limits=limits,
            access_log=str(self.logs / "nginx-access.log"),
        ))
        self.with_retention = with_retention
        self.extra_origins = extra_origins
        self.lock_store = lock_store

    # -- environment and files ----------------------------------------------------------

    def env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(self.pg.server.env())
        origins = [f"http://127.0.0.1:{self.ports.nginx}", f"http://localhost:{self.ports.nginx}",
                   *self.extra_origins]
        env.update({
            "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "ALLOWED_ORIGINS": ",".join(origins), "PYTHONUNBUFFERED": "1",
            # listen queue of Rasa's Sanic server (Rasa's default 100): a burst of residents
            # must wait in it, not be refused
            "SANIC_BACKLOG": str(SANIC_BACKLOG),
        })
        return env

    def endpoints_file(self) -> Path:
        # endpoints.yml is the one source: this cluster changes only the addresses and the lock store
        endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
        endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{self.ports.action_lb}/webhook"
        endpoints["lock_store"] = {"type": self.lock_store, "url": "127.0.0.1", "port": self.ports.redis,
                                   "db": 0, "key_prefix": REDIS_KEY_PREFIX,
                                   "socket_timeout": REDIS_TIMEOUT_SECONDS}
        if self.lock_store == "in_memory":
            endpoints["lock_store"] = {"type": "in_memory"}
        path = self.workdir / "endpoints.yml"
        path.write_text("# Generated by cluster/launcher.py for this cluster\n" + yaml.safe_dump(endpoints, sort_keys=False))
        return path

    def review_secret(self) -> str:
        path = self.workdir / "review" / "secret"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(secrets.token_hex(32) + "\n")
            path.chmod(0o600)
        return path.read_text().strip()

    # -- services -------------------------------------------------------------------------

    def build(self) -> None:
        self.pg.initialise()
        self._add(self.pg.service(self.logs / "postgres.log"), self._repick_postgres)
        self._add(self.redis.service(self.logs / "redis.log"), self._repick_redis)
        for index in range(len(self.ports.actions)):
            self._add(self._actions(index), self._repick_list(self.ports.actions, index, reload_nginx=True))
        for index in range(len(self.ports.rasa)):
            self._add(self._rasa(index), self._repick_list(self.ports.rasa, index, reload_nginx=True))
        self._add(self.nginx.service(self.logs / "nginx.log"), self._repick_nginx)
        if self.ports.web:
            self._add(self._python("web", ["-m", "webchat.serve", "--host", "127.0.0.1",
                                           "--port", lambda: self.ports.web,
                                           "--chat-server", lambda: f"http://127.0.0.1:{self.ports.nginx}"],
                                   lambda: _http_ok(f"http://127.0.0.1:{self.ports.web}/")),
                      self._repick_web)
        if self.ports.review:
            review_env = {"REVIEW_SECRET_KEY": self.review_secret(), "REVIEW_COOKIE_SECURE": "0"}
            self._add(self._python("review", ["-m", "review", "serve", "--host", "127.0.0.1",
                                              "--port", lambda: self.ports.review],
                                   lambda: _http_ok(f"http://127.0.0.1:{self.ports.review}/login"),
                                   extra_env=review_env),
                      self._repick_review)
        if self.with_retention:
            self._add(self._python("retention", ["-m", "privacy.retention", "--every",
                                                 str(RETENTION_INTERVAL_SECONDS)], lambda: True), None)

    def _add(self, service: Service, repick: Optional[Callable[[], None]]) -> None:
        self.services[service.name] = service
        if repick is not None:
            self.repick[service.name] = repick

    def _python(self, name: str, args: List, healthy: Callable[[], bool],
                extra_env: Optional[Dict[str, str]] = None,
                timeout: float = PYTHON_START_TIMEOUT_SECONDS) -> Service:
        def command() -> List[str]:
            return [str(VENV_BIN / "python"), *(str(a() if callable(a) else a) for a in args)]

        # the environment is computed at every start: ports may have changed since
        def env() -> Dict[str, str]:
            return {**self.env(), **(extra_env or {})}

        return Service(name, command, self.logs / f"{name}.log", healthy, env=env, cwd=ROOT,
                       start_timeout=timeout)

    def _actions(self, index: int) -> Service:
        return self._python(
            f"actions-{index + 1}", ["-m", "actions", "--port", lambda: self.ports.actions[index]],
            lambda: _http_ok(f"http://127.0.0.1:{self.ports.actions[index]}/health"),
            extra_env={"SANIC_HOST": "127.0.0.1"},  # rasa_sdk listens on 0.0.0.0 without it
        )

    def _rasa(self, index: int) -> Service:
        # cluster.node checks the model and the files first, then becomes `rasa run`
        return self._python(
            f"rasa-{index + 1}",
            ["-m", "cluster.node", "--model", lambda: self.rasa_models[index],
             "--endpoints", lambda: self.endpoints_file(),
             "--credentials", ROOT / "credentials.yml", "--interface", "127.0.0.1",
             "--port", lambda: self.ports.rasa[index]],
            lambda: _http_ok(f"http://127.0.0.1:{self.ports.rasa[index]}/webhooks/rest/"),
            timeout=RASA_START_TIMEOUT_SECONDS,
        )

    # -- new ports after a race ---------------------------------------------------------------

    def _reload_nginx(self) -> None:
        nginx = self.services["nginx"]
        if nginx.running:
            self.nginx.reload(nginx)

    def _repick_postgres(self) -> None:
        self.ports.postgres = self.pg.port = free_port()

    def _repick_redis(self) -> None:
        self.ports.redis = self.redis.port = free_port()

    def _repick_list(self, ports: List[int], index: int, reload_nginx: bool) -> Callable[[], None]:
        def repick() -> None:
            ports[index] = free_port()
            if reload_nginx:
                self._reload_nginx()

        return repick

    def _repick_nginx(self) -> None:
        # nothing that depends on these two ports has started yet (see start order)
        self.ports.nginx = self.nginx.settings.public_port = free_port()
        self.ports.action_lb = self.nginx.settings.action_lb_port = free_port()

    def _repick_web(self) -> None:
        self.ports.web = self.nginx.settings.web_port = free_port()
        self._reload_nginx()

    def _repick_review(self) -> None:
        self.ports.review = free_port()

    # -- starting -------------------------------------------------------------------------------

    def start_together(self, names: List[str]) -> None:
        """Spawns these processes at once, then waits for each (a taken port: a new one)."""
        group = [self.services[name] for name in names]
        for service in group:
            service.spawn()
            self.started.append(service)
        for service in group:
            self._wait(service)

    def _wait(self, service: Service) -> None:
        for attempt in range(1, PORT_ATTEMPTS + 1):
            try:
                service.wait_healthy()
                return
            except PortInUse:
                if self.fixed_ports or service.name not in self.repick or attempt == PORT_ATTEMPTS:
                    raise
                self.repick[service.name]()
                service.spawn()

    def start_all(self) -> None:
        self.start_together(["postgres", "redis"])
        self.pg.server.create_database(self.pg.db)
        self.start_together(["nginx"])
        rest = [n for n in self.services if n not in ("postgres", "redis", "nginx")]
        self.start_together(rest)

    def stop_all(self) -> None:
        for service in reversed(self.started):
            with contextlib.suppress(Exception):
                service.stop()
        if self.temporary_pg_root is not None:
            shutil.rmtree(self.temporary_pg_root, ignore_errors=True)
            with contextlib.suppress(OSError):
                (self.workdir / "postgres").unlink()

    def cluster(self) -> Cluster:
        order = ["postgres", "redis", *[f"actions-{i + 1}" for i in range(len(self.ports.actions))],
                 *[f"rasa-{i + 1}" for i in range(len(self.ports.rasa))], "nginx", "web", "review", "retention"]
        return Cluster(
            workdir=self.workdir, nginx_port=self.ports.nginx, rasa_ports=self.ports.rasa,
            action_ports=self.ports.actions, postgres=self.pg.server, redis_port=self.ports.redis,
            review_port=self.ports.review, web_port=self.ports.web, action_lb_port=self.ports.action_lb,
            env=self.env(), services={name: self.services[name] for name in order if name in self.services},
            rasa_models=self.rasa_models, nginx=self.nginx,
        )


@contextlib.contextmanager
def running_cluster(
    workdir: Path,
    rasa_servers: int = 2,
    action_servers: int = 2,
    model: Optional[Path] = None,
    with_web: bool = True,
    with_review: bool = True,
    ports: Optional[Ports] = None,
    durable: bool = False,
    limits: RateLimits = RateLimits(),
    with_retention: bool = False,
    extra_origins: Optional[List[str]] = None,
    lock_store: str = LOCK_STORE_CLASS,
) -> Iterator[Cluster]:
    """Starts the whole cluster; stops every process when the block ends (also on errors).

    `ports` fixes the ports (python -m cluster); by default free ones are chosen. `durable`
    keeps PostgreSQL's fsync on (off by default: test clusters are thrown away). `lock_store`
    is for experiments only: "redis" (Rasa's own, racy) or "in_memory" (no lock across servers).
    """
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    model = Path(model) if model else latest_model()
    fixed = ports is not None
    ports = ports or Ports.free(rasa_servers, action_servers, with_web, with_review)
    builder = _Builder(workdir, ports, model, fixed, durable, limits, with_retention, extra_origins or [],
                       lock_store)
    try:
        builder.build()
        builder.start_all()
        yield builder.cluster()
    finally:
        builder.stop_all()
