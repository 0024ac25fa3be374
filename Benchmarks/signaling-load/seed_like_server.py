"""A signaling server that behaves like the seed's Node socket.io server,
written with python-socketio (AsyncServer on aiohttp): the anchor that
signaling-load is compared against. No checks, as in the seed: it trusts
the payloads and forwards by targetUid.

    .venv/bin/pip install python-socketio aiohttp
    .venv/bin/python Benchmarks/signaling-load/seed_like_server.py --port 18081
"""

import argparse
import sys
from urllib.parse import parse_qs

import socketio
from aiohttp import web

sio = socketio.AsyncServer(async_mode="aiohttp", transports=["websocket"], cors_allowed_origins="*")
users = {}  # sid -> {userId, roomId, nickname, pub}
sid_of = {}  # userId -> sid


@sio.event
async def connect(sid, environ, auth=None):
    query = parse_qs(environ.get("QUERY_STRING", ""))
    user = {
        "userId": query.get("userId", [""])[0],
        "roomId": query.get("roomId", [""])[0],
        "nickname": query.get("nickname", [""])[0] or query.get("userId", [""])[0],
        "pub": query.get("pub", [None])[0],
    }
    users[sid] = user
    sid_of[user["userId"]] = sid
    await sio.enter_room(sid, user["roomId"])
    await sio.emit("msg", {"type": "join", "msg": f"{user['userId']} join then room", "status": 200,
                           "data": {"userId": user["userId"], "nickname": user["nickname"]}}, room=user["roomId"])


@sio.event
async def disconnect(sid, *args):
    user = users.pop(sid, None)
    if user is None:
        return
    if sid_of.get(user["userId"]) == sid:
        del sid_of[user["userId"]]
    await sio.emit("msg", {"type": "leave", "msg": f"{user['userId']} leave then room", "status": 200,
                           "data": {"userId": user["userId"], "nickname": user["nickname"]}}, room=user["roomId"])


@sio.on("roomUserList")
async def room_user_list(sid, data):
    room = users[sid]["roomId"]
    await sio.emit("roomUserList", [u for u in users.values() if u["roomId"] == room], to=sid)


def make_relay(event):
    async def relay(sid, data):
        target = sid_of.get(str(data.get("targetUid")))
        if target is not None:
            await sio.emit("msg", {"type": event, "msg": f"{event} from {data.get('userId')}", "status": 200,
                                   "data": data}, to=target)
    return relay


for name in ("call", "offer", "answer", "candidate"):
    sio.on(name, make_relay(name))


@sio.on("msg")
async def msg(sid, data):
    await sio.emit("msg", data, room=users[sid]["roomId"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18081)
    args = parser.parse_args()
    app = web.Application()
    sio.attach(app)
    print(f"hosting signaling on {args.host}:{args.port}", flush=True)
    web.run_app(app, host=args.host, port=args.port, print=None, backlog=4096)


if __name__ == "__main__":
    sys.exit(main())
