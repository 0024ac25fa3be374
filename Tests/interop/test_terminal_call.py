"""Two of our terminals (`call --no-ui`) in a call with each other through our
signaling server: the chat channel, lines typed before it opens, wide
characters, hang-up; and the same call forced through coturn (relay only)."""

from conftest import ROOM


def test_two_terminals_chat_and_a_chat_line_typed_early_waits_for_the_channel(terminal):
    alice = terminal("1001")
    bob = terminal("1002", "--auto-answer")
    alice.expect(event="users", users=[{"userId": "1002", "nickname": "1002"}])
    alice.send("call 1002")
    # Typed while the call is still being set up: sent once the channel opens.
    alice.send("chat typed before the channel opened")
    alice.expect_state("inCall", role="caller", timeout=20)
    bob.expect_state("inCall", role="callee", timeout=20)
    bob.expect(event="chat", text="typed before the channel opened", timeout=10)
    bob.send("chat 日本語 and emoji 🎉")
    alice.expect(event="chat", text="日本語 and emoji 🎉", **{"from": "1002"})

    bob.send("hangup")
    alice.expect_state("ended", reason="1002 hung up")
    assert alice.quit() == 0
    assert bob.quit() == 0


def test_chat_without_a_call_says_so(terminal):
    ours = terminal("1001")
    ours.send("chat anyone?")
    ours.expect(event="notice", message="chat needs a call: call someone first")
    assert ours.quit() == 0


def test_two_terminals_chat_through_a_turn_relay_only(terminal, turn_server):
    relay = ["--ice-server", f"turn:u:p@127.0.0.1:{turn_server}", "--relay-only"]
    alice = terminal("1001", *relay)
    bob = terminal("1002", "--auto-answer", *relay)
    alice.expect(event="users", users=[{"userId": "1002", "nickname": "1002"}])
    alice.send("call 1002")
    alice.expect_state("inCall", role="caller", timeout=20)
    alice.expect(event="notice", message="chat is open", timeout=10)
    alice.send("chat through the relay")
    bob.expect(event="chat", text="through the relay", timeout=10)
    alice.send("stats")
    stats = alice.expect(event="stats", timeout=5)
    assert stats["localCandidateType"] == "relay", stats
    alice.send("hangup")
    bob.expect_state("ended", reason="1001 hung up")
    assert alice.quit() == 0
    assert bob.quit() == 0


def test_bad_ice_server_flags_are_refused_with_what_to_use(call_binary, tmp_path):
    import subprocess

    for flags, message in [
        (["--ice-server", "stun:"], 'bad ICE server "stun:": no host'),
        (["--ice-server", "turn:example.org:3478"], "a TURN server needs USER:PASS@"),
        (["--relay-only"], "--relay-only needs a TURN server"),
    ]:
        result = subprocess.run([str(call_binary), "--user", "1", "--room", "r", "--no-ui", *flags,
                                 "--log-file", str(tmp_path / "log")], capture_output=True, text=True, timeout=20)
        assert result.returncode != 0, flags
        assert message in result.stderr, (flags, result.stderr)


def test_chat_goes_on_when_the_signaling_server_goes_away(start_server, call_binary, tmp_path):
    """DESIGN.md: once connected, the call needs no server. The server is stopped
    mid-call; chat still works both ways and a hang-up still reaches the peer
    (DTLS close_notify: the `hangup` through signaling cannot)."""
    from headless import HeadlessCall

    host, port, server = start_server()
    url = f"http://{host}:{port}"
    alice = HeadlessCall(call_binary, "1001", ROOM, url, tmp_path)
    bob = HeadlessCall(call_binary, "1002", ROOM, url, tmp_path, ["--auto-answer"])
    try:
        alice.expect(event="users", users=[{"userId": "1002", "nickname": "1002"}], timeout=10)
        alice.send("call 1002")
        alice.expect_state("inCall", timeout=20)
        alice.expect(event="notice", message="chat is open", timeout=10)
        server.stop()
        alice.expect(event="signaling", status="reconnecting", timeout=10)
        bob.expect(event="signaling", status="reconnecting", timeout=10)
        alice.send("chat still here without a server")
        bob.expect(event="chat", text="still here without a server", timeout=10)
        bob.send("chat and so am I")
        alice.expect(event="chat", text="and so am I", timeout=10)
        alice.send("hangup")
        bob.expect_state("ended", reason="1001 hung up", timeout=10)
        assert alice.quit() == 0 and bob.quit() == 0
    finally:
        for client in (alice, bob):
            if client.process.poll() is None:
                client.process.kill()
                client.process.wait()
