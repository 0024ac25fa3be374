"""Our signaling server (`call serve`) against python-socketio, an
independent Socket.IO v5 / Engine.IO v4 implementation: joins, user lists,
relays between two python clients, error envelopes, and the HTTP side.
"""

import json
import subprocess
import urllib.error
import urllib.request

import pytest

from conftest import REPO_ROOT, Peer, import_or_missing

RELAYED = ["call", "offer", "answer", "candidate", "accept", "reject", "busy", "hangup"]


def test_join_leave_and_user_list(peers):
    ann = peers("1001", "10012", "Ann")
    assert ann.next_msg() == {
        "type": "join", "msg": "1001 join then room", "status": 200,
        "data": {"userId": "1001", "nickname": "Ann"},
    }
    bob = peers("1002", "10012", "Bob")
    assert bob.next_msg()["data"] == {"userId": "1002", "nickname": "Bob"}
    assert ann.next_msg()["data"] == {"userId": "1002", "nickname": "Bob"}

    ann.emit("roomUserList", {"roomId": "10012"})
    event, users = ann.next()
    assert event == "roomUserList"
    assert users == [
        {"userId": "1001", "roomId": "10012", "nickname": "Ann", "pub": None},
        {"userId": "1002", "roomId": "10012", "nickname": "Bob", "pub": None},
    ]

    bob.close()
    assert ann.next_msg() == {
        "type": "leave", "msg": "1002 leave then room", "status": 200,
        "data": {"userId": "1002", "nickname": "Bob"},
    }


@pytest.mark.parametrize("event", RELAYED)
def test_two_python_clients_relay_through_our_server(peers, event):
    caller = peers("1", "room")
    callee = peers("2", "room")
    caller.next_msg()
    caller.next_msg()
    callee.next_msg()
    payload = {
        "userId": "1", "targetUid": "2",
        "offer": {"type": "offer", "sdp": "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"},
        "candidate": {"candidate": "candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host",
                      "sdpMid": "0", "sdpMLineIndex": 0, "usernameFragment": "abcd"},
    }
    caller.emit(event, payload)
    envelope = callee.next_msg()
    assert envelope["type"] == event
    assert envelope["status"] == 200
    assert envelope["data"] == payload
    # And back the other way.
    callee.emit(event, {"userId": "2", "targetUid": "1"})
    assert caller.next_msg()["data"] == {"userId": "2", "targetUid": "1"}


def test_msg_is_broadcast_to_the_room_only(peers):
    a = peers("1", "room")
    b = peers("2", "room")
    outsider = peers("3", "other")
    a.next_msg(); a.next_msg(); b.next_msg(); outsider.next_msg()
    a.emit("msg", {"text": "hello", "from": "1"})
    for peer in (a, b):
        assert peer.next() == ("msg", {"text": "hello", "from": "1"})
    outsider.expect_nothing()


@pytest.mark.parametrize(
    "payload, status",
    [
        ({"userId": "2", "targetUid": "2"}, 403),   # spoofed sender
        ({"userId": "1", "targetUid": "3"}, 404),   # target in another room
        ({"userId": "1", "targetUid": "404"}, 404),  # target offline
        ({"userId": "1"}, 400),                      # no target
    ],
)
def test_error_envelopes(peers, payload, status):
    a = peers("1", "room")
    b = peers("2", "room")
    c = peers("3", "other")
    a.next_msg(); a.next_msg(); b.next_msg(); c.next_msg()
    a.emit("offer", payload)
    error = a.next_msg()
    assert error["type"] == "error"
    assert error["status"] == status
    assert error["data"]["event"] == "offer"
    assert error["data"].get("targetUid") == payload.get("targetUid")
    b.expect_nothing(0.1)
    c.expect_nothing(0.1)
    # The sender is still served.
    a.emit("call", {"userId": "1", "targetUid": "2"})
    assert b.next_msg()["type"] == "call"


def test_a_second_connection_replaces_the_first(peers):
    first = peers("1", "room")
    other = peers("2", "room")
    first.next_msg(); first.next_msg(); other.next_msg()
    second = peers("1", "room")
    told = first.next_msg()
    assert told["status"] == 409
    assert told["msg"] == "replaced by a new connection for user 1"
    assert other.next_msg()["type"] == "join"
    other.expect_nothing()  # no leave for the replaced connection
    other.emit("call", {"userId": "2", "targetUid": "1"})
    second.next_msg()  # its own join
    assert second.next_msg()["type"] == "call"


def test_http_side(signaling_server):
    host, port = signaling_server
    with urllib.request.urlopen(f"http://{host}:{port}/", timeout=5) as response:
        page = response.read().decode()
        assert response.status == 200
        assert "signaling server" in page and "/socket.io/" in page
    for path in ("/nothing", "/..%2F..%2Fetc%2Fpasswd", "/.git"):
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"http://{host}:{port}{path}", timeout=5)
        assert caught.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"http://{host}:{port}/socket.io/?EIO=4&transport=polling&userId=1&roomId=r", timeout=5)
    assert caught.value.code == 400
    assert "websocket" in json.loads(caught.value.read())["message"]


def test_a_taken_port_is_one_clear_line_and_exit_1(call_binary, signaling_server):
    _, port = signaling_server
    result = subprocess.run(
        [str(call_binary), "serve", "--port", str(port)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=20
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == f"call: port {port} is in use; pass --port to pick another"


def test_bad_flag_values_are_refused(call_binary):
    result = subprocess.run(
        [str(call_binary), "serve", "--max-users-per-room", "0"], capture_output=True, text=True, timeout=20
    )
    assert result.returncode != 0
    assert "max-users-per-room" in result.stderr


def test_room_limit_from_the_command_line(start_server):
    socketio = import_or_missing("socketio")
    host, port, _ = start_server("--max-users-per-room", "1")
    first = Peer(socketio, host, port, "1", "room")
    try:
        refused = Peer(socketio, host, port, "2", "room")
        envelope = refused.next_msg()
        assert envelope["status"] == 503
        refused.close()
    finally:
        first.close()


def test_a_client_that_stops_reading_is_dropped(peers, signaling_server):
    """The server bounds what it queues for one client; a stalled reader is cut off, the others go on."""
    websocket = import_or_missing("websocket")
    host, port = signaling_server
    sender = peers("1", "room")
    sender.next_msg()
    stalled = websocket.create_connection(
        f"ws://{host}:{port}/socket.io/?EIO=4&transport=websocket&userId=2&roomId=room", timeout=10
    )
    assert stalled.recv().startswith("0{")
    stalled.send("40")
    assert sender.next_msg()["data"]["userId"] == "2"
    # From here on `stalled` reads nothing. Offers to it add up to far more than the socket buffers hold.
    offer = {"userId": "1", "targetUid": "2", "offer": {"type": "offer", "sdp": "x" * 60_000}}
    left = None
    for _ in range(2000):
        sender.emit("offer", offer)
        while not sender.events.empty():
            event, data = sender.events.get_nowait()
            if event == "msg" and data.get("type") == "leave":
                left = data
        if left:
            break
    while left is None:
        event, data = sender.next(timeout=10)
        if event == "msg" and data.get("type") == "leave":
            left = data
    assert left["data"]["userId"] == "2"
    stalled.close()
    # The sender is still served, and the room knows user 2 is gone.
    sender.emit("roomUserList", {"roomId": "room"})
    while True:
        # The server first works through the offers queued before this (megabytes of
        # them): on a loaded machine that takes seconds.
        event, data = sender.next(timeout=30)
        if event == "roomUserList":
            assert [u["userId"] for u in data] == ["1"]
            break
