"""How Liant signs what it sends to a workspace's own systems (webhooks of every module).

The receiver recomputes `X-Liant-Signature: sha256=<hex>`, an HMAC-SHA256 with the shared
secret over "<X-Liant-Timestamp>.<raw body>", compares it in constant time, and refuses a
timestamp more than five minutes old: signing the time with the body makes a captured
delivery useless to replay later.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE = "X-Liant-Signature"
TIMESTAMP = "X-Liant-Timestamp"
EVENT = "X-Liant-Event"
DELIVERY = "X-Liant-Delivery"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, now: int, tolerance: int = 300
) -> bool:
    """The receiver's side, in Python: what the documentation's recipe does."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)
