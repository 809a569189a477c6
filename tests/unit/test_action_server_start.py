"""The action server refuses to start on a malformed contact directory, naming the field."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def check(env_file, *args):
    import os
    env = dict(os.environ, CONTACTS_FILE=str(env_file))
    return subprocess.run([sys.executable, "-m", "actions", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_valid_directory_passes():
    result = check(ROOT / "content" / "contacts.yml", "--check")
    assert result.returncode == 0, result.stderr
    assert "OK (2 contacts)" in result.stdout


def test_malformed_directory_refuses_to_start(tmp_path):
    text = (ROOT / "content" / "contacts.yml").read_text(encoding="utf-8")
    bad = tmp_path / "contacts.yml"
    bad.write_text(text.replace('phone: "901 50 842"', 'phone: "901 50"'), encoding="utf-8")
    result = check(bad, "--port", "0")  # a real start, not --check
    assert result.returncode == 2
    assert "contacts[1].phone" in result.stderr
    assert "starter ikke" in result.stderr
