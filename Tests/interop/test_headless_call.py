"""Our headless client (`call --no-ui`) against python-socketio peers that act
like the seed's browser page, through our server and through a seed-style
python-socketio server that knows none of our extensions."""

import subprocess
from pathlib import Path

import pytest

from headless import HeadlessCall

FIXTURES = Path(__file__).resolve().parents[1] / "SDPTests" / "Fixtures"


def description(kind, fixture):
    """A real aiortc description whose candidates are one closed loopback port: our
    peer connection accepts it, and its checks go nowhere but this machine."""
    candidate = "a=candidate:1 1 udp 2122260223 127.0.0.1 9 typ host"
    lines = [candidate if line.startswith("a=candidate:") else line
             for line in (FIXTURES / fixture).read_text().splitlines()]
    deduplicated = [line for i, line in enumerate(lines) if line != candidate or lines[i - 1] != candidate]
    return {"type": kind, "sdp": "\r\n".join(deduplicated) + "\r\n"}


OFFER = description("offer", "aiortc-offer.sdp")
ANSWER = description("answer", "aiortc-answer.sdp")
CANDIDATE = {"candidate": "candidate:2 1 udp 2122260223 127.0.0.1 7 typ host", "sdpMid": "0",
             "sdpMLineIndex": 0, "usernameFragment": None}


@pytest.fixture
def headless(call_binary, tmp_path):
    started = []

    def start(user, room, server, *extra):
        client = HeadlessCall(call_binary, user, room, server, tmp_path, extra)
        started.append(client)
        return client

    yield start
    for client in started:
        if client.process.poll() is None:
            client.process.kill()
            client.process.wait()


def test_a_page_calls_us_offer_first_and_we_accept_then_it_hangs_up(signaling_server, peers, headless):
    host, port = signaling_server
    ours = headless("1001", "10012", f"http://{host}:{port}")
    ours.expect(event="signaling", status="connected")
    page = peers("1002", "10012")
    ours.expect(event="users", users=[{"userId": "1002", "nickname": "1002"}])

    # The seed page sends its offer and candidates right after `call`.
    page.emit("call", {"userId": "1002", "targetUid": "1001"})
    page.emit("offer", {"userId": "1002", "targetUid": "1001", "offer": OFFER})
    page.emit("candidate", {"userId": "1002", "targetUid": "1001", "candidate": CANDIDATE})
    ours.expect(event="incoming", **{"from": "1002"})

    ours.send("accept")
    ours.expect_state("connecting", peer="1002", role="callee")
    accept = page.next_msg(skip_types=("join", "leave"))
    assert accept["type"] == "accept" and accept["data"] == {"userId": "1001", "targetUid": "1002"}

    page.emit("hangup", {"userId": "1002", "targetUid": "1001"})
    ours.expect_state("ended", reason="1002 hung up")
    ours.expect_state("inRoom")
    assert ours.quit() == 0


def test_we_call_a_page_that_rejects_then_is_busy_then_answers(signaling_server, peers, headless):
    host, port = signaling_server
    ours = headless("1001", "10012", f"http://{host}:{port}")
    page = peers("1002", "10012")
    ours.expect(event="users", users=[{"userId": "1002", "nickname": "1002"}])

    # Each call is followed by our offer and trickled candidates; this page only signals.
    media = ("join", "leave", "offer", "candidate")
    ours.send("call 1002")
    call = page.next_msg(skip_types=("join", "leave"))
    assert call["type"] == "call" and call["data"] == {"userId": "1001", "targetUid": "1002"}
    offer = page.next_msg(skip_types=("join", "leave"))
    assert offer["type"] == "offer" and "a=fingerprint:sha-256 " in offer["data"]["offer"]["sdp"]
    page.emit("reject", {"userId": "1002", "targetUid": "1001"})
    ours.expect_state("ended", reason="1002 declined the call")
    ours.expect_state("inRoom")

    ours.send("call 1002")
    assert page.next_msg(skip_types=media)["type"] == "call"
    page.emit("busy", {"userId": "1002", "targetUid": "1001"})
    ours.expect_state("ended", reason="1002 is busy")
    ours.expect_state("inRoom")

    # A seed page answers without `accept`: the answer alone moves us on.
    ours.send("call 1002")
    assert page.next_msg(skip_types=media)["type"] == "call"
    page.emit("answer", {"userId": "1002", "targetUid": "1001", "answer": ANSWER})
    ours.expect_state("connecting", peer="1002", role="caller")
    page.emit("candidate", {"userId": "1002", "targetUid": "1001", "candidate": CANDIDATE})

    ours.send("hangup")
    assert page.next_msg(skip_types=media)["type"] == "hangup"
    ours.expect_state("ended", reason="you hung up on 1002")
    assert ours.quit() == 0


def test_a_second_caller_gets_busy_and_an_offline_target_gives_an_error(signaling_server, peers, headless):
    host, port = signaling_server
    ours = headless("1001", "10012", f"http://{host}:{port}", "--auto-answer")
    ours.expect(event="signaling", status="connected")
    first = peers("1002", "10012")
    second = peers("1003", "10012")
    first.emit("call", {"userId": "1002", "targetUid": "1001"})
    ours.expect_state("connecting", peer="1002", role="callee")
    assert first.next_msg(skip_types=("join", "leave"))["type"] == "accept"

    second.emit("call", {"userId": "1003", "targetUid": "1001"})
    busy = second.next_msg(skip_types=("join", "leave"))
    assert busy["type"] == "busy" and busy["data"] == {"userId": "1001", "targetUid": "1003"}

    first.emit("hangup", {"userId": "1002", "targetUid": "1001"})
    ours.expect_state("inRoom")
    ours.send("call 4242")
    ours.expect(event="error")
    ours.expect_state("ended", peer="4242")
    assert ours.quit() == 0


def test_against_a_seed_style_server_we_degrade_gracefully(seed_server, headless):
    import socketio

    host, port = seed_server
    ours = headless("1001", "10012", f"http://{host}:{port}")
    ours.expect(event="signaling", status="connected")
    page = socketio.Client(reconnection=False)
    received = []
    page.on("msg", received.append)
    page.connect(f"http://{host}:{port}?userId=1002&roomId=10012&nickname=page", transports=["websocket"])
    ours.expect(event="users", users=[{"userId": "1002", "nickname": "page"}])

    page.emit("call", {"userId": "1002", "targetUid": "1001"})
    page.emit("offer", {"userId": "1002", "targetUid": "1001", "offer": OFFER})
    ours.expect(event="incoming", **{"from": "1002"})
    ours.send("accept")
    ours.expect_state("connecting", role="callee")

    # The page leaves without a hangup (the seed has none): the leave broadcast ends our call.
    page.disconnect()
    ours.expect_state("ended", reason="1002 left the room")
    ours.expect_state("inRoom")
    # Our `accept` was not forwarded by the seed server; the page saw only join envelopes.
    assert {m["type"] for m in received} <= {"join", "leave"}
    assert ours.quit() == 0


def test_without_a_server_the_client_hosts_one_on_the_default_port(call_binary, tmp_path, headless):
    """`call` with no --server and nothing on :18080 hosts the server itself."""
    import socket

    probe = socket.socket()
    try:
        if probe.connect_ex(("127.0.0.1", 18080)) == 0:
            pytest.fail("something already listens on 127.0.0.1:18080; this test needs the default port free")
    finally:
        probe.close()
    host_client = headless("1001", "10012", None)
    host_client.expect(event="notice", message="hosting signaling on :18080")
    host_client.expect(event="signaling", status="connected")
    guest = headless("1002", "10012", None)
    guest.expect(event="users", users=[{"userId": "1001", "nickname": "1001"}])
    assert guest.quit() == 0
    assert host_client.quit() == 0


def test_an_unreachable_explicit_server_prints_one_clear_line(call_binary, tmp_path):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    result = subprocess.run([str(call_binary), "--user", "1", "--room", "r", "--no-ui", "--server",
                             f"http://127.0.0.1:{port}", "--log-file", str(tmp_path / "log")],
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"call: cannot reach the signaling server at 127.0.0.1:{port}"), lines


def test_a_bad_server_url_is_a_usage_error(call_binary, tmp_path):
    result = subprocess.run([str(call_binary), "--user", "1", "--room", "r", "--server", "ftp://x",
                             "--log-file", str(tmp_path / "log")], capture_output=True, text=True, timeout=20)
    assert result.returncode != 0
    assert "use http://, https://, ws:// or wss://" in result.stderr


def test_a_full_room_ends_the_client_with_the_servers_reason(start_server, headless):
    import socketio

    host, port, _ = start_server("--max-users-per-room", "1")
    first = socketio.Client(reconnection=False)
    first.connect(f"http://{host}:{port}?userId=1002&roomId=10012&nickname=a", transports=["websocket"])
    try:
        ours = headless("1001", "10012", f"http://{host}:{port}")
        ours.expect(event="signaling", status="stopped", reason="Room 10012 is full (1 users).")
        assert ours.process.wait(timeout=10) == 1
        assert ours.process.stderr.read().strip() == \
            "call: the signaling server ended our session: Room 10012 is full (1 users)."
    finally:
        first.disconnect()
