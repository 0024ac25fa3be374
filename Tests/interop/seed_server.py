"""A signaling server that behaves like the seed's Node server, written with
python-socketio (an independent Socket.IO implementation).

It knows only the seed's events: roomUserList, call, offer, answer, candidate
and msg. Our extensions (accept, reject, busy, hangup, error envelopes) do not
exist here, so a client tested against it shows how it degrades with a
seed-style server. Prints `listening on PORT` once bound (use --port 0).
It is also the anchor of the signaling-load benchmark (BENCHMARKS.md).
"""

import argparse
import asyncio
import sys
from urllib.parse import parse_qs

import socketio
from aiohttp import web


def envelope(kind, text, data, status=200):
    return {"type": kind, "msg": text, "status": status, "data": data}


def make_app():
    sio = socketio.AsyncServer(async_mode="aiohttp", transports=["websocket"], cors_allowed_origins="*")
    app = web.Application()
    sio.attach(app)
    users = {}  # userId -> sid
    rooms = {}  # roomId -> {userId: detail}
    who = {}  # sid -> (userId, roomId, nickname)

    async def to_user(uid, payload):
        sid = users.get(uid)
        if sid:
            await sio.emit("msg", payload, to=sid)

    async def to_room(room_id, payload):
        for uid in list(rooms.get(room_id, {})):
            await to_user(uid, payload)

    @sio.event
    async def connect(sid, environ, auth=None):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        uid = query.get("userId", [None])[0]
        room_id = query.get("roomId", [None])[0]
        nickname = query.get("nickname", [None])[0]
        pub = query.get("pub", [None])[0]
        who[sid] = (uid, room_id, nickname)
        users[uid] = sid
        if room_id:
            rooms.setdefault(room_id, {})[uid] = {"userId": uid, "roomId": room_id, "nickname": nickname, "pub": pub}
            await to_room(room_id, envelope("join", f"{uid} join then room", {"userId": uid, "nickname": nickname}))

    @sio.event
    async def disconnect(sid, *args):
        uid, room_id, nickname = who.pop(sid, (None, None, None))
        if users.get(uid) == sid:
            users.pop(uid, None)
        if room_id:
            rooms.get(room_id, {}).pop(uid, None)
            await to_room(room_id, envelope("leave", f"{uid} leave the room ", {"userId": uid, "nickname": nickname}))

    @sio.on("msg")
    async def on_msg(sid, data):
        await to_room(who[sid][1], data)

    @sio.on("roomUserList")
    async def on_room_user_list(sid, data):
        await sio.emit("roomUserList", list(rooms.get(data.get("roomId"), {}).values()), to=sid)

    def forward(kind, text):
        async def handler(sid, data):
            target = data.get("targetUid")
            if target in users:
                await to_user(target, envelope(kind, text, data))

        sio.on(kind, handler)

    forward("call", "remote call")
    forward("offer", "rtc offer")
    forward("answer", "rtc answer")
    forward("candidate", "ice candidate")
    return app


async def main(port):
    runner = web.AppRunner(make_app())
    await runner.setup()
    # A deep accept queue: the load benchmark connects thousands of clients at once.
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=4096)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]
    print(f"listening on {bound}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=18080)
    try:
        asyncio.run(main(parser.parse_args().port))
    except KeyboardInterrupt:
        sys.exit(0)
