"""Signed unsubscribe links: a member leaves a kind of message without signing in.

A token names the account and the kind and carries an HMAC-SHA256 under a key derived
from the server's secret, so nobody can forge one for someone else and every process can
check one another issued. It does not expire: a link in an old message must still work
(RFC 8058 asks that one-click unsubscribe keep working), and all it can do is stop mail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"evenfloor-unsubscribe", hashlib.sha256).digest()


def _mac(secret: str, user_id: uuid.UUID, kind: str) -> str:
    digest = hmac.new(_key(secret), f"{user_id.hex}.{kind}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:20]).decode().rstrip("=")


def unsubscribe_token(secret: str, user_id: uuid.UUID, kind: str) -> str:
    return f"{user_id.hex}.{kind}.{_mac(secret, user_id, kind)}"


def read_unsubscribe_token(secret: str, token: str) -> tuple[uuid.UUID, str] | None:
    """The account and kind a token names, or None if it was not signed by this server."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    user_hex, kind, mac = parts
    try:
        user_id = uuid.UUID(hex=user_hex)
    except ValueError:
        return None
    if not hmac.compare_digest(mac, _mac(secret, user_id, kind)):
        return None
    return user_id, kind
