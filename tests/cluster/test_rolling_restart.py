"""A new model goes live under load without dropping a conversation (cluster/rolling.py).

A steady stream of residents talks through nginx while both Rasa servers are restarted one at a
time with a new model (a copy of the current one with a model id of its own, so the stored
events show which model answered). Afterwards PostgreSQL must hold every message once, in
order, followed by the replies the client got; no request may get a 5xx or no answer; and each
server must answer with the new model. Prints the figures (sent, lost, duplicated, 5xx, time
per server restart). About 2-4 minutes on this 2-core machine (two Rasa servers load a model).
"""
from __future__ import annotations

import io
import json
import re
import tarfile
import time
import uuid
from pathlib import Path

import pytest

from cluster.launcher import Cluster
from cluster.rolling import ModelRefused, model_id, rolling_restart, stored_model_ids
from tests.cluster.conftest import AccessLog
from tests.cluster.steady_load import SteadyLoad

MAX_APOLOGY_SHARE = 0.05  # as the load test: a starved event loop may apologise for a slow action
AFTER_SECONDS = 6  # load after the rollout: conversations wholly on the new model
STATUS = re.compile(r'" (\d{3}) ')
UPSTREAM_STATUS = re.compile(r"upstream_status=(\S+(?:, \S+)*)")


def relabelled_copy(model: Path, directory: Path) -> Path:
    """The same model under a new model id: Rasa stores the id with every event it writes."""
    new_id = uuid.uuid4().hex
    target = directory / f"relabelled-{new_id[:8]}.tar.gz"
    with tarfile.open(model, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name.lstrip("./") == "metadata.json":
                metadata = json.loads(data.read())
                metadata["model_id"] = new_id
                raw = json.dumps(metadata).encode()
                member.size = len(raw)
                data = io.BytesIO(raw)
            copy.addfile(member, data)
    return target


def test_a_new_model_goes_live_under_load_without_losing_a_message(cluster: Cluster, tmp_path):
    old_ids = {model_id(cluster.model(name)) for name in cluster.rasa_names()}
    new_model = relabelled_copy(cluster.model("rasa-1"), tmp_path)
    new_id = model_id(new_model)
    access = AccessLog(cluster.nginx_access_log)
    lines = []

    with SteadyLoad(cluster.rest_url, "rolling") as load:
        time.sleep(3)  # conversations under way before the first server goes out
        rollout = rolling_restart(cluster, new_model, say=lines.append)
        done = time.monotonic()
        time.sleep(AFTER_SECONDS)
    figures = load.check(cluster.postgres.url)
    after = load.begun_after(done)
    served = access.lines("/webhooks/rest/webhook")
    statuses = [int(m.group(1)) for line in served for m in [STATUS.search(line)] if m]
    retried = [line for line in served for m in [UPSTREAM_STATUS.search(line)] if m and "," in m.group(1)]

    print()
    print("\n".join(lines))
    print(f"rolling restart under load: {figures.summary()}")
    print(f"nginx: {len(served)} REST requests, 5xx {sum(s >= 500 for s in statuses)}, "
          f"retried on another server {len(retried)}")
    for server in rollout.servers:
        print(f"  {server.describe()}")
    print(f"  whole rollout {rollout.seconds:.1f} s; {len(after)} conversations begun after it")

    v = figures.verification
    assert not figures.errors and set(figures.statuses) == {200}, (figures.statuses, figures.errors)
    assert figures.messages == v.user_events
    assert (v.lost, v.duplicated, v.out_of_order, v.reply_mismatch) == (0, 0, 0, 0), v.problems
    assert figures.unexpected == 0, figures.unexpected_examples
    assert figures.apologies <= MAX_APOLOGY_SHARE * figures.messages, figures.apologies
    assert not any(s >= 500 for s in statuses)
    assert [server.name for server in rollout.servers] == cluster.rasa_names()
    assert all(server.left_open == 0 for server in rollout.servers), "a server was stopped before it drained"
    assert all(cluster.model(name) == new_model.resolve() for name in cluster.rasa_names())
    # what answered the residents: the old model, then the new one, never anything else
    during = stored_model_ids(cluster.postgres.url, [c.sender for c in load.conversations])
    assert during <= old_ids | {new_id}, during
    assert after and stored_model_ids(cluster.postgres.url, [c.sender for c in after]) == {new_id}
    assert not cluster.taken_out()
