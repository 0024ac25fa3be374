"""The browser call page (`assets/web/demo03-one2one.html`) served by our
server, driven in headless Chromium through its own buttons: two (or three)
real browsers call each other through `call serve`, chat over the `chat` data
channel, decode each other's video, switch sources without renegotiation and
hang up; and the same call forced through a coturn relay.

Under CI=true a missing chromium, chromedriver, turnserver or selenium fails.
"""

import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO_ROOT, ServerProcess, import_or_missing, missing_prerequisite

CHROMIUM = Path("/usr/lib/chromium/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ROOM = "10012"


# ---------------------------------------------------------------- fixtures


class BrowserPage:
    """One headless Chromium showing the call page for one user."""

    def __init__(self, driver, user_id):
        self.driver = driver
        self.user_id = user_id

    def hook(self, name):
        """A read-only field of `window.callPage`."""
        return self.driver.execute_script(f"return window.callPage && window.callPage.{name};")

    def stats(self):
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.callPage.stats().then(done, (error) => done({error: String(error)}));"
        )

    def click(self, css):
        self.driver.find_element("css selector", css).click()

    def wait_for(self, condition, what, timeout=20.0):
        """Polls `condition()` until truthy; fails with the page's state otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.1)
        pytest.fail(
            f"{self.user_id}: timed out waiting for {what}; state={self.hook('callState')} "
            f"peer={self.hook('peer')} endReason={self.hook('endReason')!r} lastError={self.hook('lastError')!r} "
            f"signaling={self.hook('signalingStatus')}"
        )

    def wait_state(self, state, timeout=20.0):
        self.wait_for(lambda: self.hook("callState") == state, f"call state {state}", timeout)

    def wait_user_listed(self, user_id):
        self.wait_for(
            lambda: self.driver.find_elements("css selector", f'#users li[data-user-id="{user_id}"] button.call'),
            f"{user_id} in the user list",
        )

    def call(self, user_id):
        self.wait_user_listed(user_id)
        self.click(f'#users li[data-user-id="{user_id}"] button.call')

    def send_chat(self, text):
        self.wait_for(lambda: self.hook("chatOpen"), "the chat channel to open")
        field = self.driver.find_element("css selector", "#chat-input")
        field.send_keys(text)
        self.click("#chat-send")

    def frames_decoded_growing(self):
        """framesDecoded now, then again once it has grown (fails if it does not)."""
        first = self.wait_for(lambda: self.stats()["framesDecoded"], "a first decoded frame")
        return first, self.wait_for(
            lambda: (lambda now: now if now > first else 0)(self.stats()["framesDecoded"]),
            f"framesDecoded to grow past {first}",
        )


@pytest.fixture
def browsers(signaling_server, tmp_path):
    """Factory: open the call page for a user in a fresh headless Chromium; all quit at teardown."""
    import_or_missing("selenium")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    if not CHROMIUM.exists():
        missing_prerequisite(f"chromium at {CHROMIUM} (apt-get install chromium)")
    if not CHROMEDRIVER.exists():
        missing_prerequisite(f"chromedriver at {CHROMEDRIVER} (apt-get install chromium-driver)")
    host, port = signaling_server
    opened = []

    def open_page(user_id, extra_query="", server=None):
        page_host, page_port = server or (host, port)
        options = Options()
        options.binary_location = str(CHROMIUM)
        for argument in (
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--user-data-dir={tmp_path / f'chromium-{len(opened)}-{user_id}'}",
        ):
            options.add_argument(argument)
        # An explicit driver path: selenium must not try to download one.
        driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
        opened.append(driver)
        driver.set_script_timeout(10)
        driver.get(f"http://{page_host}:{page_port}/demo03-one2one?userId={user_id}&roomId={ROOM}{extra_query}")
        page = BrowserPage(driver, user_id)
        page.wait_for(lambda: page.hook("signalingStatus") == "connected", "signaling to connect")
        return page

    yield open_page
    for driver in opened:
        try:
            driver.quit()
        except Exception:  # a crashed browser must not keep the others running
            pass


def connect(caller, callee):
    """caller presses Call, callee presses Accept; both reach inCall."""
    caller.call(callee.user_id)
    callee.wait_state("incoming")
    assert callee.driver.find_element("css selector", "#incoming-from").text == caller.user_id
    callee.click("#accept")
    caller.wait_state("inCall")
    callee.wait_state("inCall")


# ---------------------------------------------------------------- tests


def test_the_page_and_its_modules_are_served_with_their_content_types(signaling_server):
    host, port = signaling_server
    expected = {
        "/demo03-one2one?userId=1001&roomId=10012": "text/html",
        "/one2one-call.js": "text/javascript",
        "/signaling-client.js": "text/javascript",
        "/one2one-call.css": "text/css",
    }
    for path, content_type in expected.items():
        with urllib.request.urlopen(f"http://{host}:{port}{path}", timeout=5) as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith(content_type), path


def test_call_chat_video_source_switch_bitrate_and_hang_up(browsers):
    ann = browsers("1001")
    bob = browsers("1002")
    ann.wait_user_listed("1002")
    bob.wait_user_listed("1001")  # from the room user list, and for ann from bob's join

    connect(ann, bob)
    assert ann.hook("offersSent") == 1 and bob.hook("answersSent") == 1
    # Ann's candidates reached bob while his page was still ringing: queued, then all added.
    assert bob.hook("candidatesQueued") > 0
    bob.wait_for(lambda: bob.hook("candidatesAdded") >= bob.hook("candidatesQueued"), "the queued candidates added")

    ann.send_chat("hello from ann")
    bob.wait_for(lambda: {"from": "1001", "text": "hello from ann", "mine": False} in bob.hook("chat"), "ann's line")
    bob.send_chat("hi ann")
    ann.wait_for(lambda: {"from": "1002", "text": "hi ann", "mine": False} in ann.hook("chat"), "bob's line")
    assert [line["text"] for line in ann.hook("chat")] == ["hello from ann", "hi ann"]
    assert "hi ann" in ann.driver.find_element("css selector", "#chat-history").text

    # Video flows both ways: frames keep being decoded.
    ann.frames_decoded_growing()
    bob.frames_decoded_growing()
    # The page itself shows the stats every 2 s.
    ann.wait_for(lambda: ann.driver.find_element("css selector", "#stat-in-codec").text == "VP8", "stats on the page")
    assert "decoded" in ann.driver.find_element("css selector", "#stat-in-frames").text
    assert ann.driver.find_element("css selector", "#stat-rtt").text.endswith("ms")
    ann_stats = ann.stats()
    assert ann_stats["inboundCodec"] and ann_stats["inboundWidth"] > 0 and ann_stats["framesSent"] > 0

    ann.click("#toggle-video")
    assert ann.hook("videoEnabled") is False
    ann.click("#toggle-video")
    assert ann.hook("videoEnabled") is True
    ann.click("#toggle-mic")
    assert ann.hook("micEnabled") is False

    # camera -> test pattern through replaceTrack: no new offer, signaling stays stable,
    # and bob keeps decoding what ann now sends.
    camera_label = ann.hook("sentVideoTrackLabel")
    ann.click("#switch-source")
    ann.wait_for(lambda: ann.hook("videoSource") == "pattern", "the test pattern source")
    _, before_switch = bob.frames_decoded_growing()
    bob.wait_for(lambda: bob.stats()["framesDecoded"] > before_switch + 10, "frames of the test pattern")
    assert ann.hook("offersSent") == 1 and bob.hook("answersSent") == 1
    assert ann.hook("signalingState") == "stable" and bob.hook("signalingState") == "stable"
    assert ann.hook("sentVideoTrackLabel") != camera_label
    # The pattern is 16:9, the fake camera 4:3: bob's decoder sees the new source.
    bob.wait_for(lambda: (lambda s: s["inboundHeight"] and s["inboundWidth"] / s["inboundHeight"] > 1.7)(bob.stats()),
                 "16:9 frames of the test pattern")

    ann.click("#bitrate")
    ann.wait_for(lambda: ann.hook("maxBitrate()") == 256_000, "the 256 kbps cap")
    ann.click("#bitrate")
    ann.wait_for(lambda: ann.hook("maxBitrate()") == 1_000_000, "the 1 Mbps cap")
    ann.click("#bitrate")
    ann.wait_for(lambda: ann.hook("maxBitrate()") is None, "no cap")

    # Next source: the screen, which headless Chromium may refuse (then the page says so and
    # moves on to the camera); either way still the same sender and no renegotiation.
    ann.click("#switch-source")
    ann.wait_for(lambda: ann.hook("videoSource") in ("screen", "camera"), "the next source after the pattern")
    assert ann.hook("offersSent") == 1 and ann.hook("signalingState") == "stable"
    if ann.hook("videoSource") == "camera":
        assert "screen" in ann.driver.find_element("css selector", "#error").text
    bob.frames_decoded_growing()

    ann.click("#hangup")
    ann.wait_state("idle")
    bob.wait_state("idle")
    assert bob.hook("endReason") == "1001 hung up"
    assert ann.hook("endReason") == "you hung up"
    assert bob.hook("lastError") == ""
    # Tracks are stopped: nothing is shown locally any more.
    assert ann.driver.execute_script("return document.getElementById('local-video').srcObject") is None


def test_reject_and_a_third_caller_gets_busy(browsers):
    ann = browsers("1001")
    bob = browsers("1002")
    cat = browsers("1003")

    ann.call("1002")
    bob.wait_state("incoming")
    cat.call("1002")
    cat.wait_state("idle")
    assert cat.hook("endReason") == "1002 is busy"
    assert bob.hook("peer") == "1001"  # still ringing from ann

    bob.click("#reject")
    ann.wait_state("idle")
    bob.wait_state("idle")
    assert ann.hook("endReason") == "1002 rejected the call"



def test_a_seed_style_caller_that_leaves_ends_the_ringing(browsers, peers):
    """A python-socketio peer acting like the seed's page: `call` then the offer at once,
    no hangup; its leaving the room is what ends the ringing."""
    ann = browsers("1001")
    seed_page = peers("1009", ROOM, "seed")
    offer = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"}
    seed_page.emit("call", {"userId": "1009", "targetUid": "1001"})
    seed_page.emit("offer", {"userId": "1009", "targetUid": "1001", "offer": offer})
    ann.wait_state("incoming")
    assert ann.driver.find_element("css selector", "#incoming").is_displayed()
    seed_page.close()
    ann.wait_state("idle")
    assert ann.hook("endReason") == "1009 left the room"
    assert not ann.driver.find_element("css selector", "#incoming").is_displayed()


def test_the_call_goes_through_a_turn_relay_only(browsers, turn_server):
    relay_query = f"&ice=turn:u:p@127.0.0.1:{turn_server}&relay=1"
    ann = browsers("1001", relay_query)
    bob = browsers("1002", relay_query)
    assert ann.hook("relayOnly") is True
    assert ann.hook("iceServers") == [{"urls": f"turn:127.0.0.1:{turn_server}", "username": "u", "credential": "p"}]

    connect(ann, bob)
    for page in (ann, bob):
        page.frames_decoded_growing()
        stats = page.stats()
        assert stats["localCandidateType"] == "relay", stats
    ann.click("#hangup")
    bob.wait_state("idle")


def test_the_terminal_client_and_the_page_connect_chat_and_hang_up(browsers, signaling_server, call_binary, tmp_path):
    """Our headless terminal client and Chromium on the page, through our server, in
    both roles: ICE (Chromium's mDNS or host candidates), DTLS and SCTP come up, the
    `chat` channel carries text both ways, and a hang-up from either side ends both."""
    from headless import HeadlessCall

    host, port = signaling_server
    page = browsers("1001")
    with HeadlessCall(call_binary, "1002", ROOM, f"http://{host}:{port}", tmp_path) as terminal:
        # The page calls; the terminal answers Chromium's offer (it is the DTLS client).
        terminal.answer(page)
        page.wait_state("inCall")
        page.send_chat("hello from chromium ✓")
        terminal.expect(event="chat", text="hello from chromium ✓", timeout=10, **{"from": "1001"})
        terminal.send("chat and hello from the terminal 🎉")
        page.wait_for(lambda: any(line["text"] == "and hello from the terminal 🎉" and not line["mine"]
                                  for line in page.hook("chat")), "the terminal's chat line on the page")
        stats = page.stats()
        assert stats["connectionState"] == "connected", stats
        # Video both ways: Chromium decodes our VP8 test pattern, we decode its fake camera.
        page.frames_decoded_growing()
        assert page.stats()["inboundCodec"] == "VP8"
        ours = terminal.stats_until(lambda s: s.get("framesDecoded", 0) > 3, "decoding the page's video")
        assert ours["frameWidth"] > 0 and ours["framesSent"] > 0, ours
        # Audio both ways: Chromium's fake microphone beeps into our Opus decoder; our
        # (silent: no sound card here) Opus arrives in Chromium's inbound audio stats.
        # Waited for, not read once: three decoded frames can come before 400 ms of audio.
        terminal.stats_until(lambda s: s["audio"]["packetsReceived"] > 20, "the page's audio arriving")
        audio = page.wait_for(lambda: (lambda s: s if s["audioPacketsReceived"] > 20 else None)(page.stats()),
                              "our audio at the page")
        assert audio["audioInboundCodec"] == "audio/opus", audio
        # Our audio sender reports (RTP time to wall clock, for lip sync) reach Chromium.
        page.wait_for(lambda: page.stats()["audioSenderReports"] > 0, "Chromium to take our audio sender reports")
        terminal.send("hangup")
        page.wait_state("idle")
        assert page.hook("endReason") == "1002 hung up"

        # The terminal calls; Chromium answers our offer (we are the DTLS server).
        terminal.send("call 1001")
        page.wait_state("incoming")
        page.click("#accept")
        terminal.expect_state("inCall", role="caller", timeout=20)
        page.wait_state("inCall")
        terminal.expect(event="notice", message="chat is open", timeout=10)
        page.frames_decoded_growing()
        terminal.stats_until(lambda s: s.get("framesDecoded", 0) > 3, "decoding the page's video")
        terminal.send("chat ping")
        page.wait_for(lambda: any(line["text"] == "ping" for line in page.hook("chat")), "ping on the page")
        page.send_chat("pong")
        terminal.expect(event="chat", text="pong", timeout=10)
        page.click("#hangup")
        terminal.expect_state("ended", reason="1001 hung up", timeout=10)

        terminal.send("call 1001")
        page.wait_state("incoming")
        page.click("#reject")
        terminal.expect_state("ended")
        assert terminal.quit() == 0
        page.wait_for(lambda: not page.driver.find_elements("css selector", '#users li[data-user-id="1002"]'),
                      "the terminal user to leave the list")


def test_chromium_asks_for_a_keyframe_and_gets_one_from_us(browsers, signaling_server, call_binary, tmp_path):
    """Our first keyframe never leaves (CALL_SIMULATE_LOSE_FIRST_KEYFRAME), so the first
    frame Chromium assembles is a delta frame it cannot decode: Chromium asks for a
    keyframe with PLI at once, the request reaches us and is answered with a keyframe,
    which Chromium decodes, and the picture moves."""
    from headless import HeadlessCall

    host, port = signaling_server
    page = browsers("1001")
    with HeadlessCall(call_binary, "1002", ROOM, f"http://{host}:{port}", tmp_path,
                      env={"CALL_SIMULATE_LOSE_FIRST_KEYFRAME": "1"}) as terminal:
        terminal.answer(page)
        page.wait_for(lambda: page.stats()["pliCount"] > 0, "Chromium to ask for a keyframe")
        terminal.stats_until(lambda s: s.get("pliReceived", 0) > 0 and s.get("keyFramesEncoded", 0) >= 2,
                             "the keyframe request to reach us and be answered")
        page.wait_for(lambda: page.stats()["keyFramesDecoded"] >= 1, "Chromium to decode our answering keyframe")
        page.frames_decoded_growing()
        terminal.send("hangup")
        page.wait_state("idle")
        assert terminal.quit() == 0


def test_two_pages_on_a_seed_style_server_without_our_extensions(browsers, seed_server):
    """The pages signal through a server that forwards only the seed's events: no accept,
    no hangup. The answer counts as acceptance; the closing connection ends the other side."""
    host, port = seed_server
    via_seed = f"&signaling=http://{host}:{port}"
    ann = browsers("1001", via_seed)
    bob = browsers("1002", via_seed)
    connect(ann, bob)
    ann.send_chat("through the seed")
    bob.wait_for(lambda: any(line["text"] == "through the seed" for line in bob.hook("chat")), "ann's line")
    bob.frames_decoded_growing()
    ann.click("#hangup")
    ann.wait_state("idle")
    bob.wait_state("idle")
    assert bob.hook("endReason") == "1001 closed the connection"


def test_the_page_reconnects_and_rejoins_when_the_server_comes_back(browsers, call_binary):
    first = ServerProcess([str(call_binary), "serve", "--port", "0"], cwd=REPO_ROOT)
    second = None
    try:
        host, port = first.read_address()
        ann = browsers("1001", server=(host, port))
        assert first.stop() == 0
        ann.wait_for(lambda: ann.hook("signalingStatus") == "reconnecting", "the page to notice the server is gone")
        assert "retrying in" in ann.driver.find_element("css selector", "#signaling-status").text

        second = ServerProcess([str(call_binary), "serve", "--port", str(port)], cwd=REPO_ROOT)
        second.read_address()
        ann.wait_for(lambda: ann.hook("signalingStatus") == "connected", "the page to reconnect", timeout=30)
        # Back in the room on the new server: others see ann and ann sees them.
        bob = browsers("1002", server=(host, port))
        bob.wait_user_listed("1001")
        ann.wait_user_listed("1002")
    finally:
        first.stop()
        if second:
            assert second.stop() == 0


def test_a_second_page_for_the_same_user_replaces_the_first_which_stops(browsers):
    first = browsers("1001")
    second = browsers("1001")
    first.wait_for(lambda: first.hook("signalingStatus") == "stopped", "the replaced page to stop")
    assert "replaced" in first.driver.find_element("css selector", "#error").text
    time.sleep(1.5)  # longer than the first reconnect delay: the stopped page must not come back
    assert first.hook("signalingStatus") == "stopped"
    assert second.hook("signalingStatus") == "connected"


def test_calling_each_other_at_once_leaves_one_caller_and_one_ringing_callee(browsers):
    """Both press Call at the same moment (scheduled on the shared clock). Whatever order the
    calls cross in, one side rings and the other is the caller; after a real glare the lower
    user id (1001) is the caller, the same rule as the terminal client."""
    ann = browsers("1001")
    bob = browsers("1002")
    ann.wait_user_listed("1002")
    bob.wait_user_listed("1001")
    click_at = "const at = arguments[0]; setTimeout(() => document.querySelector(arguments[1]).click(), at - Date.now());"
    moment = int(time.time() * 1000) + 500
    ann.driver.execute_script(click_at, moment, '#users li[data-user-id="1002"] button.call')
    bob.driver.execute_script(click_at, moment, '#users li[data-user-id="1001"] button.call')
    ann.wait_for(lambda: {ann.hook("callState"), bob.hook("callState")} == {"outgoing", "incoming"}, "one ringing side")
    if bob.hook("glaresYielded"):
        assert ann.hook("callState") == "outgoing"
    callee = ann if ann.hook("callState") == "incoming" else bob
    caller = bob if callee is ann else ann
    callee.click("#accept")
    caller.wait_state("inCall")
    callee.wait_state("inCall")
    caller.frames_decoded_growing()
    assert ann.hook("lastError") == "" and bob.hook("lastError") == ""
    caller.click("#hangup")
    callee.wait_state("idle")


def test_bad_page_settings_are_explained_on_the_page(browsers):
    page = browsers("1001", "&ice=turn:127.0.0.1&ice=nonsense&relay=1")
    assert page.hook("iceServers") == [{"urls": "turn:127.0.0.1"}]
    assert "relay=1 needs a TURN server" not in page.hook("lastError")  # a TURN url was given
    assert page.driver.find_element("css selector", "#error").is_displayed()
    assert 'ignored ICE server "nonsense"' in page.driver.find_element("css selector", "#error").text

    without_turn = browsers("1002", "&relay=1")
    assert "relay=1 needs a TURN server" in without_turn.driver.find_element("css selector", "#error").text
