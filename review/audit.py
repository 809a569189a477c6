"""The audit log: who viewed, exported, marked or deleted which conversation, and when."""
from __future__ import annotations

import json
import time
from typing import Any, Dict, Optional

from flask import g, request

from review import db

ACTION_LABELS = {
    "login": "Logget inn",
    "login_failed": "Mislykket innlogging",
    "login_throttled": "Innlogging sperret",
    "logout": "Logget ut",
    "view_transcript": "Så samtale",
    "export_conversations": "Eksporterte samtaler",
    "export_transcript": "Eksporterte samtale",
    "export_training": "Eksporterte treningseksempler",
    "mark_crisis": "Merket krisevurdering",
    "unmark_crisis": "Fjernet krisemerking",
    "export_crisis_marks": "Eksporterte krisemerkinger",
    "delete_conversation": "Slettet samtale",
    "create_user": "Opprettet bruker",
    "update_user": "Endret bruker",
}


def record(action: str, sender_id: Optional[str] = None, detail: Optional[Dict[str, Any]] = None,
           username: Optional[str] = None) -> None:
    """Writes one audit row in its own transaction, so it stays even if the page fails later."""
    user = g.get("user")
    with db.get_engine().begin() as connection:
        connection.execute(db.audit_log.insert().values(
            at=time.time(),
            user_id=user.id if user is not None else None,
            username=username or (user.username if user is not None else "-"),
            action=action,
            sender_id=sender_id,
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None,
            ip=request.remote_addr,
        ))
