"""Loopback addresses that do not answer pings, and ping checks run in a fresh network namespace.

* ``LossRules``: an nftables table (its own, removed afterwards) that drops ICMP echo requests to spare 127.x
  addresses on their way in (so nothing answers: the sender sees only silence), drops one echo of four to another,
  and refuses sending to a third on the way out (the sender gets EPERM, as behind a local firewall).
* ``run_in_netns``: this file run as a script, in a new network namespace (``unshare --net``) whose
  ``net.ipv4.ping_group_range`` is set as asked, without CAP_NET_RAW: the two ways a worker may or may not ping
  without being root. Prints the results of run_check as JSON.

Needs root, nft (Debian package nftables), unshare and setpriv (util-linux) and ip (iproute2).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

SILENT = "127.0.0.77"  # echo requests dropped on the way in: no reply at all
LOSSY = "127.0.0.78"  # the echo with sequence number 1 dropped
FIREWALLED = "127.0.0.79"  # sending refused on the way out
TOOLS = ("nft", "unshare", "setpriv", "ip")
REPO = Path(__file__).resolve().parents[2]


def missing_tools() -> list[str]:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if os.geteuid() != 0:
        missing.append("root")
    return missing


class LossRules:
    def __init__(self) -> None:
        self.table = f"statusapp_ping_test_{os.getpid()}"

    def add(self) -> None:
        rules = f"""
        table inet {self.table} {{
            chain input {{
                type filter hook input priority 0; policy accept;
                ip daddr {SILENT} icmp type echo-request drop
                ip daddr {LOSSY} icmp type echo-request icmp sequence 1 drop
            }}
            chain output {{
                type filter hook output priority 0; policy accept;
                ip daddr {FIREWALLED} icmp type echo-request drop
            }}
        }}
        """
        subprocess.run(["nft", "-f", "-"], input=rules, text=True, check=True, capture_output=True)

    def remove(self) -> None:
        subprocess.run(["nft", "delete", "table", "inet", self.table], check=False, capture_output=True)


def run_in_netns(ping_group_range: str, hosts: list[str]) -> list[list]:
    """[status, error, response_time_ms] of a ping check of each host, run in a fresh network namespace (loopback
    up, the given ping_group_range) by a process without CAP_NET_RAW."""
    script = (
        'ip link set lo up && echo "$PING_GROUP_RANGE" > /proc/sys/net/ipv4/ping_group_range && '
        'exec setpriv --bounding-set=-net_raw --inh-caps=-net_raw "$PYTHON" "$PROBE" "$@"'
    )
    env = {
        **os.environ,
        "PING_GROUP_RANGE": ping_group_range,
        "PYTHON": sys.executable,
        "PROBE": __file__,
        "PYTHONPATH": str(REPO),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        ["unshare", "--net", "--", "sh", "-c", script, "sh", *hosts],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


async def _probe(hosts: list[str]) -> list[list]:
    from monitors.engine import CheckSpec, EngineContext, run_check

    context = EngineContext()
    results = []
    for host in hosts:
        spec = CheckSpec(type="ping", timeout=2.0, host=host, ping_count=3, allow_private=True)
        result = await run_check(spec, context)
        results.append([result.status, result.error, result.response_time_ms])
    return results


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_probe(sys.argv[1:]))))
