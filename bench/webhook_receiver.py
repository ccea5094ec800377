"""Local webhook receivers for bench/webhooks.py: one aiohttp process, one path per endpoint.

POST /r/<n> answers 200 at once, after 2 s for paths listed as slow, never (well past any
timeout) for paths listed as hanging. Every request's arrival time, path and the
monitor id in its body are kept; GET /dump returns them and clears the list.

Usage: python bench/webhook_receiver.py PORT SLOW_PATHS HANGING_PATHS   (comma-separated numbers)
"""

import asyncio
import json
import sys
import time

from aiohttp import web

port, slow, hanging = int(sys.argv[1]), set(sys.argv[2].split(",")) - {""}, set(sys.argv[3].split(",")) - {""}
received: list[tuple[float, str, str]] = []


async def hook(request: web.Request) -> web.Response:
    arrived = time.time()
    body = await request.read()
    number = request.match_info["n"]
    if number in hanging:
        await asyncio.sleep(3600)
    if number in slow:
        await asyncio.sleep(2)
    received.append((arrived, number, json.loads(body)["monitor"]["id"]))
    return web.Response(text="ok")


async def dump(request: web.Request) -> web.Response:
    data = list(received)
    received.clear()
    return web.json_response(data)


app = web.Application()
app.router.add_post("/r/{n}", hook)
app.router.add_get("/dump", dump)
web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None, backlog=4096)
