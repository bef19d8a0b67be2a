"""Refuse outgoing requests to this machine's or its network's private addresses.

Any URL a person types (a feed, an instance, a homeserver) could point at 127.0.0.1, the
cloud metadata service or an intranet host; Liant must not become a way to reach them.
Operators may allow named hosts (tests and the demo allow 127.0.0.1 only).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from urllib.parse import urlsplit

from django.utils.translation import gettext_noop as _

from liant.connectors.base import ConnectorError, ErrorKind

METADATA_HOSTS = {"metadata.google.internal", "metadata"}


def allowed_private_hosts() -> set[str]:
    """LIANT_ALLOW_PRIVATE_HOSTS: comma-separated host names or addresses that may be private."""
    raw = os.environ.get("LIANT_ALLOW_PRIVATE_HOSTS", "")
    return {h.strip().lower().strip("[]") for h in raw.split(",") if h.strip()}


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv4Address) and ip in ipaddress.ip_network("100.64.0.0/10"))
    )


def check_url(url: str) -> None:
    """Raise a permanent ConnectorError when `url` may not be fetched."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise ConnectorError(
            _("Only http and https addresses can be used, not %(scheme)r."), scheme=parts.scheme
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise ConnectorError(_("The address has no host name."))
    allowed = allowed_private_hosts()
    if host in METADATA_HOSTS and host not in allowed:
        raise ConnectorError(_("%(host)s is a private address and cannot be used."), host=host)
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise ConnectorError(
            _("%(host)s cannot be found (%(error)s)."),
            ErrorKind.TRANSIENT,
            host=host,
            error=exc.strerror,
        ) from exc
    for info in infos:
        address = str(info[4][0]).split("%")[0]
        if not is_public(address) and host not in allowed and address not in allowed:
            raise ConnectorError(
                _(
                    "%(host)s resolves to a private address (%(address)s); Liant does not fetch "
                    "private addresses. An operator can allow it with LIANT_ALLOW_PRIVATE_HOSTS."
                ),
                host=host,
                address=address,
            )
