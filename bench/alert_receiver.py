"""Local Slack-style receivers for bench/alerts.py: one aiohttp process, one path per channel.

POST /r/<n> answers 200 at once, after 2 s for paths listed as slow, never (well past any
timeout) for paths listed as hanging. Every request's arrival time, path and the monitor
id its message names (the first `mon_…` id in the body: the dashboard link) are kept;
GET /dump returns them and clears the list.

Usage: python bench/alert_receiver.py PORT SLOW_PATHS HANGING_PATHS   (comma-separated numbers)
"""

import asyncio
import re
import sys
import time

from aiohttp import web

port, slow, hanging = int(sys.argv[1]), set(sys.argv[2].split(",")) - {""}, set(sys.argv[3].split(",")) - {""}
received: list[tuple[float, str, str]] = []
MONITOR_ID = re.compile(rb"mon_[a-z0-9]{20}")


async def hook(request: web.Request) -> web.Response:
    arrived = time.time()
    body = await request.read()
    number = request.match_info["n"]
    if number in hanging:
        await asyncio.sleep(3600)
    if number in slow:
        await asyncio.sleep(2)
    found = MONITOR_ID.search(body)
    received.append((arrived, number, found.group().decode() if found else ""))
    return web.Response(text="ok")


async def dump(request: web.Request) -> web.Response:
    data = list(received)
    received.clear()
    return web.json_response(data)


app = web.Application()
app.router.add_post("/r/{n}", hook)
app.router.add_get("/dump", dump)
web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None, backlog=4096)
