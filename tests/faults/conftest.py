"""One cluster for all fault tests (starting one takes a minute or two on this machine).

Every fault test breaks something and puts it back; `cluster` first restarts whatever an
earlier test left stopped and checks that a conversation works through nginx, so a test never
starts on a half-broken cluster without saying so.
"""
from __future__ import annotations

import itertools
import re
import shutil
import time
from datetime import datetime
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import pytest

from cluster.launcher import Cluster, running_cluster
from tests.cluster.conftest import missing_requirement
from tests.faults.load import Load, Turn, send
from tests.faults.report import REPORT_FILE, FaultReport

_ids = itertools.count()
HEALTH_TURN = Turn("hva er et pakkeforløp?", False, "ventetid, utredning")
BASELINE_SECONDS = 6  # load before the fault: shows the scripts get their normal answers
LOG_COPY = REPORT_FILE.parent / "fault-logs"  # reports/ is never committed
LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")


# package scope: stopped when the fault tests are done, not at the end of a whole-suite run
@pytest.fixture(scope="package")
def running(tmp_path_factory) -> Iterator[Cluster]:
    reason = missing_requirement()
    if reason:
        pytest.skip(f"fault tests need the whole cluster: {reason}")
    workdir = tmp_path_factory.mktemp("faults")
    try:
        with running_cluster(workdir, with_web=False, with_review=False) as cluster:
            yield cluster
    finally:
        # pytest keeps only its last few temp dirs: keep the logs with the report
        if (workdir / "logs").exists():
            shutil.rmtree(LOG_COPY, ignore_errors=True)
            shutil.copytree(workdir / "logs", LOG_COPY)


@pytest.fixture
def cluster(running: Cluster, report: FaultReport) -> Cluster:
    for name in running.names():
        if not running.services[name].running:
            report.line(f"{name} was left stopped by an earlier test: starting it")
            running.start(name)
    exchange = send(running.rest_url, f"health-{next(_ids)}", HEALTH_TURN)
    assert exchange.normal, f"the cluster does not answer before the fault: {exchange.describe()}"
    return running


@pytest.fixture
def report(request) -> Iterator[FaultReport]:
    report = FaultReport(request.node.name)
    yield report
    report.close()


@pytest.fixture
def prefix(request) -> str:
    """Conversation ids unique to this test (and this run)."""
    return f"fault-{request.node.name[:30]}-{int(time.time())}-{next(_ids)}"


def check_baseline(load: Load, report: FaultReport) -> None:
    """Every scripted turn answered normally before the fault: otherwise the test means nothing."""
    time.sleep(BASELINE_SECONDS)
    before = load.snapshot()
    wrong = [e for e in before if not e.normal]
    report.line(f"before the fault: {len(before)} requests, {len(wrong)} not answered normally")
    for exchange in wrong:
        report.line(f"  before the fault: {exchange.describe()}")
    assert before and not wrong, "the scripts must get their normal answers before the fault"


def stored_events(cluster: Cluster, senders: List[str]) -> Dict[str, List[Tuple[str, str]]]:
    """sender -> [("user" | "bot", text)] of its events in PostgreSQL, in the order stored."""
    from evaluation.loadtest import stored_events as read

    return read(cluster.postgres.url, senders)


def wait_until(condition: Callable[[], bool], timeout: float, poll: float = 0.2) -> Optional[float]:
    """Seconds until condition() held, or None when it did not within timeout."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            return None
        time.sleep(poll)
    return time.monotonic() - started


def log_lines_since(cluster: Cluster, names: List[str], since: datetime, contains: str) -> List[str]:
    """Lines of these processes' logs stamped at or after `since` (whole seconds) with `contains`."""
    found = []
    start = since.replace(microsecond=0)
    for name in names:
        for line in cluster.log(name).read_text(encoding="utf-8", errors="replace").splitlines():
            stamp = LOG_TIME.match(line)
            if stamp and contains in line and datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S") >= start:
                found.append(f"{name}: {line}")
    return found
