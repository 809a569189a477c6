"""Fault: PostgreSQL (the tracker store) stops for a few seconds and starts again.

Under load: the Rasa servers are not restarted and must answer again once the database is
back; nothing a resident got a real answer to may be missing from the database afterwards;
what residents saw while the database was down is printed.

Quiet (a restart at night, no traffic meanwhile): the first message after it must still be
answered from the conversation's history. Each Rasa server's connection pool then holds only
connections to the old server process; without a liveness check (SQLAlchemy's pool_pre_ping)
the first use of each fails, and Rasa's FailSafeTrackerStore answers from an empty tracker.
"""
from __future__ import annotations

import time
from collections import Counter
from datetime import datetime
from typing import Dict, List, Tuple

from tests.faults.conftest import check_baseline, log_lines_since, stored_events, wait_until
from tests.faults.load import CHILD_MARK, Exchange, Load, Turn, latency_summary, send

OUTAGE_SECONDS = 4
AFTER_SECONDS = 15
# Answers may fail for a moment after PostgreSQL is back: each Rasa server's connection pool
# still holds connections to the old server until one fails and SQLAlchemy drops them.
RECOVERY_GRACE_SECONDS = 5
RECOVERY_TIMEOUT_SECONDS = 30
# Rasa's FailSafeTrackerStore logs these and goes on with an in-memory tracker
TRACKER_STORE_ERROR = "Error happened when trying to"
CHILD_FIRST = Turn("sønnen min på 14 sliter", True, CHILD_MARK)
CHILD_LATER = Turn("har dere epost", True, CHILD_MARK)  # answered from the audience slot alone


def what_residents_saw(exchanges: List[Exchange]) -> Counter:
    seen = Counter()
    for exchange in exchanges:
        if exchange.status is None:
            seen[f"no HTTP answer ({exchange.error})"] += 1
        elif exchange.status != 200:
            seen[f"HTTP {exchange.status}"] += 1
        elif not exchange.text.strip():
            seen["HTTP 200 with an empty reply"] += 1
        elif exchange.normal:
            seen["normal answer"] += 1
        elif exchange.apology:
            seen["the apology"] += 1
        else:
            seen["another answer"] += 1
    return seen


def compare_with_database(cluster, exchanges: List[Exchange]) -> Tuple[List[Exchange], List[str]]:
    """(answered exchanges whose message has no user event of its own in PostgreSQL,
    messages stored more often than they were sent)."""
    senders = sorted({e.sender for e in exchanges})
    stored = stored_events(cluster, senders)
    available: Dict[str, Counter] = {
        sender: Counter(text for kind, text in events if kind == "user") for sender, events in stored.items()
    }
    sent = Counter((e.sender, e.turn.text) for e in exchanges)
    duplicated = [f"{sender} «{text}» sent {sent[sender, text]}, stored {count}"
                  for sender, counts in available.items() for text, count in counts.items()
                  if count > sent[sender, text]]
    missing = []
    for exchange in exchanges:
        if not exchange.ok:
            continue
        if available[exchange.sender][exchange.turn.text] > 0:
            available[exchange.sender][exchange.turn.text] -= 1
        else:
            missing.append(exchange)
    return missing, duplicated


def test_postgres_restart_loses_no_answered_message(cluster, report, prefix):
    since = datetime.now()
    rasa_pids = {name: cluster.pid(name) for name in ("rasa-1", "rasa-2")}
    with Load(cluster.rest_url, prefix) as load:
        check_baseline(load, report)
        stopping = time.monotonic()
        cluster.stop("postgres")
        down = time.monotonic()
        report.line(f"PostgreSQL stopped (fast shutdown, {down - stopping:.1f} s)")
        time.sleep(OUTAGE_SECONDS)
        starting = time.monotonic()
        cluster.start("postgres")
        up = time.monotonic()
        report.line(f"PostgreSQL started again (accepting connections after {up - starting:.1f} s)")

        def answering_again() -> bool:
            return any(e.normal and e.started >= up for e in load.snapshot())

        recovered_after = wait_until(answering_again, RECOVERY_TIMEOUT_SECONDS)
        report.line("first normal answer " + (f"{recovered_after:.1f} s after PostgreSQL was back"
                                              if recovered_after is not None else "NEVER"))
        time.sleep(AFTER_SECONDS)
    exchanges = load.snapshot()

    during = [e for e in exchanges if e.started < up and e.finished >= stopping]
    report.line(f"while PostgreSQL was stopping, down or starting ({up - stopping:.1f} s): "
                f"{dict(what_residents_saw(during))}; {latency_summary(during)}")
    for exchange in during:
        if not exchange.normal:
            report.line(f"  during: {exchange.describe()}")
    after = [e for e in exchanges if e.started >= up]
    failed_after = [e for e in after if not e.ok]
    report.line(f"after PostgreSQL was back: {dict(what_residents_saw(after))}")
    for exchange in failed_after:
        report.line(f"  after: {exchange.describe()} (sent {exchange.started - up:.1f} s after the restart)")
    late_failures = [e for e in failed_after if e.started >= up + RECOVERY_GRACE_SECONDS]

    answered = [e for e in exchanges if e.ok]
    missing, duplicated = compare_with_database(cluster, exchanges)
    answered_during = [e for e in during if e.ok]
    report.line(f"answered messages: {len(answered)} (of them {len(answered_during)} during the outage); "
                f"missing from PostgreSQL: {len(missing)} (of them "
                f"{sum(e in answered_during for e in missing)} answered during the outage); "
                f"stored twice: {len(duplicated)}")
    for exchange in missing:
        report.line(f"  answered but not stored: {exchange.describe()}")
    for line in duplicated:
        report.line(f"  stored more often than sent: {line}")
    restarted = [name for name, pid in rasa_pids.items()
                 if cluster.pid(name) != pid or not cluster.services[name].running]
    store_errors = log_lines_since(cluster, list(rasa_pids), since, TRACKER_STORE_ERROR)
    report.line(f"tracker store errors in the Rasa logs (each: a turn handled without PostgreSQL): "
                f"{len(store_errors)}")
    for line in store_errors[:3]:
        report.line(f"  e.g. {line[:300]}")

    assert not restarted, f"Rasa servers were restarted or died: {restarted}"
    assert recovered_after is not None, "the bot did not answer again after PostgreSQL came back"
    assert not late_failures, (f"{len(late_failures)} failures more than {RECOVERY_GRACE_SECONDS} s "
                               "after PostgreSQL was back (stale pooled connections?)")
    assert not duplicated, f"{len(duplicated)} messages stored more often than sent"
    assert not missing, f"{len(missing)} answered messages are not in PostgreSQL"


def test_quiet_postgres_restart_keeps_history(cluster, report, prefix):
    urls = [f"http://127.0.0.1:{port}/webhooks/rest/webhook" for port in cluster.rasa_ports]
    senders = [f"{prefix}-server-{number}" for number in range(1, len(urls) + 1)]
    for url, sender in zip(urls, senders):
        first = send(url, sender, CHILD_FIRST)
        assert first.normal, first.describe()
    since = datetime.now()
    cluster.stop("postgres")
    time.sleep(OUTAGE_SECONDS)
    cluster.start("postgres")
    report.line(f"PostgreSQL stopped for {OUTAGE_SECONDS} s and started again, no traffic meanwhile")
    later = [send(url, sender, CHILD_LATER) for url, sender in zip(urls, senders)]
    for exchange in later:
        report.line(f"first message to its Rasa server after the restart: {exchange.describe()}")
    store_errors = log_lines_since(cluster, ["rasa-1", "rasa-2"], since, TRACKER_STORE_ERROR)
    for line in store_errors:
        report.line(f"  {line[:400]}")
    assert all(e.normal for e in later), "history lost after a quiet PostgreSQL restart"
    assert not store_errors, "the first use of a pooled connection after the restart failed"
