"""The examples in deploy/ for the IT team: the nginx site passes `nginx -t`, keeps the rules
of the tested one-machine config, and the endpoints and unit files name what exists."""
from __future__ import annotations

import datetime
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from cluster.launcher import ROOT
from cluster.nginx import TEMPLATE, RateLimits, find_nginx
from cluster.ports import free_port

DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "forlop.conf"


def _self_signed(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "chat.kommune.no")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_the_nginx_site_passes_nginx_t(tmp_path):
    result = nginx_t(SITE.read_text(), tmp_path)
    assert result.returncode == 0, result.stderr


def nginx_t(site: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """`nginx -t` of a site file like deploy/nginx/forlop.conf, with test certificates and ports."""
    try:
        nginx = find_nginx()
    except RuntimeError as reason:
        pytest.skip(str(reason))
    cert, key = _self_signed(tmp_path)
    # only what cannot exist on a test machine changes: certificate, addresses, privileged ports
    site = site.replace("/etc/ssl/forlop/fullchain.pem", str(cert)).replace("/etc/ssl/forlop/privkey.pem", str(key))
    site = site.replace("10.0.0.10:5050", f"127.0.0.1:{free_port()}")
    site = re.sub(r"listen (\[::\]:)?80;", lambda m: f"listen 127.0.0.1:{free_port()};" if not m.group(1) else "", site)
    site = re.sub(r"listen (\[::\]:)?443 ssl http2;",
                  lambda m: f"listen 127.0.0.1:{free_port()} ssl http2;" if not m.group(1) else "", site)
    (tmp_path / "site.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    main.write_text(f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n  access_log off;\n"
                    f"  include {tmp_path}/site.conf;\n}}\n")
    return subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(main), "-e", "stderr"],
                          capture_output=True, text=True, timeout=60)


def _directive_values(text: str, directive: str) -> set:
    return {" ".join(m.split()) for m in re.findall(rf"^\s*{directive}\s+([^;]+);", text, re.MULTILINE)}


@pytest.mark.parametrize("directive", ["hash", "proxy_next_upstream", "proxy_next_upstream_tries",
                                       "proxy_next_upstream_timeout", "proxy_read_timeout",
                                       "client_max_body_size"])
def test_the_site_keeps_the_rules_of_the_tested_cluster_config(directive):
    site, template = SITE.read_text(), TEMPLATE.read_text()
    tested = {re.sub(r"\{\{.*?\}\}", "*", v) for v in _directive_values(template, directive)}
    deployed = _directive_values(SITE.read_text(), directive)
    for value in tested:
        pattern = re.escape(value).replace(r"\*", r"\S+")
        assert any(re.fullmatch(pattern, d) for d in deployed), f"{directive} {value} missing in {SITE.name}"
    assert "return 429" in site and "return 429" in template


def test_the_site_uses_the_same_rate_limits():
    site = SITE.read_text()
    limits = RateLimits()
    assert f"zone=forlop_rest:10m rate={limits.rest_rate};" in site
    assert f"zone=forlop_socketio:10m rate={limits.socketio_rate};" in site
    assert f"limit_req zone=forlop_rest burst={limits.rest_burst} nodelay;" in site
    assert f"limit_req zone=forlop_socketio burst={limits.socketio_burst} nodelay;" in site


def test_the_endpoints_example_names_our_stores():
    endpoints = yaml.safe_load((DEPLOY / "endpoints.yml").read_text())
    assert endpoints["lock_store"]["type"] == "rasa_server.stores.lock_store.AtomicRedisLockStore"
    assert endpoints["tracker_store"]["type"] == "rasa_server.stores.masking_tracker_store.MaskingSQLTrackerStore"
    for dotted in (endpoints["lock_store"]["type"], endpoints["tracker_store"]["type"]):
        module, _, name = dotted.rpartition(".")
        assert (ROOT / (module.replace(".", "/") + ".py")).exists() and name in (
            ROOT / (module.replace(".", "/") + ".py")).read_text()


def test_the_deployed_endpoints_differ_from_endpoints_yml_only_in_addresses_and_lock_store():
    """endpoints.yml is the one source; the deployment changes where things are, not how."""
    source = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    deployed = yaml.safe_load((DEPLOY / "endpoints.yml").read_text())
    assert set(deployed) == set(source)
    assert {k: v for k, v in deployed["action_endpoint"].items() if k != "url"} == \
        {k: v for k, v in source["action_endpoint"].items() if k != "url"}
    assert deployed["tracker_store"] == source["tracker_store"]


def test_the_cluster_generates_its_endpoints_from_endpoints_yml(tmp_path):
    from cluster.launcher import LOCK_STORE_CLASS, Ports, RateLimits, _Builder

    source = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    builder = _Builder(tmp_path, Ports.free(2, 2, with_web=False, with_review=False), ROOT / "models" / "x.tar.gz",
                       fixed_ports=False, durable=False, limits=RateLimits(), with_retention=False, extra_origins=[])
    generated = yaml.safe_load(builder.endpoints_file().read_text())
    assert {k: v for k, v in generated["action_endpoint"].items() if k != "url"} == \
        {k: v for k, v in source["action_endpoint"].items() if k != "url"}
    assert generated["tracker_store"] == source["tracker_store"]
    assert generated["lock_store"]["type"] == LOCK_STORE_CLASS


@pytest.mark.parametrize("unit", sorted(p.name for p in (DEPLOY / "systemd").glob("*.service")))
def test_every_unit_runs_a_module_or_file_that_exists(unit):
    text = (DEPLOY / "systemd" / unit).read_text()
    command = " ".join(re.search(r"^ExecStart=(.*(?:\\\n.*)*)", text, re.MULTILINE).group(1).split("\\\n"))
    module = re.search(r" -m ([\w.]+)", command)
    if module:
        path = ROOT / module.group(1).replace(".", "/")
        assert path.with_suffix(".py").exists() or (path / "__main__.py").exists(), command
    else:
        script = re.search(r"python (\S+\.py)", command).group(1)
        assert (ROOT / script).exists(), command
    assert "User=forlop" in text
