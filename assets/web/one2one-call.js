// The one-to-one call page: room user list, call/accept/reject/busy/hang up
// over our signaling wire, a WebRTC call with a `chat` data channel, video
// source switching without renegotiation, bitrate cap, mic mute and stats.
//
// Works with a seed-style server that does not forward our extensions
// (accept, reject, busy, hangup): the caller sends its offer right after
// `call`, the callee holds it until the user accepts, and an `answer` counts
// as acceptance.

import { SignalingClient } from "./signaling-client.js";

const BITRATE_CAPS = [256_000, 1_000_000, null]; // cycled by the bitrate button; null = unlimited
const STATS_INTERVAL_MS = 2000;
const HANGUP_GRACE_MS = 1000; // how long a closed chat channel waits for the peer's `hangup`
// 16:9, unlike the 4:3 of the usual camera, so the receiving side can tell the sources apart.
const PATTERN_SIZE = { width: 640, height: 360 };

// ---------------------------------------------------------------- settings

/**
 * Page settings from the query string: identity, and ICE servers as
 * `ice=turn:USER:PASS@HOST:PORT` (repeatable; `stun:HOST:PORT` without
 * credentials) with `relay=1` for a relay-only call.
 */
function readSettings(search) {
  const query = new URLSearchParams(search);
  const userId = query.get("userId") || "";
  const roomId = query.get("roomId") || "";
  const iceServers = [];
  const iceErrors = [];
  for (const text of query.getAll("ice")) {
    const server = parseIceServer(text);
    if (server) iceServers.push(server);
    else iceErrors.push(`ignored ICE server "${text}": expected stun:HOST:PORT or turn:USER:PASS@HOST:PORT`);
  }
  return {
    userId,
    roomId,
    nickname: query.get("nickname") || userId,
    iceServers,
    iceErrors,
    relayOnly: query.get("relay") === "1",
    // Signaling somewhere else than the server of the page, e.g. a seed-style server.
    signalingUrl: query.get("signaling") || location.origin,
  };
}

function parseIceServer(text) {
  const match = /^(stuns?|turns?):(?:([^:@]+):([^@]*)@)?([^@]+)$/.exec(text);
  if (!match) return null;
  const [, scheme, username, password, address] = match;
  const server = { urls: `${scheme}:${address}` };
  if (username !== undefined) {
    server.username = decodeURIComponent(username);
    server.credential = decodeURIComponent(password);
  }
  return server;
}

// ---------------------------------------------------------------- page state

const settings = readSettings(location.search);
const $ = (id) => document.getElementById(id);

const page = {
  users: [], // [{userId, nickname}] of everyone in the room but us
  callState: "idle", // idle | outgoing | incoming | connecting | inCall
  peer: null, // userId of the other side while not idle
  endReason: "", // why the last call ended
  lastEnded: null, // {peer, at}: the call that just ended, so its late offer does not ring again
  lastError: "",
  chat: [], // [{from, text, mine}]
  pc: null,
  chatChannel: null,
  pendingOffer: null, // offer that arrived before the user accepted
  pendingCandidates: [], // candidates that arrived before the remote description
  candidatesQueued: 0, // how many of this call's remote candidates had to wait (for tests and diagnosis)
  candidatesAdded: 0,
  candidatesStale: 0, // candidates of an abandoned attempt (another ICE username fragment), dropped
  callGeneration: 0, // changes whenever a call begins or is released: awaits check it to notice
  glaresYielded: 0, // times we dropped our own call because the peer called us at the same moment
  localStream: null, // what the preview shows: current video track + mic
  audioTrack: null,
  videoTrack: null,
  videoSender: null,
  videoSource: "camera", // camera | pattern | screen
  stopPattern: null,
  videoEnabled: true,
  micEnabled: true,
  bitrateCapIndex: -1, // index into BITRATE_CAPS; -1 = never set (unlimited)
  offersSent: 0,
  answersSent: 0,
  statsTimer: null,
  previousSample: null,
  signalingStatus: "starting",
};

function showError(message) {
  page.lastError = message;
  const banner = $("error");
  banner.textContent = message;
  banner.hidden = false;
}

function clearError() {
  $("error").hidden = true;
}

// ---------------------------------------------------------------- signaling

const signaling = new SignalingClient({
  baseUrl: settings.signalingUrl,
  identity: { userId: settings.userId, roomId: settings.roomId, nickname: settings.nickname },
  onEvent: handleSignalingEvent,
  onStatus: (status, detail) => {
    page.signalingStatus = status;
    $("signaling-status").textContent = detail ? `${status}: ${detail}` : status;
    if (status === "connected") signaling.emit("roomUserList", { roomId: settings.roomId });
    if (status === "stopped") showError(`Signaling stopped: ${detail}`);
  },
});

/** Sends a call-control event to the current peer; says so on screen when it cannot. */
function sendToPeer(event, extra = {}, peer = page.peer) {
  const sent = signaling.emit(event, { userId: settings.userId, targetUid: peer, ...extra });
  if (!sent) showError(`Could not send "${event}" to ${peer}: signaling is not connected.`);
  return sent;
}

function handleSignalingEvent(name, payload) {
  if (name === "roomUserList" && Array.isArray(payload)) {
    setUsers(payload.filter((user) => user.userId !== settings.userId));
  } else if (name === "msg" && payload && typeof payload === "object") {
    handleEnvelope(payload).catch((error) => showError(`Handling "${payload.type}" failed: ${error.message}`));
  }
}

async function handleEnvelope({ type, data, msg, status }) {
  const from = data?.userId;
  switch (type) {
    case "join":
      if (from !== settings.userId && !page.users.some((user) => user.userId === from)) {
        setUsers([...page.users, { userId: from, nickname: data.nickname || from }]);
      }
      return;
    case "leave":
      setUsers(page.users.filter((user) => user.userId !== from));
      if (from === page.peer && page.callState !== "idle") endCall(`${from} left the room`);
      return;
    case "error":
      if (data?.event === "connect") {
        // Refused or replaced by another tab of the same user: reconnecting
        // would only repeat it (or take the room back from that tab).
        signaling.stop(msg || "the server refused this page");
        if (page.callState !== "idle") endCall(msg || "signaling was refused");
        return;
      }
      showError(`Server: ${msg || "error"} (status ${status})`);
      if (data?.targetUid && data.targetUid === page.peer && page.callState !== "idle") {
        endCall(msg || `${data.targetUid} cannot be reached`);
      }
      return;
    case "call":
      return onIncomingCall(from);
    case "offer":
      return onOffer(from, data.offer);
    case "answer":
      return onAnswer(from, data.answer);
    case "candidate":
      return onRemoteCandidate(from, data.candidate);
    case "accept":
      if (from === page.peer && page.callState === "outgoing") setCallState("connecting");
      return;
    case "reject":
      if (from === page.peer) endCall(`${from} rejected the call`);
      return;
    case "busy":
      if (from === page.peer) endCall(`${from} is busy`);
      return;
    case "hangup":
      if (from === page.peer) endCall(`${from} hung up`);
      return;
    default:
      return;
  }
}

// ---------------------------------------------------------------- call flow

async function placeCall(target) {
  if (page.callState !== "idle") return;
  clearError();
  beginCall(target, "outgoing");
  const generation = page.callGeneration;
  if (!sendToPeer("call")) return endCall("signaling is not connected");
  try {
    await startMedia();
    if (callEndedWhileWaiting(generation)) return;
    const pc = createPeerConnection();
    // The caller creates the chat channel before the offer so that the
    // offer carries the data section and no renegotiation is needed.
    attachChatChannel(pc.createDataChannel("chat"));
    addLocalTracks(pc);
    await pc.setLocalDescription(await pc.createOffer());
    if (page.pc !== pc) return; // ended while the offer was being made
    page.offersSent += 1;
    sendToPeer("offer", { offer: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } });
  } catch (error) {
    showError(`Could not start the call: ${error.message}`);
    if (generation === page.callGeneration) hangUp();
  }
}

function onIncomingCall(from) {
  if (page.callState === "outgoing" && from === page.peer) {
    // Glare: we called each other at once. Same rule as the terminal client:
    // the lower user id stays the caller, the other drops its own attempt
    // (without telling the peer, whose call goes on) and rings.
    if (settings.userId < from) return;
    page.glaresYielded += 1;
    releaseCall();
    return beginCall(from, "incoming");
  }
  if (page.callState !== "idle") {
    // Ringing again from the peer we already deal with is not a second call.
    if (from !== page.peer) sendToPeer("busy", {}, from);
    return;
  }
  clearError();
  beginCall(from, "incoming");
}

/** Fresh per-call state for a call with `peer`, in `state` (outgoing or incoming). */
function beginCall(peer, state) {
  page.callGeneration += 1;
  page.peer = peer;
  page.pendingOffer = null;
  page.pendingCandidates = [];
  page.candidatesQueued = 0;
  page.candidatesAdded = 0;
  page.chat = [];
  renderChat();
  setCallState(state);
}

async function onOffer(from, offer) {
  if (!offer || typeof offer.sdp !== "string") return showError(`Malformed offer from ${from}.`);
  if (page.callState === "idle") {
    // The offer of a call we just ended crossed our reject or hang-up: not a new call.
    if (from === page.lastEnded?.peer && Date.now() - page.lastEnded.at < 5000) return;
    onIncomingCall(from); // a peer that skipped `call`
  }
  if (from !== page.peer) return; // that caller was already told we are busy
  if (page.pc?.signalingState === "have-local-offer") return; // glare: we stay the caller, see onIncomingCall
  if (!page.pc) {
    // Held until the user accepts, or until the media opened on accepting is
    // ready and the peer connection exists: acceptCall answers it then.
    page.pendingOffer = offer;
    return;
  }
  await answerOffer(offer); // accepted before the offer arrived, or a renegotiation
}

async function acceptCall() {
  if (page.callState !== "incoming") return;
  sendToPeer("accept");
  setCallState("connecting");
  const generation = page.callGeneration;
  try {
    await startMedia();
    if (callEndedWhileWaiting(generation)) return;
    const pc = createPeerConnection();
    addLocalTracks(pc);
    if (page.pendingOffer) {
      const offer = page.pendingOffer;
      page.pendingOffer = null;
      await answerOffer(offer);
    }
  } catch (error) {
    showError(`Could not answer the call: ${error.message}`);
    if (generation === page.callGeneration) hangUp();
  }
}

async function answerOffer(offer) {
  const pc = page.pc;
  await pc.setRemoteDescription(offer);
  await flushPendingCandidates();
  await pc.setLocalDescription(await pc.createAnswer());
  if (page.pc !== pc) return;
  page.answersSent += 1;
  sendToPeer("answer", { answer: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } });
}

/**
 * True when the call that started an await is over (ended, or replaced after
 * a glare) by the time the await returns; releases the media it opened.
 */
function callEndedWhileWaiting(generation) {
  if (generation === page.callGeneration) return false;
  if (!page.pc) stopMedia();
  return true;
}

function rejectCall() {
  if (page.callState !== "incoming") return;
  sendToPeer("reject");
  endCall("you rejected the call");
}

async function onAnswer(from, answer) {
  if (from !== page.peer || !page.pc) return;
  if (!answer || typeof answer.sdp !== "string") return showError(`Malformed answer from ${from}.`);
  // An answer means the callee accepted, even from a peer that never sends `accept`.
  if (page.callState === "outgoing") setCallState("connecting");
  await page.pc.setRemoteDescription(answer);
  await flushPendingCandidates();
}

async function onRemoteCandidate(from, candidate) {
  if (from !== page.peer || !candidate) return;
  // Until the remote description is set the browser cannot use a candidate:
  // keep it for later instead of dropping it.
  if (!page.pc || !page.pc.remoteDescription) {
    page.pendingCandidates.push(candidate);
    page.candidatesQueued += 1;
    return;
  }
  await addCandidate(candidate);
}

async function flushPendingCandidates() {
  const queued = page.pendingCandidates;
  page.pendingCandidates = [];
  for (const candidate of queued) await addCandidate(candidate);
}

async function addCandidate(candidate) {
  // After a glare the peer's first attempt may still trickle candidates of
  // its abandoned connection: they carry another ICE username fragment.
  const fragments = [...(page.pc.remoteDescription?.sdp ?? "").matchAll(/^a=ice-ufrag:(\S+)/gm)].map((m) => m[1]);
  if (candidate.usernameFragment && fragments.length && !fragments.includes(candidate.usernameFragment)) {
    page.candidatesStale += 1;
    return;
  }
  try {
    await page.pc.addIceCandidate(candidate);
    page.candidatesAdded += 1;
  } catch (error) {
    showError(`Ignored a bad ICE candidate from ${page.peer}: ${error.message}`);
  }
}

/** Hang up (or cancel a ringing call) from this side, telling the peer. */
function hangUp() {
  if (page.callState === "idle") return;
  sendToPeer("hangup");
  endCall("you hung up");
}

/** Tears the call down locally and goes back to idle, saying why. */
function endCall(reason) {
  releaseCall();
  if (page.peer) page.lastEnded = { peer: page.peer, at: Date.now() };
  page.peer = null;
  page.endReason = reason;
  setCallState("idle");
}

/** Releases what a call holds: connection, tracks, channel, timers, held signals. */
function releaseCall() {
  page.callGeneration += 1;
  clearInterval(page.statsTimer);
  page.statsTimer = null;
  page.previousSample = null;
  if (page.chatChannel) page.chatChannel.close();
  page.chatChannel = null;
  if (page.pc) page.pc.close();
  page.pc = null;
  page.videoSender = null;
  stopMedia();
  $("remote-video").srcObject = null;
  page.pendingOffer = null;
  page.pendingCandidates = [];
}

// ---------------------------------------------------------------- peer connection

function createPeerConnection() {
  const pc = new RTCPeerConnection({
    iceServers: settings.iceServers,
    iceTransportPolicy: settings.relayOnly ? "relay" : "all",
  });
  page.pc = pc;
  const peer = page.peer;
  pc.onicecandidate = ({ candidate }) => {
    if (candidate && page.pc === pc) sendToPeer("candidate", { candidate: candidate.toJSON() }, peer);
  };
  pc.ontrack = ({ track, streams }) => {
    const video = $("remote-video");
    const stream = streams[0] || video.srcObject || new MediaStream();
    if (!stream.getTracks().includes(track)) stream.addTrack(track);
    video.srcObject = stream;
  };
  pc.ondatachannel = ({ channel }) => {
    if (channel.label === "chat") attachChatChannel(channel);
  };
  pc.onconnectionstatechange = () => {
    if (page.pc !== pc) return;
    if (pc.connectionState === "connected") {
      if (page.lastError.startsWith("The connection to")) clearError();
      setCallState("inCall");
      startStats();
    } else if (pc.connectionState === "disconnected") {
      showError(`The connection to ${page.peer} is interrupted; waiting for it to come back.`);
    } else if (pc.connectionState === "failed") {
      const peer = page.peer;
      showError(`The connection to ${peer} failed: no working ICE path (check the ice= and relay= settings).`);
      sendToPeer("hangup");
      endCall(`the connection to ${peer} failed`);
    }
  };
  return pc;
}

function addLocalTracks(pc) {
  const stream = page.localStream;
  if (page.audioTrack) pc.addTrack(page.audioTrack, stream);
  page.videoSender = pc.addTrack(page.videoTrack, stream);
  if (page.bitrateCapIndex >= 0) applyBitrateCap().catch((error) => showError(error.message));
}

// ---------------------------------------------------------------- chat

function attachChatChannel(channel) {
  page.chatChannel = channel;
  channel.onopen = renderControls;
  channel.onclose = () => {
    renderControls();
    // The peer closing its connection closes the channel at once. A
    // seed-style server never forwards `hangup`, so this is how the call
    // ends there without waiting for ICE to time out. The close travels
    // peer to peer and usually beats the `hangup` through the server: give
    // that a moment to arrive, it says better what happened.
    if (page.chatChannel !== channel || page.callState !== "inCall") return;
    const pc = page.pc;
    setTimeout(() => {
      if (page.pc === pc && page.callState === "inCall") endCall(`${page.peer} closed the connection`);
    }, HANGUP_GRACE_MS);
  };
  channel.onmessage = ({ data }) => {
    if (typeof data === "string") addChatLine({ from: page.peer, text: data, mine: false });
  };
}

function sendChat(text) {
  const channel = page.chatChannel;
  if (!channel || channel.readyState !== "open") return showError("Chat is not open: it opens with the call.");
  channel.send(text);
  addChatLine({ from: settings.userId, text, mine: true });
}

function addChatLine(line) {
  page.chat.push(line);
  renderChat();
}

// ---------------------------------------------------------------- media

/** Microphone and camera for a call; the test pattern when there is no camera. */
async function startMedia() {
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  } catch (error) {
    showError(`No camera or microphone (${error.message}); sending a test pattern instead.`);
    stream = new MediaStream();
  }
  page.audioTrack = stream.getAudioTracks()[0] || null;
  page.videoTrack = stream.getVideoTracks()[0] || null;
  page.videoSource = "camera";
  if (!page.videoTrack) {
    page.videoTrack = startTestPattern();
    page.videoSource = "pattern";
  }
  page.videoEnabled = true;
  page.micEnabled = true;
  showLocalPreview();
}

function stopMedia() {
  if (page.audioTrack) page.audioTrack.stop();
  if (page.videoTrack) page.videoTrack.stop();
  if (page.stopPattern) page.stopPattern();
  page.stopPattern = null;
  page.audioTrack = null;
  page.videoTrack = null;
  page.localStream = null;
  $("local-video").srcObject = null;
}

function showLocalPreview() {
  page.localStream = new MediaStream([page.audioTrack, page.videoTrack].filter(Boolean));
  // The preview shows video only; the mic is never played back locally.
  $("local-video").srcObject = new MediaStream([page.videoTrack]);
}

/**
 * A generated video source: moving colour bars and a clock drawn on a canvas
 * and captured as a track. Always available, unlike a camera or screen
 * capture, so source switching can be shown and tested anywhere.
 */
function startTestPattern() {
  const canvas = document.createElement("canvas");
  canvas.width = PATTERN_SIZE.width;
  canvas.height = PATTERN_SIZE.height;
  const context = canvas.getContext("2d");
  const colours = ["#fff", "#ff0", "#0ff", "#0f0", "#f0f", "#f00", "#00f", "#000"];
  let frame = 0;
  const draw = () => {
    const barWidth = canvas.width / colours.length;
    const shift = (frame * 4) % canvas.width;
    colours.forEach((colour, index) => {
      context.fillStyle = colour;
      const x = (index * barWidth + shift) % canvas.width;
      context.fillRect(x, 0, barWidth + 1, canvas.height);
      if (x + barWidth > canvas.width) context.fillRect(x - canvas.width, 0, barWidth + 1, canvas.height);
    });
    context.fillStyle = "rgba(0,0,0,0.6)";
    context.fillRect(0, canvas.height - 60, canvas.width, 60);
    context.fillStyle = "#fff";
    context.font = "32px monospace";
    context.fillText(`${settings.userId}  ${new Date().toISOString().slice(11, 23)}`, 16, canvas.height - 20);
    frame += 1;
  };
  draw();
  // A timer rather than requestAnimationFrame: animation frames stop in
  // background tabs and the pattern must keep sending.
  const timer = setInterval(draw, 1000 / 30);
  const track = canvas.captureStream(30).getVideoTracks()[0];
  page.stopPattern = () => clearInterval(timer);
  return track;
}

async function openSource(source) {
  if (source === "camera") {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
    return stream.getVideoTracks()[0];
  }
  if (source === "screen") {
    if (!navigator.mediaDevices.getDisplayMedia) throw new Error("screen sharing is not available in this browser");
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true });
    return stream.getVideoTracks()[0];
  }
  return startTestPattern();
}

const SOURCE_ORDER = ["camera", "pattern", "screen"];
const SOURCE_NAMES = { camera: "camera", pattern: "test pattern", screen: "screen" };

/**
 * Moves to the next video source that opens, swapping the sent track with
 * replaceTrack: same sender, same codec, so no new offer/answer is needed.
 */
async function switchSource() {
  if (!page.videoSender) return;
  const start = SOURCE_ORDER.indexOf(page.videoSource);
  const failures = [];
  for (let step = 1; step < SOURCE_ORDER.length; step += 1) {
    const source = SOURCE_ORDER[(start + step) % SOURCE_ORDER.length];
    const previousStopPattern = page.stopPattern;
    page.stopPattern = null;
    let track;
    try {
      track = await openSource(source);
    } catch (error) {
      page.stopPattern = previousStopPattern;
      failures.push(`${SOURCE_NAMES[source]}: ${error.message}`);
      continue;
    }
    const newStopPattern = page.stopPattern;
    if (!page.videoSender) {
      // The call ended while the source was opening.
      track.stop();
      if (newStopPattern) newStopPattern();
      page.stopPattern = previousStopPattern;
      return;
    }
    track.enabled = page.videoEnabled;
    await page.videoSender.replaceTrack(track);
    const oldTrack = page.videoTrack;
    page.videoTrack = track;
    page.videoSource = source;
    oldTrack.stop();
    if (previousStopPattern) previousStopPattern();
    // Screen sharing can be ended from the browser's own UI: go back to the camera then.
    if (source === "screen") track.onended = () => page.videoTrack === track && switchSource();
    showLocalPreview();
    if (failures.length) showError(`Skipped video sources: ${failures.join("; ")}`);
    renderControls();
    return;
  }
  showError(`No other video source opened: ${failures.join("; ")}`);
}

function toggleVideo() {
  page.videoEnabled = !page.videoEnabled;
  if (page.videoTrack) page.videoTrack.enabled = page.videoEnabled;
  renderControls();
}

function toggleMic() {
  page.micEnabled = !page.micEnabled;
  if (page.audioTrack) page.audioTrack.enabled = page.micEnabled;
  renderControls();
}

async function cycleBitrateCap() {
  page.bitrateCapIndex = (page.bitrateCapIndex + 1) % BITRATE_CAPS.length;
  renderControls();
  await applyBitrateCap();
}

async function applyBitrateCap() {
  const sender = page.videoSender;
  if (!sender) return;
  const cap = BITRATE_CAPS[page.bitrateCapIndex];
  const parameters = sender.getParameters();
  if (!parameters.encodings || parameters.encodings.length === 0) parameters.encodings = [{}];
  for (const encoding of parameters.encodings) {
    if (cap === null) delete encoding.maxBitrate;
    else encoding.maxBitrate = cap;
  }
  await sender.setParameters(parameters);
}

// ---------------------------------------------------------------- stats

/** One flat sample of the numbers the page shows and the test hook returns. */
async function sampleStats() {
  const pc = page.pc;
  const sample = {
    timestamp: performance.now(),
    signalingState: pc ? pc.signalingState : "closed",
    connectionState: pc ? pc.connectionState : "closed",
    framesDecoded: 0,
    keyFramesDecoded: 0,
    pliCount: 0, // PLIs this page sent for the video it receives
    nackCount: 0,
    framesSent: 0,
    bytesReceived: 0,
    bytesSent: 0,
    packetsReceived: 0,
    packetsSent: 0,
    inboundCodec: null,
    outboundCodec: null,
    inboundWidth: 0,
    inboundHeight: 0,
    outboundWidth: 0,
    outboundHeight: 0,
    roundTripTime: null,
    localCandidateType: null,
    remoteCandidateType: null,
    audioPacketsReceived: 0,
    audioLevel: null, // inbound, 0..1 (RTCInboundRtpStreamStats.audioLevel)
    // Inbound, for a level over the whole call: sqrt(energy / duration) is its RMS-like level.
    totalAudioEnergy: null,
    totalSamplesDuration: null,
    audioInboundCodec: null,
    // From the peer's RTCP sender reports (remote-outbound-rtp): the RTP-to-wall-clock
    // mapping that lip sync needs, per kind.
    audioSenderReports: 0,
    videoSenderReports: 0,
  };
  if (!pc) return sample;
  const report = await pc.getStats();
  const codecName = (codecId) => report.get(codecId)?.mimeType?.replace(/^video\//, "") ?? null;
  let selectedPair = null;
  report.forEach((entry) => {
    if (entry.type === "inbound-rtp" && entry.kind === "video") {
      sample.framesDecoded += entry.framesDecoded ?? 0;
      sample.keyFramesDecoded += entry.keyFramesDecoded ?? 0;
      sample.pliCount += entry.pliCount ?? 0;
      sample.nackCount += entry.nackCount ?? 0;
      sample.bytesReceived += entry.bytesReceived ?? 0;
      sample.packetsReceived += entry.packetsReceived ?? 0;
      sample.inboundCodec = codecName(entry.codecId) ?? sample.inboundCodec;
      sample.inboundWidth = entry.frameWidth ?? sample.inboundWidth;
      sample.inboundHeight = entry.frameHeight ?? sample.inboundHeight;
    } else if (entry.type === "inbound-rtp" && entry.kind === "audio") {
      sample.audioPacketsReceived += entry.packetsReceived ?? 0;
      sample.audioLevel = entry.audioLevel ?? sample.audioLevel;
      sample.totalAudioEnergy = entry.totalAudioEnergy ?? sample.totalAudioEnergy;
      sample.totalSamplesDuration = entry.totalSamplesDuration ?? sample.totalSamplesDuration;
      sample.audioInboundCodec = report.get(entry.codecId)?.mimeType ?? sample.audioInboundCodec;
    } else if (entry.type === "outbound-rtp" && entry.kind === "video") {
      sample.framesSent += entry.framesSent ?? 0;
      sample.bytesSent += entry.bytesSent ?? 0;
      sample.packetsSent += entry.packetsSent ?? 0;
      sample.outboundCodec = codecName(entry.codecId) ?? sample.outboundCodec;
      sample.outboundWidth = entry.frameWidth ?? sample.outboundWidth;
      sample.outboundHeight = entry.frameHeight ?? sample.outboundHeight;
    } else if (entry.type === "remote-outbound-rtp") {
      const key = entry.kind === "audio" ? "audioSenderReports" : "videoSenderReports";
      sample[key] += entry.reportsSent ?? 0;
    } else if (entry.type === "transport" && entry.selectedCandidatePairId) {
      selectedPair = report.get(entry.selectedCandidatePairId);
    } else if (entry.type === "candidate-pair" && entry.nominated && entry.state === "succeeded" && !selectedPair) {
      selectedPair = entry;
    }
  });
  if (selectedPair) {
    sample.roundTripTime = selectedPair.currentRoundTripTime ?? null;
    sample.localCandidateType = report.get(selectedPair.localCandidateId)?.candidateType ?? null;
    sample.remoteCandidateType = report.get(selectedPair.remoteCandidateId)?.candidateType ?? null;
  }
  return sample;
}

function startStats() {
  if (page.statsTimer) return;
  page.statsTimer = setInterval(() => {
    sampleStats()
      .then(renderStats)
      .catch((error) => showError(`Stats failed: ${error.message}`));
  }, STATS_INTERVAL_MS);
}

function formatBitrate(bitsPerSecond) {
  if (bitsPerSecond >= 1_000_000) return `${(bitsPerSecond / 1_000_000).toFixed(2)} Mbit/s`;
  return `${Math.round(bitsPerSecond / 1000)} kbit/s`;
}

function renderStats(sample) {
  const previous = page.previousSample;
  page.previousSample = sample;
  if (!previous) return;
  const seconds = (sample.timestamp - previous.timestamp) / 1000;
  const rate = (key) => Math.max(0, (sample[key] - previous[key]) / seconds);
  $("stat-in-bitrate").textContent = formatBitrate(rate("bytesReceived") * 8);
  $("stat-out-bitrate").textContent = formatBitrate(rate("bytesSent") * 8);
  $("stat-in-packets").textContent = rate("packetsReceived").toFixed(0);
  $("stat-out-packets").textContent = rate("packetsSent").toFixed(0);
  $("stat-in-codec").textContent = sample.inboundCodec ?? "-";
  $("stat-out-codec").textContent = sample.outboundCodec ?? "-";
  $("stat-in-resolution").textContent = sample.inboundWidth ? `${sample.inboundWidth}x${sample.inboundHeight}` : "-";
  $("stat-out-resolution").textContent = sample.outboundWidth
    ? `${sample.outboundWidth}x${sample.outboundHeight}`
    : "-";
  $("stat-in-frames").textContent = `${sample.framesDecoded} decoded`;
  $("stat-out-frames").textContent = `${sample.framesSent} sent`;
  $("stat-rtt").textContent = sample.roundTripTime === null ? "-" : `${(sample.roundTripTime * 1000).toFixed(0)} ms`;
  $("stat-path").textContent = sample.localCandidateType
    ? `${sample.localCandidateType} → ${sample.remoteCandidateType}`
    : "-";
}

// ---------------------------------------------------------------- rendering

const STATE_LABELS = {
  idle: "idle",
  outgoing: "ringing",
  incoming: "incoming call",
  connecting: "connecting",
  inCall: "in call",
};

function setCallState(state) {
  page.callState = state;
  $("call-state").textContent = page.peer ? `${STATE_LABELS[state]} with ${page.peer}` : STATE_LABELS[state];
  $("call-reason").textContent = state === "idle" && page.endReason ? `Last call: ${page.endReason}.` : "";
  $("incoming").hidden = state !== "incoming";
  $("incoming-from").textContent = page.peer ?? "";
  renderUsers();
  renderControls();
}

function setUsers(users) {
  page.users = users;
  renderUsers();
}

function renderUsers() {
  const list = $("users");
  list.replaceChildren(
    ...page.users.map((user) => {
      const item = document.createElement("li");
      item.dataset.userId = user.userId;
      const name = document.createElement("span");
      name.textContent = user.nickname && user.nickname !== user.userId ? `${user.nickname} (${user.userId})` : user.userId;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "call";
      button.textContent = "Call";
      button.disabled = page.callState !== "idle";
      button.addEventListener("click", () => placeCall(user.userId));
      item.append(name, button);
      return item;
    }),
  );
  $("no-users").hidden = page.users.length > 0;
}

function renderControls() {
  const active = page.callState !== "idle";
  const media = Boolean(page.videoSender);
  const chatOpen = page.chatChannel?.readyState === "open";
  $("hangup").disabled = !active || page.callState === "incoming";
  $("hangup").textContent = page.callState === "outgoing" ? "Cancel" : "Hang up";
  $("toggle-video").disabled = !media;
  $("toggle-video").textContent = page.videoEnabled ? "Video off" : "Video on";
  $("toggle-mic").disabled = !media || !page.audioTrack;
  $("toggle-mic").textContent = page.micEnabled ? "Mute" : "Unmute";
  $("switch-source").disabled = !media;
  const next = SOURCE_ORDER[(SOURCE_ORDER.indexOf(page.videoSource) + 1) % SOURCE_ORDER.length];
  $("switch-source").textContent = `Source: ${SOURCE_NAMES[next]}`;
  $("source-name").textContent = SOURCE_NAMES[page.videoSource];
  $("bitrate").disabled = !media;
  const nextCap = BITRATE_CAPS[(page.bitrateCapIndex + 1) % BITRATE_CAPS.length];
  $("bitrate").textContent = nextCap === null ? "Bitrate: unlimited" : `Cap bitrate: ${formatBitrate(nextCap)}`;
  const cap = page.bitrateCapIndex >= 0 ? BITRATE_CAPS[page.bitrateCapIndex] : null;
  $("stat-cap").textContent = cap === null ? "none" : formatBitrate(cap);
  $("chat-input").disabled = !chatOpen;
  $("chat-send").disabled = !chatOpen;
  $("chat-input").placeholder = chatOpen ? "message" : "chat opens with the call";
}

function renderChat() {
  const history = $("chat-history");
  history.replaceChildren(
    ...page.chat.map((line) => {
      const item = document.createElement("li");
      item.className = line.mine ? "mine" : "theirs";
      const from = document.createElement("span");
      from.className = "from";
      from.textContent = line.mine ? "you" : line.from;
      item.append(from, document.createTextNode(line.text));
      return item;
    }),
  );
  history.scrollTop = history.scrollHeight;
}

// ---------------------------------------------------------------- start

function reportAsync(action) {
  return () => action().catch((error) => showError(error.message));
}

function start() {
  // Anything unexpected goes on the page too: nobody watching this page has a console open.
  window.addEventListener("error", (event) => showError(`Unexpected error: ${event.message}`));
  window.addEventListener("unhandledrejection", (event) =>
    showError(`Unexpected error: ${event.reason?.message ?? event.reason}`),
  );
  $("identity").textContent = `${settings.nickname} (${settings.userId}) in room ${settings.roomId}`;
  $("accept").addEventListener("click", reportAsync(acceptCall));
  $("reject").addEventListener("click", rejectCall);
  $("hangup").addEventListener("click", hangUp);
  $("toggle-video").addEventListener("click", toggleVideo);
  $("toggle-mic").addEventListener("click", toggleMic);
  $("switch-source").addEventListener("click", reportAsync(switchSource));
  $("bitrate").addEventListener("click", reportAsync(cycleBitrateCap));
  $("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("chat-input");
    const text = input.value.trim();
    if (!text) return;
    sendChat(text);
    input.value = "";
  });
  window.addEventListener("beforeunload", () => {
    hangUp();
    signaling.close();
  });
  setCallState("idle");
  renderChat();
  for (const message of settings.iceErrors) showError(message);
  if (settings.relayOnly && !settings.iceServers.some((server) => server.urls.startsWith("turn"))) {
    showError("relay=1 needs a TURN server, e.g. &ice=turn:USER:PASS@HOST:PORT: calls cannot connect without one.");
  }
  if (!settings.userId || !settings.roomId) {
    showError("Open this page with ?userId=ID&roomId=ROOM (and optionally &nickname=NAME).");
    return;
  }
  signaling.connect();
}

// Read-only state for automated tests (selenium); the page is driven through its buttons.
window.callPage = Object.freeze({
  get userId() { return settings.userId; },
  get callState() { return page.callState; },
  get peer() { return page.peer; },
  get endReason() { return page.endReason; },
  get lastError() { return page.lastError; },
  get signalingStatus() { return page.signalingStatus; },
  get users() { return page.users.map((user) => ({ ...user })); },
  get chat() { return page.chat.map((line) => ({ ...line })); },
  get chatOpen() { return page.chatChannel?.readyState === "open"; },
  get videoSource() { return page.videoSource; },
  get sentVideoTrackLabel() { return page.videoSender?.track?.label ?? null; },
  get videoEnabled() { return page.videoTrack ? page.videoTrack.enabled : null; },
  get micEnabled() { return page.audioTrack ? page.audioTrack.enabled : null; },
  get offersSent() { return page.offersSent; },
  get candidatesQueued() { return page.candidatesQueued; },
  get candidatesAdded() { return page.candidatesAdded; },
  get glaresYielded() { return page.glaresYielded; },
  get answersSent() { return page.answersSent; },
  get signalingState() { return page.pc ? page.pc.signalingState : "closed"; },
  get iceServers() { return settings.iceServers.map((server) => ({ ...server })); },
  get relayOnly() { return settings.relayOnly; },
  maxBitrate() {
    const encodings = page.videoSender?.getParameters().encodings ?? [];
    return encodings[0]?.maxBitrate ?? null;
  },
  stats: sampleStats,
});

start();
