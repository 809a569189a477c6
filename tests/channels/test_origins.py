"""The socket.io origin allow-list (rasa_server/channels/origins.py)."""
import pytest

from rasa_server.channels.origins import OriginConfigError, normalize_origin, origin_checker


def test_only_listed_origins_are_allowed():
    is_allowed = origin_checker(["http://localhost:8080", "https://www.kommune.no"])
    assert is_allowed("http://localhost:8080")
    assert is_allowed("https://www.kommune.no")
    assert not is_allowed("http://localhost:8081")
    assert not is_allowed("https://evil.example")
    assert not is_allowed("https://www.kommune.no.evil.example")
    assert not is_allowed("http://www.kommune.no")  # scheme matters


def test_case_and_trailing_slash_are_normalized():
    is_allowed = origin_checker(["HTTPS://WWW.Kommune.no/"])
    assert is_allowed("https://www.kommune.no")


@pytest.mark.parametrize("origin", [None, "", "null", "not an origin"])
def test_missing_or_opaque_origins_are_refused(origin):
    assert not origin_checker(["http://localhost:8080"])(origin)


def test_an_empty_list_refuses_every_origin():
    # engineio reads cors_allowed_origins=[] as "no checks at all"; ours must not
    assert not origin_checker([])("http://localhost:8080")


@pytest.mark.parametrize("bad", ["*", "localhost:8080", "http://localhost:8080/chat"])
def test_misconfiguration_fails_at_start(bad):
    with pytest.raises(OriginConfigError):
        origin_checker([bad])


def test_normalize_origin_keeps_port():
    assert normalize_origin("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
