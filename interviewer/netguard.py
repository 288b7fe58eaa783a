"""The network guard: every server the app talks to (the LLM server, the Chroma server, the session
store) must be on this machine or a private network, unless the user says otherwise.

A server address is private when every address it names is loopback, RFC 1918, link-local
or IPv6 unique-local. `localhost` and IP literals need no name lookup; any other name is
looked up, and counts as remote when the lookup fails or returns one public address.

It depends on nothing else in the package, so every client can use it whatever its layer.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from typing import Callable
from urllib.parse import urlsplit

PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "127.0.0.0/8",  # loopback
        "10.0.0.0/8",  # RFC 1918
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",  # link-local
        "::1/128",
        "fc00::/7",  # unique local
        "fe80::/10",
    )
)

LLM_DATA = "interview answers, resumes and job descriptions"
CHROMA_DATA = "the knowledge index, your ingested notes and embeddings of search queries"
_warned: set[tuple[str, str]] = set()


class ServerUnavailable(RuntimeError):
    """A configured server could not be used; the message names its address and the fix."""


class RemoteEndpointRefused(ServerUnavailable):
    """The server is beyond this machine and private networks, and the user did not allow it."""


class InvalidServerURL(ServerUnavailable):
    """A server address that is missing or not an http(s) URL."""


def is_private_ip(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])  # drop an IPv6 zone id
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in net for net in PRIVATE_NETWORKS if net.version == ip.version)


def resolve(host: str) -> list[str]:
    """Addresses `host` stands for; [] when it cannot be resolved."""
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host.split("%")[0])
        return [host]
    except ValueError:
        pass
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return ["127.0.0.1"]
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):  # no such name, no resolver, or a guard that blocks lookups
        return []
    return sorted({info[4][0] for info in infos})


def is_private_host(host: str) -> bool:
    addresses = resolve(host)
    return bool(addresses) and all(is_private_ip(a) for a in addresses)


def check_url(url: str, what: str, allow_remote: bool, flag: str, notice: Callable[[str], None] | None = None, leaves: str = LLM_DATA) -> str:
    """The URL without a trailing slash, or RemoteEndpointRefused; warns once when a remote URL is allowed."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidServerURL(f"{what} URL {url!r} is not an http(s) URL such as http://127.0.0.1:8080/v1")
    check_host(parts.hostname, what, allow_remote, flag, notice, leaves)
    return url.strip().rstrip("/")


def check_host(host: str, what: str, allow_remote: bool, flag: str, notice: Callable[[str], None] | None = None, leaves: str = LLM_DATA) -> None:
    if is_private_host(host):
        return
    if not allow_remote:
        raise RemoteEndpointRefused(
            f"refusing the {what} at {host}: it is not on this machine or a private network (loopback, 10/8, 172.16/12, "
            f"192.168/16, link-local, fc00::/7), so {leaves} would leave this machine. "
            f"Use a server on your own network, or pass {flag} if you accept that."
        )
    if (what, host) not in _warned:
        _warned.add((what, host))
        (notice or _stderr)(
            f"Warning: {flag}: the {what} at {host} is not on this machine or a private network; "
            f"{leaves} sent to it will leave this machine."
        )


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def check_settings(settings, notice: Callable[[str], None] | None = None) -> None:
    """Refuse (or, when allowed, warn about) the servers in settings before anything is sent to them."""
    if settings.llm_backend == "openai-compatible":
        if not settings.llm_base_url:
            raise InvalidServerURL("the openai-compatible backend needs a server URL: set INTERVIEWER_LLM_BASE_URL or pass --llm-base-url")
        check_url(settings.llm_base_url, "LLM server", settings.allow_remote_llm, "--allow-remote-llm", notice)
    if settings.chroma_mode == "http":
        check_host(settings.chroma_host, "Chroma server", settings.allow_remote_chroma, "INTERVIEWER_ALLOW_REMOTE_CHROMA=1", notice, CHROMA_DATA)
