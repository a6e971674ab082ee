"""An organisation's webhook: its notifications POSTed as JSON, signed with HMAC-SHA256.

The request (README "Notification webhooks" shows how to check it):

    POST <url>
    Content-Type: application/json
    Ortak-Event: notifications
    Ortak-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>

    {"organisation": "TRT", "sent_at": "<ISO time>", "notifications": [
        {"kind", "subject", "params", "message", "created", "dedupe_key"}, ...]}

The timestamp is inside what is signed, so a receiver that refuses old timestamps (say, over
five minutes) also refuses a replayed delivery. The secret is made here (32 random bytes,
hex) and shown once when the webhook is set; a new PUT makes a new one.

Server-side request forgery: a URL whose host is, or resolves to, an address that is not
public (loopback, link-local, RFC 1918 / RFC 4193 private, shared CG-NAT, multicast,
unspecified, reserved: `ipaddress`'s `is_global`, plus requests-hardened's extra ranges) is
refused when set, and the delivery resolves the host again, checks the address and connects
to that very address (requests-hardened's IP filter), so a name that later resolves inward
(DNS rebinding) is not called either. The setting WEBHOOK_ALLOW_PRIVATE_ADDRESSES (default
off) lifts both checks for on-premises receivers.
"""
from __future__ import annotations

import concurrent.futures
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from typing import Any, Sequence
from urllib.parse import urlsplit

import requests
from requests_hardened import Config as HardenedConfig
from requests_hardened import HTTPSession
from requests_hardened.ip_filter import EXTRA_BLOCKED_NET_RANGES, InvalidIPAddress
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.accounts.models import Organisation
from archive.db import utcnow
from archive.errors import NotFound, ValidationError
from archive.notifications.models import Notification, OrganisationWebhook

MAX_URL = 2000
SIGNATURE_HEADER = "Ortak-Signature"
# `last_status` of a delivery that got no HTTP answer: no exception text, which would tell
# what listens where.
NO_ANSWER = "no_answer"  # refused, reset, timed out, TLS failed, name unknown
REFUSED_ADDRESS = "refused_address"  # the host resolved to an address that is not public


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `Ortak-Signature` header value for `body` sent at `timestamp` (unix seconds)."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def signature_holds(secret: str, header: str, body: bytes, *, now: float | None = None, tolerance: int = 300) -> bool:
    """What a receiver does: the header's MAC matches and its timestamp is within `tolerance` seconds."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def address_is_public(address: str) -> bool:
    """Whether a webhook may be sent to this IPv4/IPv6 address (text, as getaddrinfo gives it;
    an IPv6 zone `%eth0` is ignored, an IPv4-mapped IPv6 address is judged as its IPv4 one):
    not loopback, link-local, private (RFC 1918, RFC 4193), shared (100.64.0.0/10),
    unspecified, reserved or multicast, nor in requests-hardened's extra blocked ranges."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast and not any(ip in net for net in EXTRA_BLOCKED_NET_RANGES)


# The threads that resolve a webhook's host for `clean_url`: getaddrinfo cannot be cancelled,
# so a lookup that outlives its request's wait finishes here, and a few slow names cannot
# tie up more than these threads (a lookup queued behind them times out like a slow one).
_RESOLVERS = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-resolve")


class ResolveTimeout(Exception):
    """The host name did not resolve within the time given."""


def _host_addresses(host: str, port: int, timeout: float | None = None) -> list[str]:
    """Every address `host` (a name or an IP literal) resolves to now; [] when it resolves to
    none. With `timeout` (seconds) the lookup runs in a thread (`_RESOLVERS`) and ResolveTimeout
    is raised when it has not answered by then."""
    if timeout is None:
        return _resolve(host, port)
    future = _RESOLVERS.submit(_resolve, host, port)
    try:
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        future.cancel()  # still queued: never starts
        raise ResolveTimeout(host) from None


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [info[4][0] for info in infos]


def clean_url(raw: Any, *, allow_private: bool = False, resolve_timeout: float = 5.0) -> str:
    """An http(s) URL without credentials or fragment whose host is, and resolves only to,
    public addresses (`address_is_public`; skipped when `allow_private`, the setting
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES). A name that does not resolve now is kept: the delivery
    checks again. ValidationError (422 invalid_webhook_url, details {"field": "url"} and, for
    an address that is not public, "reason": "private_address"; for a name that did not
    resolve within `resolve_timeout` seconds, the setting WEBHOOK_RESOLVE_SECONDS,
    "reason": "resolve_timeout") otherwise."""
    def bad(message: str, **extra: str) -> ValidationError:
        return ValidationError(message, code="invalid_webhook_url", details={"field": "url", **extra})

    if not isinstance(raw, str) or not raw.strip():
        raise bad("url must be an http or https URL.")
    url = raw.strip()
    if len(url) > MAX_URL:
        raise bad(f"url is longer than {MAX_URL} characters.")
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise bad("url must not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError:
        raise bad("url is not a URL.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad("url must be an http or https URL with a host.")
    if parts.username or parts.password:
        raise bad("url must not carry a user name or password; the signature authenticates Ortak.")
    if parts.fragment:
        raise bad("url must not have a fragment (#...).")
    if not allow_private:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = _host_addresses(parts.hostname, port, resolve_timeout)
        except ResolveTimeout:
            raise bad(f"url's host name did not resolve within {resolve_timeout:g} s; check the name or try again.",
                      reason="resolve_timeout") from None
        if any(not address_is_public(a) for a in addresses):
            raise bad("url must name a public host: loopback, link-local, private, multicast and "
                      "unspecified addresses are refused.", reason="private_address")
    return url


def set_webhook(session: Session, organisation: Organisation, body: Any, *,
                allow_private: bool = False, resolve_timeout: float = 5.0) -> tuple[OrganisationWebhook, str]:
    """Set (or replace) the organisation's webhook from {"url": ...}; (row, the new secret).
    ValidationError (422 invalid_webhook_url) as `clean_url`; `allow_private` is the setting
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES, `resolve_timeout` (seconds) WEBHOOK_RESOLVE_SECONDS."""
    if not isinstance(body, dict) or set(body) != {"url"}:
        raise ValidationError('Send {"url": "https://..."}.', code="invalid_webhook_url", details={"field": "url"})
    url = clean_url(body["url"], allow_private=allow_private, resolve_timeout=resolve_timeout)
    secret = secrets.token_hex(32)
    row = session.scalar(select(OrganisationWebhook).where(OrganisationWebhook.organisation_id == organisation.id))
    if row is None:
        row = OrganisationWebhook(organisation_id=organisation.id, url=url, secret=secret, active=True,
                                  created_at=utcnow())
        session.add(row)
    else:
        row.url, row.secret, row.active, row.last_status, row.last_attempt_at = url, secret, True, None, None
    session.flush()
    return row, secret


def get_webhook(session: Session, organisation_id: int) -> OrganisationWebhook:
    row = session.scalar(select(OrganisationWebhook).where(OrganisationWebhook.organisation_id == organisation_id))
    if row is None:
        raise NotFound("Your organisation has no webhook.", code="webhook_not_found")
    return row


def delete_webhook(session: Session, organisation_id: int) -> None:
    session.delete(get_webhook(session, organisation_id))
    session.flush()


def webhook_json(row: OrganisationWebhook) -> dict[str, Any]:
    return {"url": row.url, "active": row.active, "created": row.created_at.isoformat(),
            "last_status": row.last_status,
            "last_attempt_at": row.last_attempt_at.isoformat() if row.last_attempt_at else None}


def _active_hook(session: Session, organisation_id: int) -> OrganisationWebhook | None:
    return session.scalar(select(OrganisationWebhook).where(OrganisationWebhook.organisation_id == organisation_id,
                                                            OrganisationWebhook.active.is_(True)))


def to_deliver(session: Session, notifications: Sequence[Notification]) -> list[int]:
    """The ids of the notifications to POST: one per organisation with an active webhook and
    `dedupe_key` (a notification raised for several of its users goes once)."""
    firsts: dict[tuple[int, str], int] = {}
    for n in notifications:
        firsts.setdefault((n.organisation_id, n.dedupe_key), n.id)
    hooked = {org for org in {org for org, _key in firsts} if _active_hook(session, org) is not None}
    return [nid for (org, _key), nid in firsts.items() if org in hooked]


def _http(allow_private: bool) -> requests.Session:
    """A requests session for one delivery: with `allow_private` a plain one; else one whose
    adapters resolve the host, refuse an address that is not public (InvalidIPAddress) and
    connect to the address they checked (requests-hardened)."""
    if allow_private:
        return requests.Session()
    return HTTPSession(HardenedConfig(ip_filter_enable=True, ip_filter_allow_loopback_ips=False,
                                      never_redirect=True, default_timeout=None))


def deliver(session: Session, notification_id: int, *, timeout: float, allow_private: bool = False) -> str:
    """The DELIVER_WEBHOOK task's work: POST the notification to its organisation's active
    webhook and record the outcome on the webhook row (`last_status`: the HTTP status,
    REFUSED_ADDRESS when the host now resolves to an address that is not public, NO_ANSWER
    for any other failure; `last_attempt_at`). `timeout` in seconds; `allow_private` is the
    setting WEBHOOK_ALLOW_PRIVATE_ADDRESSES. Returns "delivered", "failed" (not 2xx, refused,
    a timeout, no answer: not retried, the notification stays in the app), "no_webhook" (none,
    or switched off since) or "missing" (the notification is gone). Never raises for the
    receiver's faults. Flushes."""
    n = session.get(Notification, notification_id)
    if n is None:
        return "missing"
    hook = _active_hook(session, n.organisation_id)
    if hook is None:
        return "no_webhook"
    org = session.get(Organisation, n.organisation_id)
    body = json.dumps({"organisation": org.name if org else None, "sent_at": utcnow().isoformat(),
                       "notifications": [{"kind": n.kind, "subject": n.subject, "params": n.params,
                                          "message": n.message, "created": n.created_at.isoformat(),
                                          "dedupe_key": n.dedupe_key}]},
                      ensure_ascii=False, sort_keys=True).encode("utf-8")
    headers = {"Content-Type": "application/json", "Ortak-Event": "notifications",
               SIGNATURE_HEADER: signature(hook.secret, int(time.time()), body),
               "User-Agent": "Ortak-Webhook/1"}
    try:
        with _http(allow_private) as http:
            resp = http.post(hook.url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
        hook.last_status = str(resp.status_code)
        ok = 200 <= resp.status_code < 300
    except InvalidIPAddress:
        hook.last_status, ok = REFUSED_ADDRESS, False
    except (requests.RequestException, ValueError):
        hook.last_status, ok = NO_ANSWER, False
    hook.last_attempt_at = utcnow()
    session.flush()
    return "delivered" if ok else "failed"
