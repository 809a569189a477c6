"""Domain.is_empty without building an empty Domain on every call.

Rasa 3.6 checks every parsed message against the domain (`_check_for_unseen_features`), and
`Domain.is_empty` builds `Domain.from_dict({})` each time to compare with (its cost: docs/performance.md). The empty domain's dict never changes, so it
is built once; the comparison is the same (tests/unit/test_domain_checks.py).
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from rasa.shared.core.domain import Domain

from rasa_server import require_rasa_version

_empty_domain_dict: Optional[Dict[str, Any]] = None


def is_empty(domain: Domain) -> bool:
    global _empty_domain_dict
    if _empty_domain_dict is None:
        _empty_domain_dict = Domain.from_dict({}).as_dict()
    return domain.as_dict() == _empty_domain_dict


def install() -> None:
    require_rasa_version("rasa_server.patches.domain_checks (Domain.is_empty)")
    Domain.is_empty = is_empty
