"""python -m cluster.site: a Rasa server taken out of the deployed nginx site (`down` in both
Rasa upstreams) and put back, for a rolling restart on several machines (docs/operations.md)."""
from __future__ import annotations

import pytest

from cluster import site
from tests.cluster.test_deploy import SITE, nginx_t


def test_down_marks_the_server_in_both_rasa_upstreams_only():
    original = SITE.read_text()
    taken_out = site.mark(original, "10.0.0.21:5005", down=True)
    changed = [line.strip() for line in taken_out.splitlines() if line not in original.splitlines()]
    assert changed == ["server 10.0.0.21:5005 max_fails=3 fail_timeout=10s down;"] * 2
    assert site.status(taken_out) == {
        "forlop_rasa_rest": ["10.0.0.21:5005 (down)", "10.0.0.21:5006", "10.0.0.22:5005", "10.0.0.22:5006"],
        "forlop_rasa_socketio": ["10.0.0.21:5005 (down)", "10.0.0.21:5006", "10.0.0.22:5005", "10.0.0.22:5006"],
    }
    assert site.mark(taken_out, "10.0.0.21:5005", down=True) == taken_out  # twice is once
    assert site.mark(taken_out, "10.0.0.21:5005", down=False) == original


def test_an_unknown_server_or_an_action_server_is_refused():
    with pytest.raises(KeyError):
        site.mark(SITE.read_text(), "10.0.0.21:500", down=True)  # a prefix of 10.0.0.21:5005
    with pytest.raises(KeyError):
        site.mark(SITE.read_text(), "10.0.0.21:5055", down=True)  # an action server


def test_the_site_with_a_server_down_passes_nginx_t(tmp_path):
    result = nginx_t(site.mark(SITE.read_text(), "10.0.0.22:5006", down=True), tmp_path)
    assert result.returncode == 0, result.stderr


def test_the_command_changes_the_file_and_keeps_a_copy(tmp_path, capsys):
    path = tmp_path / "forlop.conf"
    path.write_text(SITE.read_text())
    assert site.main(["down", "10.0.0.21:5006", "--site", str(path)]) == 0
    assert "(down)" not in (tmp_path / "forlop.conf.bak").read_text() and "5006 max_fails=3 fail_timeout=10s down;" \
        in path.read_text()
    assert site.main(["status", "--site", str(path)]) == 0
    assert "10.0.0.21:5006 (down)" in capsys.readouterr().out
    assert site.main(["up", "10.0.0.21:5006", "--site", str(path)]) == 0
    assert path.read_text() == SITE.read_text()
    assert site.main(["down", "10.9.9.9:5005", "--site", str(path)]) == 1
