"""Our headless client against aiortc (PyPI), a WebRTC stack nobody here wrote,
through our signaling server: ICE, DTLS and SCTP come up in both roles and the
`chat` data channel carries text both ways; hang-ups and a vanished peer end
the call."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOM, import_or_missing
from headless import JsonLinesProcess

PEER_SCRIPT = Path(__file__).resolve().parent / "aiortc_peer.py"


class AiortcPeer(JsonLinesProcess):
    """Tests/interop/aiortc_peer.py as a child process: JSON lines both ways."""

    def __init__(self, server, user, call=None, video=False, audio_tone=None):
        args = [sys.executable, str(PEER_SCRIPT), "--server", server, "--user", user, "--room", ROOM]
        if call:
            args += ["--call", call]
        if video:
            args.append("--video")
        if audio_tone is not None:
            args += ["--audio-tone", str(audio_tone)]
        super().__init__("aiortc", args)

    def send(self, **command):
        self.write_line(json.dumps(command))

    def expect(self, timeout=15.0, **fields):
        return super().expect(timeout=timeout, **fields)

    def stop(self):
        if self.process.poll() is None:
            try:
                self.send(quit=True)
                self.process.wait(timeout=10)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


@pytest.fixture
def aiortc_peer(signaling_server):
    import_or_missing("aiortc")
    import_or_missing("socketio")
    import_or_missing("aiohttp")
    host, port = signaling_server
    started = []

    def start(user, call=None, video=False, audio_tone=None):
        peer = AiortcPeer(f"http://{host}:{port}", user, call, video, audio_tone)
        started.append(peer)
        peer.expect(event="ready")
        return peer

    yield start
    for peer in started:
        peer.stop()


def chat_both_ways(ours, theirs):
    ours.send("chat héllo from the terminal ✓")
    theirs.expect(event="chat", text="héllo from the terminal ✓")
    ours.expect(event="chat", text="echo: héllo from the terminal ✓", timeout=10)
    theirs.send(chat="hi from aiortc")
    ours.expect(event="chat", text="hi from aiortc", timeout=10)


def test_we_call_aiortc_and_chat_then_hang_up(terminal, aiortc_peer):
    ours = terminal("1001")
    theirs = aiortc_peer("1002")
    ours.expect(event="users", users=[{"userId": "1002", "nickname": "1002"}])
    ours.send("call 1002")
    theirs.expect(event="incoming", **{"from": "1001"})
    ours.expect_state("inCall", peer="1002", role="caller", timeout=20)
    theirs.expect(event="channel", label="chat", state="open")
    ours.expect(event="notice", message="chat is open", timeout=10)
    chat_both_ways(ours, theirs)

    ours.send("hangup")
    ours.expect_state("ended", reason="you hung up on 1002")
    theirs.expect(event="signal", type="hangup")
    assert ours.quit() == 0


def test_aiortc_calls_us_and_chats_then_closes_without_a_hangup(terminal, aiortc_peer):
    """aiortc as the offerer (DTLS server, SCTP from both ends), and the seed-page habit of
    vanishing: closing its peer connection with no `hangup` ends our call at once (DTLS
    close_notify / SCTP abort), not after consent freshness gives up."""
    ours = terminal("1001", "--auto-answer")
    theirs = aiortc_peer("1002", call="1001")
    ours.expect_state("inCall", peer="1002", role="callee", timeout=20)
    theirs.expect(event="channel", label="chat", state="open")
    ours.expect(event="notice", message="chat is open", timeout=10)
    chat_both_ways(ours, theirs)

    # Large messages both ways (aiortc accepts 64 KiB), and a channel aiortc opens itself.
    theirs.send(chat="x" * 65536)
    big = ours.expect(event="chat", timeout=10, **{"from": "1002"})
    assert big["text"] == "x" * 65536
    ours.send("chat " + "y" * 60000)
    theirs.expect(event="chat", text="<60000 characters>")
    theirs.send(open="fromaiortc")
    theirs.expect(event="channel", label="fromaiortc", state="open")
    ours.expect(event="notice", message='the peer opened a data channel "fromaiortc"; only chat is shown here')

    theirs.send(close=True)
    ended = ours.expect_state("ended", timeout=10)
    assert ended["reason"] == "1002 hung up", ended
    assert ours.quit() == 0


@pytest.mark.parametrize("we_call", [True, False], ids=["we-offer", "aiortc-offers"])
def test_video_both_ways_with_aiortc(terminal, aiortc_peer, we_call):
    """Our VP8 test pattern decoded by aiortc (PyAV's libvpx) and aiortc's test video
    decoded by us, with aiortc's payload types (VP8 is 97 in its offers)."""
    if we_call:
        ours = terminal("1001")
        theirs = aiortc_peer("1002", video=True)
        ours.expect(event="users", users=[{"userId": "1002", "nickname": "1002"}])
        ours.send("call 1002")
    else:
        ours = terminal("1001", "--auto-answer")
        theirs = aiortc_peer("1002", call="1001", video=True)
    ours.expect_state("inCall", timeout=20)
    received = theirs.expect(event="video", frames=10, timeout=20)
    assert (received["width"], received["height"]) == (640, 360), received
    stats = ours.stats_until(lambda s: s.get("framesDecoded", 0) > 3, "decoding aiortc's video")
    assert (stats["frameWidth"], stats["frameHeight"]) == (640, 480), stats
    ours.send("hangup")
    ours.expect_state("ended")
    assert ours.quit() == 0
