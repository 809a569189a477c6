"""The real Rasa server and action server at DEBUG (LOG_LEVEL=DEBUG, what `rasa run --debug`
sets): a resident gives a phone number, an e-mail address, a fødselsnummer, a name and an
address, and no log line of either server holds any of them, while the placeholders are there."""
from __future__ import annotations

import pytest

from cluster.local_assistant import ROOT, running_assistant

PHONE = "412 34 567"
EMAIL = "kari.nordmann@example.no"
NATIONAL_ID = "01010750160"  # valid check digits (stdnum.no.fodselsnummer)
FIRST_NAME, LAST_NAME = "Bjørn", "Nordmann"
STREET = "Storgata"
MESSAGES = (
    "hei",
    f"jeg er 16 og mobilen min er {PHONE}",
    f"e-posten min er {EMAIL}",
    f"fødselsnummeret mitt er {NATIONAL_ID}",
    f"jeg heter {FIRST_NAME} {LAST_NAME}",
    f"jeg bor i {STREET} 12",
    f"jeg orker ikke leve lenger, ring meg på {PHONE}",  # a crisis: the verdict quotes the text
    "når har dere åpent?",
)
# each piece as written, without spaces, and as JSON with ensure_ascii writes it
SECRETS = (PHONE, PHONE.replace(" ", ""), EMAIL, "kari.nordmann", NATIONAL_ID, FIRST_NAME, "Bj\\u00f8rn",
           LAST_NAME, STREET)
PLACEHOLDERS = ("«telefonnummer»", "«e-post»", "«fødselsnummer»", "«navn»", "«adresse»")

pytestmark = pytest.mark.skipif(
    not list((ROOT / "models").glob("*.tar.gz")),
    reason="no trained model in models/ (scripts/test.sh trains one first)",
)


def test_no_personal_data_in_any_log_line_at_debug(tmp_path):
    workdir = tmp_path / "assistant"
    with running_assistant(workdir, env_overrides={"LOG_LEVEL": "DEBUG"}) as bot:
        for text in MESSAGES:
            bot.say("log-masking-1", text, timeout=120)
    logs = {path.name: path.read_text(encoding="utf-8", errors="replace") for path in workdir.glob("*.log")}
    assert set(logs) == {"rasa.log", "actions.log"}

    # at DEBUG, so the resident's words were logged: parse data, tracker states, actions run
    assert "processor.message.parse" in logs["rasa.log"] and "current_states" in logs["rasa.log"]
    assert "Received request to run" in logs["actions.log"]
    for name, text in logs.items():
        for secret in SECRETS:
            assert secret not in text, (secret, name, [line for line in text.splitlines() if secret in line][:3])
    for placeholder in PLACEHOLDERS:
        assert placeholder in logs["rasa.log"], placeholder
