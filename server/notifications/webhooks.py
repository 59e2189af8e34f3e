"""Webhook deliveries: a JSON POST signed with HMAC-SHA256, like Stripe's and GitHub's.

    Evenfloor-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>
    Evenfloor-Delivery: <notification id>   (the same on a retry: receivers deduplicate on it)
    Evenfloor-Event: <kind>

The timestamp inside the signed text lets a receiver refuse replays of old deliveries
(``verify_signature`` allows five minutes by default).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

import httpx

from server.notifications.transports import PermanentFailure, TemporaryFailure

SIGNATURE_HEADER = "Evenfloor-Signature"
TOLERANCE_S = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    mac = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(
    secret: str, header: str, body: bytes, now: float, tolerance_s: float = TOLERANCE_S
) -> bool:
    """What a receiver runs: the signature matches and is recent."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


async def deliver(
    client: httpx.AsyncClient,
    url: str,
    secret: str,
    *,
    delivery_id: str,
    kind: str,
    payload: dict[str, Any],
    timestamp: int,
) -> None:
    """POST once; 2xx is delivered, 408/429/5xx and network errors are worth a retry, any
    other answer (the receiver says the request is wrong or gone) is final."""
    body = body_of(payload)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        "Evenfloor-Delivery": delivery_id,
        "Evenfloor-Event": kind,
        "User-Agent": "Evenfloor-Webhooks/1",
    }
    try:
        response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        raise TemporaryFailure(f"webhook {url}: {type(error).__name__}: {error}") from error
    status = response.status_code
    if 200 <= status < 300:
        return
    reason = f"webhook {url} answered {status}"
    if status in (408, 429) or status >= 500:
        raise TemporaryFailure(reason)
    raise PermanentFailure(reason)
