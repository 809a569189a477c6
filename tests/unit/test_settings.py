"""Settings in one place: settings.py reads every environment variable, and .env.example
names each one."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import settings

ROOT = settings.PROJECT_ROOT
READ = re.compile(r"os\.environ\.get\(|os\.getenv\(|os\.environ\[[^\]]+\](?!\s*=)")
NAMED = re.compile(r"""(?:env|env\.get|flag|positive_from_env)\(\s*"([A-Z_]+)"|"(CLUSTER_[A-Z_]+)":""")


def _project_python_files():
    listed = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / line for line in listed.stdout.split() if not line.startswith("tests/")]


def test_no_module_but_settings_reads_the_environment():
    readers = [str(path.relative_to(ROOT)) for path in _project_python_files()
               if path.name != "settings.py" and path.exists() and READ.search(path.read_text(encoding="utf-8"))]
    assert readers == []


def test_every_variable_settings_reads_is_in_the_example_file():
    names = {a or b for a, b in NAMED.findall((ROOT / "settings.py").read_text(encoding="utf-8"))}
    assert {"TRACKER_DIALECT", "REVIEW_SECRET_KEY", "CLUSTER_RASA_PORT", "MESSAGES_IN_PROGRESS"} <= names
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    missing = sorted(name for name in names if not re.search(rf"^#? ?{name}=", example, re.M))
    assert missing == []


def test_the_checker_sees_a_read(tmp_path):
    assert READ.search('x = os.environ.get("A")') and READ.search('os.environ["A"]')
    assert not READ.search('os.environ["A"] = "1"') and not READ.search("env = dict(os.environ, A='1')")


def test_a_flag_and_a_port_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("REVIEW_COOKIE_SECURE", "0")
    monkeypatch.setenv("CLUSTER_REDIS_PORT", "7000")
    assert settings.review().cookie_secure is False
    assert settings.cluster_port("CLUSTER_REDIS_PORT") == 7000
    monkeypatch.delenv("CLUSTER_REDIS_PORT")
    assert settings.cluster_port("CLUSTER_REDIS_PORT") == 6380
