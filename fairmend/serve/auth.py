"""Bearer tokens and roles.

A token reads ``fm_<id>_<secret>``. The database keeps the id, a random per-token salt and
``HMAC-SHA256(salt, secret)``, never the secret, so a copy of the database lets no one sign in.
Roles are ordered: a viewer reads; an analyst also uploads data and starts runs; an admin also
manages tokens and reads the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from fairmend.errors import InvalidParameterError
from fairmend.serve.store import Store, new_id

ROLES = ("viewer", "analyst", "admin")
PREFIX = "fm_"


@dataclass(frozen=True)
class Principal:
    """Who made a request."""

    token_id: str
    name: str
    role: str

    def allows(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.token_id[:8]})"


def _digest(salt: str, secret: str) -> str:
    return hmac.new(bytes.fromhex(salt), secret.encode(), hashlib.sha256).hexdigest()


def create_token(store: Store, name: str, role: str) -> tuple[str, str]:
    """Store a new token for ``name`` with ``role``; returns ``(token_id, token)``. The token is shown once."""
    if role not in ROLES:
        raise InvalidParameterError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    name = " ".join(str(name).split())
    if not name or len(name) > 200:
        raise InvalidParameterError("a token needs a name of 1 to 200 characters")
    token_id, secret, salt = new_id(), secrets.token_urlsafe(32), secrets.token_hex(16)
    store.add_token({"id": token_id, "name": name, "role": role, "salt": salt, "digest": _digest(salt, secret),
                     "created": time.time(), "revoked": None})
    return token_id, f"{PREFIX}{token_id}_{secret}"


def verify(store: Store, token: str) -> Principal | None:
    """The principal a presented token belongs to, or ``None`` (unknown, malformed, revoked or wrong)."""
    if not token.startswith(PREFIX):
        return None
    token_id, sep, secret = token[len(PREFIX):].partition("_")
    if not sep or len(token_id) != 32 or not secret:
        return None
    row = store.token(token_id)
    if row is None or row["revoked"] is not None:
        return None
    if not hmac.compare_digest(row["digest"], _digest(row["salt"], secret)):
        return None
    return Principal(token_id=row["id"], name=row["name"], role=row["role"])
