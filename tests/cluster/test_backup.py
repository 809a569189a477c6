"""Backup and restore drill (cluster/backup.py): pg_dump of the cluster's database while
residents talk to it and staff use the review console, restored into a fresh PostgreSQL, and the
review console started on the restored database.

The manifest holds the figures of the dump's own snapshot; the restored database must hold
exactly those (rows and a checksum of every table: events, feedback, review_* with the audit
log), and the console on it must log in the dump's staff account and export exactly the
snapshot's conversations and messages. Prints the figures. About 30-60 s (no Rasa restart).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid

import pytest
import requests

from cluster.backup import Manifest, backup, manifest_path, restore, running_review, verify
from cluster.launcher import ROOT, Cluster
from cluster.ports import free_port
from cluster.postgres import PostgresUnavailable, find_bin_dir, running_postgres
from tests.cluster.steady_load import SteadyLoad

PASSWORD = "backup-drill-passord-123"
LOAD_BEFORE_SECONDS = 4
LOAD_AFTER_SECONDS = 3
TIMEOUT_SECONDS = 60


def _login(url: str, name: str) -> requests.Session:
    console = requests.Session()
    page = console.get(f"{url}/login", timeout=TIMEOUT_SECONDS).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    reply = console.post(f"{url}/login", data={"username": name, "password": PASSWORD, "csrf_token": csrf},
                         timeout=TIMEOUT_SECONDS, allow_redirects=False)
    assert reply.status_code == 302, f"login as {name} failed: {reply.status_code}"
    return console


def _events(cluster: Cluster) -> int:
    connection = cluster.postgres.connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM events")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def test_a_dump_taken_under_load_restores_with_the_console_and_its_audit_log(cluster: Cluster, tmp_path):
    admin = f"ada{uuid.uuid4().hex[:6]}"
    subprocess.run([sys.executable, "-m", "review", "create-user", admin, "--role", "admin"], cwd=ROOT,
                   env={**cluster.env, "REVIEW_PASSWORD": PASSWORD}, check=True, capture_output=True, timeout=120)
    viewed = [f"backup-{uuid.uuid4().hex[:6]}-{n}" for n in range(2)]
    for sender in viewed:
        cluster.say(sender, "hva er et pakkeforløp?")
    console = _login(cluster.review_url, admin)
    for sender in viewed:  # audit log rows: the login, two transcript views
        assert console.get(f"{cluster.review_url}/conversations/view", params={"id": sender},
                           timeout=TIMEOUT_SECONDS).status_code == 200

    with SteadyLoad(cluster.rest_url, "backup", every=1.0) as load:
        time.sleep(LOAD_BEFORE_SECONDS)
        before = _events(cluster)
        started = time.monotonic()
        dump, manifest = backup(cluster.postgres, tmp_path / "backups")
        backup_seconds = time.monotonic() - started
        time.sleep(LOAD_AFTER_SECONDS)
    after = _events(cluster)
    figures = load.check(cluster.postgres.url)
    assert Manifest.read(manifest_path(dump)) == manifest

    with running_postgres() as fresh:
        restore_seconds = restore(dump, fresh, manifest.database)
        problems = verify(fresh, manifest.database, manifest)
        started = time.monotonic()
        with running_review(fresh, manifest.database, free_port(), tmp_path / "review.log") as url:
            console_seconds = time.monotonic() - started
            restored = _login(url, admin)
            export = restored.get(f"{url}/conversations/export.json", timeout=TIMEOUT_SECONDS)
            audit = restored.get(f"{url}/admin/audit", params={"user": admin}, timeout=TIMEOUT_SECONDS)
        conversations = json.loads(export.text)
        items = [m["from"] for c in conversations for m in c["events"]]

    print()
    print(f"backup drill: load meanwhile {figures.summary()}")
    print(f"  events: {before} just before the dump, {manifest.tables['events']['rows']} in its snapshot, "
          f"{manifest.written_while_dumping} written while pg_dump ran, {after} when the load ended")
    print(f"  dump {dump.stat().st_size} bytes, pg_dump {manifest.seconds:.2f} s (backup with counting "
          f"{backup_seconds:.2f} s); pg_restore {restore_seconds:.2f} s; console on it up in {console_seconds:.1f} s")
    print(f"  snapshot: {manifest.describe()}")
    print(f"  restored, through the console: {len(conversations)} conversations, {items.count('user')} user and "
          f"{items.count('bot')} bot messages; differences from the snapshot: {problems or 'none'}")

    assert problems == []
    assert int(manifest.tables["events"]["rows"]) >= before and after > int(manifest.tables["events"]["rows"]), \
        "the load did not write while the dump was taken"
    assert manifest.audit_rows >= 3 and "review_audit_log" in manifest.tables
    assert export.status_code == 200 and audit.status_code == 200
    assert len(conversations) == manifest.conversations
    assert (items.count("user"), items.count("bot")) == (manifest.user_events, manifest.bot_events)
    for sender in viewed:  # the views recorded in the cluster's console, on the restored one
        assert sender in audit.text
    # residents were served throughout
    v = figures.verification
    assert set(figures.statuses) == {200} and not figures.errors
    assert (v.lost, v.duplicated, v.interleaved) == (0, 0, 0), v.problems


def test_a_damaged_dump_is_refused(cluster: Cluster, tmp_path):
    dump, manifest = backup(cluster.postgres, tmp_path)
    with dump.open("r+b") as damaged:
        damaged.seek(dump.stat().st_size // 2)
        damaged.write(b"\0\0\0\0")
    with running_postgres() as fresh:
        try:
            restore(dump, fresh, manifest.database)
        except RuntimeError as error:
            assert "SHA-256" in str(error)
        else:
            raise AssertionError("a damaged dump was restored")


def test_verify_names_a_changed_audit_row_and_a_sequence_behind_its_table(tmp_path):
    """Without Rasa: what `verify` catches besides counts."""
    try:
        find_bin_dir()
    except PostgresUnavailable as reason:
        pytest.skip(str(reason))
    with running_postgres() as source, running_postgres() as fresh:
        connection = source.connect()
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE review_audit_log (id serial PRIMARY KEY, at float, username text, "
                           "action text, sender_id text, detail text, ip text)")
            for n in range(5):
                cursor.execute("INSERT INTO review_audit_log (at, username, action, sender_id) "
                               "VALUES (%s, 'ada', 'view_transcript', %s)", (time.time(), f"s{n}"))
        connection.close()
        dump, manifest = backup(source, tmp_path)
        assert (manifest.audit_rows, manifest.audit_max_id) == (5, 5)
        restore(dump, fresh, "restored")
        assert verify(fresh, "restored", manifest) == []
        connection = fresh.connect("restored")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("UPDATE review_audit_log SET username = 'mallory' WHERE id = 3")
            cursor.execute("SELECT setval(pg_get_serial_sequence('review_audit_log', 'id'), 2)")
        connection.close()
        problems = verify(fresh, "restored", manifest)
    assert any(p.startswith("table review_audit_log") for p in problems), problems
    assert any("would hand out 2" in p for p in problems), problems
