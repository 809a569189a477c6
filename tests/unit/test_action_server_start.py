"""The action server refuses to start on a malformed municipality folder, naming the municipality and field."""
import os
import subprocess
import sys

from tests.support.municipalities import ROOT, SHIPPED, break_adult_phone, copy_municipalities


def check(folder, *args):
    env = dict(os.environ, MUNICIPALITIES_DIR=str(folder))
    return subprocess.run([sys.executable, "-m", "actions", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_valid_folders_pass():
    result = check(SHIPPED, "--check")
    assert result.returncode == 0, result.stderr
    assert "kommune-a (Kommune A) OK, 2 contacts" in result.stdout
    assert "kommune-b (Kommune B) OK, 0 contacts" in result.stdout


def test_malformed_directory_refuses_to_start(tmp_path):
    folder = copy_municipalities(tmp_path)
    break_adult_phone(folder)
    result = check(folder, "--port", "0")  # a real start, not --check
    assert result.returncode == 2
    assert "kommune-a:" in result.stderr and "contacts[1].phone" in result.stderr
    assert "starter ikke" in result.stderr


def test_an_unknown_default_municipality_refuses_to_start(tmp_path):
    env = dict(os.environ, MUNICIPALITIES_DIR=str(SHIPPED), DEFAULT_MUNICIPALITY="kommune-x")
    result = subprocess.run([sys.executable, "-m", "actions", "--check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "DEFAULT_MUNICIPALITY: 'kommune-x'" in result.stderr
