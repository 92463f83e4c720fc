"""Which addresses a source may reach: public ones, plus the private ones its ``allow_private`` names.

A funding feed is third-party input: an entry linking to ``http://169.254.169.254/…`` or to a host
inside the network must not be fetched (SSRF). What counts is the address a host name resolves to,
checked for every request, redirects and robots.txt included (``crawler.guards.AddressGuard``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
METADATA = ipaddress.ip_address("169.254.169.254")


def kind_of(ip: IPAddress) -> str | None:
    """What makes an address non-public ("loopback", "private", …), or None for a public one."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip == METADATA:
        return "cloud metadata"
    for name in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    return None if ip.is_global else "non-public"


@dataclass(frozen=True)
class Allowed:
    """One ``allow_private`` entry: a host name or address, or a network, with an optional port."""

    host: str = ""
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    port: int | None = None

    @classmethod
    def parse(cls, entry: str) -> Allowed:
        """``host``, ``host:port``, ``[v6]:port``, an address or ``10.1.0.0/16``; ValueError if not."""
        text = entry.strip().lower()
        if "/" in text:
            return cls(network=ipaddress.ip_network(text, strict=False))
        port: int | None = None
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") else None
        elif text.count(":") == 1:
            host, _, number = text.partition(":")
            port = int(number)
        else:
            host = text
        if not host or any(c in host for c in " /?#@"):
            raise ValueError(f"'{entry}' is not a host, host:port or network")
        return cls(host=host, port=port)

    def matches(self, host: str, port: int, ip: IPAddress) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            return ip in self.network
        return self.host in (host.lower(), str(ip))


@dataclass(frozen=True)
class AddressPolicy:
    """A source's rule: every private address (``allow_private: true``), some, or none."""

    allow_all: bool = False
    allowed: tuple[Allowed, ...] = ()

    @classmethod
    def of(cls, allow_private: bool | list[str] | None) -> AddressPolicy:
        if isinstance(allow_private, list):
            return cls(allowed=tuple(Allowed.parse(entry) for entry in allow_private))
        return cls(allow_all=bool(allow_private))

    def refusal(self, host: str, port: int, addresses: list[str]) -> str | None:
        """Why a request to ``host:port`` resolving to ``addresses`` is refused, or None."""
        if self.allow_all:
            return None
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])  # fe80::1%eth0: drop the zone
            kind = kind_of(ip)
            if kind and not any(entry.matches(host, port, ip) for entry in self.allowed):
                shown = host if host == str(ip) else f"{host} ({ip})"
                return (
                    f"refused: {shown} is a {kind} address; private and internal addresses are not "
                    "fetched unless the source's allow_private names them"
                )
        return None
