import itertools

import pytest

from cluster.local_assistant import running_assistant

_ids = itertools.count()


@pytest.fixture(scope="session")
def bot(tmp_path_factory):
    """The real Rasa server + action server, once for the whole session."""
    with running_assistant(tmp_path_factory.mktemp("assistant")) as assistant:
        yield assistant


@pytest.fixture
def sender(request):
    """A fresh conversation id per test."""
    return f"test-{request.node.name[:40]}-{next(_ids)}"


def texts(replies):
    return "\n".join(r.get("text", "") for r in replies)
