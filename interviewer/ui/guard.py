"""Requests the web app answers: Host and Origin must name the served address, and failed
logins are rate-limited. Plain ASGI middleware in front of Gradio's app.

DNS rebinding: a web page on `attacker.example` re-points its own name at 127.0.0.1 and
then talks to the local server as if it were its own origin. The browser still sends
`Host: attacker.example`, so a server that answers only the names it is served under
(and only pages of that origin, by `Origin`) cannot be reached that way.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
import time
from collections import deque
from urllib.parse import urlsplit

LOGIN_FAILURES = 5  # failed logins allowed per client address within the window
LOGIN_WINDOW_S = 60.0
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def served_names(host: str, extra: tuple[str, ...] | list[str] = ()) -> set[str] | None:
    """Host names the server answers to; None means any IP literal plus the machine's names
    (a server bound to every interface: 0.0.0.0 or ::)."""
    names = {n.strip().lower().strip("[]") for n in extra if n.strip()}
    if host in ("0.0.0.0", "::", ""):
        return None
    names.add(host.lower().strip("[]"))
    if _is_loopback(host):
        names |= LOOPBACK_NAMES
    return names


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _hostname(value: str) -> str:
    """`example.org:7860` -> `example.org`; `[::1]:7860` -> `::1`."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


class RequestGuard:
    """ASGI middleware: refuses foreign Host and Origin headers, and slows password guessing."""

    def __init__(self, app, names: set[str] | None, extra: tuple[str, ...] | list[str] = (),
                 login_failures: int = LOGIN_FAILURES, window_s: float = LOGIN_WINDOW_S):
        self.app = app
        self.names = names
        self.extra = {n.strip().lower() for n in extra if n.strip()}
        self.login_failures = login_failures
        self.window_s = window_s
        self._failures: dict[str, deque] = {}
        self._lock = threading.Lock()
        self._machine = None

    # -- checks -------------------------------------------------------------------------
    def host_allowed(self, name: str) -> bool:
        if not name:
            return False
        if self.names is not None:
            return name in self.names
        try:  # bound to every interface: an address literal is not a rebinding target
            ipaddress.ip_address(name)
            return True
        except ValueError:
            pass
        return name in LOOPBACK_NAMES or name in self.extra or name in self._machine_names()

    def _machine_names(self) -> set[str]:
        if self._machine is None:
            names = {socket.gethostname().lower()}
            try:
                names.add(socket.getfqdn().lower())
            except OSError:
                pass
            self._machine = names
        return self._machine

    def origin_allowed(self, origin: str) -> bool:
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and self.host_allowed((parts.hostname or "").lower())

    # -- login rate limit ---------------------------------------------------------------
    def _blocked_for(self, client: str) -> float:
        now = time.monotonic()
        with self._lock:
            recent = self._failures.get(client)
            if not recent:
                return 0.0
            while recent and now - recent[0] > self.window_s:
                recent.popleft()
            if len(recent) < self.login_failures:
                return 0.0
            return self.window_s - (now - recent[0])

    def _count_failure(self, client: str) -> None:
        with self._lock:
            self._failures.setdefault(client, deque()).append(time.monotonic())
            if len(self._failures) > 10_000:  # bounded memory under a flood of addresses
                self._failures.pop(next(iter(self._failures)))

    # -- ASGI -----------------------------------------------------------------------------
    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if not self.host_allowed(_hostname(headers.get("host", ""))):
            return await _refuse(scope, send, 421, "This server does not answer to that host name "
                                 "(a name it should answer to goes in INTERVIEWER_ALLOWED_HOSTS).")
        origin = headers.get("origin")
        if origin is not None and not self.origin_allowed(origin):
            return await _refuse(scope, send, 403, "Requests from other sites are refused.")
        if scope["type"] == "http" and scope.get("method") == "POST" and scope.get("path", "").rstrip("/").endswith("/login"):
            client = (scope.get("client") or ("?", 0))[0]
            wait = self._blocked_for(client)
            if wait > 0:
                return await _refuse(scope, send, 429, f"Too many failed logins: try again in {int(wait) + 1} s.",
                                     {"retry-after": str(int(wait) + 1)})
            status = {}

            async def watch(message):
                if message["type"] == "http.response.start":
                    status["code"] = message["status"]
                await send(message)

            await self.app(scope, receive, watch)
            if status.get("code", 200) >= 400:
                self._count_failure(client)
            return None
        return await self.app(scope, receive, send)


async def _refuse(scope, send, code: int, message: str, headers: dict[str, str] | None = None) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = json.dumps({"detail": message}).encode()
    extra = [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": code,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra]})
    await send({"type": "http.response.body", "body": body})
