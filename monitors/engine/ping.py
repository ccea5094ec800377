"""Ping checks: ICMP echo requests (IPv4 or IPv6) to the guarded address of the host, loss and average round trip.

Sending ICMP needs one of two things from the operating system, tried in this order:

* an unprivileged ICMP datagram socket (``socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)``, also used for IPv6): Linux
  allows it to processes whose group is inside ``net.ipv4.ping_group_range`` (the same sysctl covers IPv6). Many
  distributions and container runtimes set it to ``0 2147483647`` already; otherwise
  ``sysctl -w net.ipv4.ping_group_range="0 2147483647"`` (or a range holding the worker's group), made permanent
  in /etc/sysctl.d/, or ``--sysctl net.ipv4.ping_group_range="0 2147483647"`` for a container;
* a raw ICMP socket, which needs root or the CAP_NET_RAW capability (e.g. ``setcap cap_net_raw+ep`` on the
  worker's Python, or ``cap_add: [NET_RAW]`` for a container).

Without either, every ping check is DOWN with an error saying so (``NOT_PERMITTED``).

Replies are matched by identifier, sequence number and a random payload token (a raw socket sees every ICMP packet
of the host; on a datagram socket the kernel replaces the identifier with its own and hands over only the replies
carrying it). Loss: all echoes lost -> DOWN "100% packet loss", some lost -> DEGRADED "n% packet loss", none ->
UP (or DEGRADED when slower than the threshold); the response time is the average round trip.
"""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
import socket
import struct
from typing import Any

from outbound import guard
from outbound.errors import describe_oserror

from .context import EngineContext
from .types import DEGRADED, CheckResult, CheckSpec, down, up_or_degraded

__all__ = ["MAX_PING_COUNT", "NOT_PERMITTED", "check_ping"]

MAX_PING_COUNT = 100
INTERVAL = 0.2  # seconds between echo requests, squeezed when the deadline is too short for that
NOT_PERMITTED = (
    "ping not permitted: set sysctl net.ipv4.ping_group_range to include the worker's group "
    '(e.g. "0 2147483647") or give the worker CAP_NET_RAW'
)

_ECHO_REQUEST = {socket.AF_INET: 8, socket.AF_INET6: 128}
_ECHO_REPLY = {socket.AF_INET: 0, socket.AF_INET6: 129}
_PROTO = {socket.AF_INET: socket.IPPROTO_ICMP, socket.AF_INET6: socket.IPPROTO_ICMPV6}
_HEADER = struct.Struct("!BBHHH")  # type, code, checksum, identifier, sequence
_PAYLOAD_PAD = bytes(range(24))


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _echo_request(family: int, ident: int, seq: int, token: bytes) -> bytes:
    payload = token + _PAYLOAD_PAD
    header = _HEADER.pack(_ECHO_REQUEST[family], 0, 0, ident, seq)
    # IPv4 needs our checksum; for ICMPv6 the kernel computes it (it covers the IPv6 pseudo-header).
    checksum = _checksum(header + payload) if family == socket.AF_INET else 0
    return _HEADER.pack(_ECHO_REQUEST[family], 0, checksum, ident, seq) + payload


def _reply_sequence(family: int, raw: bool, packet: bytes, ident: int, token: bytes) -> int | None:
    """The sequence number of an echo reply of ours, or None for any other packet."""
    if raw and family == socket.AF_INET:  # raw IPv4 sockets hand over the IP header too
        if not packet:
            return None
        packet = packet[(packet[0] & 0x0F) * 4 :]
    if len(packet) < _HEADER.size + len(token):
        return None
    kind, code, _checksum, reply_ident, seq = _HEADER.unpack_from(packet)
    if kind != _ECHO_REPLY[family] or code != 0:
        return None
    if raw and reply_ident != ident:  # datagram sockets: the kernel rewrote the identifier and matched it
        return None
    if packet[_HEADER.size : _HEADER.size + len(token)] != token:
        return None
    return seq


def _same_address(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a.split("%", 1)[0]) == ipaddress.ip_address(b.split("%", 1)[0])
    except ValueError:
        return False


def _open_socket(family: int) -> tuple[socket.socket, bool] | None:
    """(socket, is_raw): an ICMP datagram socket if the kernel allows one, else a raw socket; None if neither."""
    for kind in (socket.SOCK_DGRAM, socket.SOCK_RAW):
        try:
            sock = socket.socket(family, kind, _PROTO[family])
        except PermissionError:  # EACCES: group outside ping_group_range; EPERM: no CAP_NET_RAW
            continue
        sock.setblocking(False)
        return sock, kind == socket.SOCK_RAW
    return None


class _Echoes:
    """Sends ``count`` echo requests ``interval`` apart and collects the round trips of their replies."""

    def __init__(self, sock: socket.socket, raw: bool, family: int, sockaddr: tuple[Any, ...], count: int) -> None:
        self.sock = sock
        self.raw = raw
        self.family = family
        self.sockaddr = sockaddr
        self.count = count
        self.ident = secrets.randbits(16)
        self.token = secrets.token_bytes(8)
        self.sent_at: dict[int, float] = {}  # sequence -> loop time, until its reply arrives
        self.rtts: list[float] = []
        self.last_sent = 0.0

    async def run(self, interval: float, listen_until: float) -> None:
        loop = asyncio.get_running_loop()
        next_send = loop.time()
        sent = 0
        while True:
            now = loop.time()
            if now >= listen_until:
                return
            if sent < self.count:
                if now >= next_send:
                    packet = _echo_request(self.family, self.ident, sent, self.token)
                    await loop.sock_sendto(self.sock, packet, self.sockaddr)
                    self.sent_at[sent] = self.last_sent = loop.time()
                    sent += 1
                    next_send += interval
                    continue
                wake = min(next_send, listen_until)
            else:
                if not self.sent_at:  # every echo answered
                    return
                wake = listen_until
                if self.rtts:  # replies do come back: wait for the missing ones twice the slowest round trip, like ping
                    wake = min(wake, self.last_sent + max(1.0, 2 * max(self.rtts)))
                if now >= wake:
                    return
            try:
                async with asyncio.timeout_at(wake):
                    packet, address = await loop.sock_recvfrom(self.sock, 4096)
            except TimeoutError:
                continue
            received = loop.time()
            if not _same_address(str(address[0]), str(self.sockaddr[0])):
                continue
            seq = _reply_sequence(self.family, self.raw, packet, self.ident, self.token)
            sent_at = self.sent_at.pop(seq, None) if seq is not None else None
            if sent_at is not None:
                self.rtts.append(received - sent_at)


def _listen_budget(timeout: float) -> float:
    """How long to wait for replies: the deadline less a margin, so that losses are reported as such rather than
    as the deadline's timeout."""
    return timeout - min(0.5, max(0.05, timeout * 0.1))


async def check_ping(spec: CheckSpec, context: EngineContext) -> CheckResult:
    """Call it through ``run_check`` (which applies the deadline)."""
    host = spec.host.strip().strip("[]")
    if not host:
        return down("no host configured")
    count = spec.ping_count
    if not isinstance(count, int) or not 1 <= count <= MAX_PING_COUNT:
        return down("invalid ping count")
    loop = asyncio.get_running_loop()
    listen_until = loop.time() + _listen_budget(spec.timeout)
    try:
        addresses = await guard.resolve(host, None, allow_private=spec.allow_private)
    except guard.AddressNotAllowed as exc:
        return down(f"address not allowed: {exc}")
    except OSError as exc:
        return down(describe_oserror(exc))
    family, sockaddr = addresses[0]
    opened = _open_socket(family)
    if opened is None:
        return down(NOT_PERMITTED)
    sock, raw = opened
    echoes = _Echoes(sock, raw, family, sockaddr, count)
    interval = min(INTERVAL, max(0.0, listen_until - loop.time()) / (2 * count))
    try:
        await echoes.run(interval, listen_until)
    except PermissionError:
        return down("sending ICMP refused (a local firewall rule, or a broadcast address)")
    except OSError as exc:
        return down(describe_oserror(exc))
    finally:
        sock.close()

    received = len(echoes.rtts)
    if received == 0:
        return down("100% packet loss")
    elapsed_ms = round(sum(echoes.rtts) / received * 1000)
    if received < count:
        loss = round((count - received) * 100 / count)
        return CheckResult(DEGRADED, elapsed_ms, f"{loss}% packet loss")
    return up_or_degraded(spec, elapsed_ms)
