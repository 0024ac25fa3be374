import CallMedia
import Foundation
import ICE
import Logging
import Media
import PeerConnection
import SCTP
import SDP
import Signaling

/// Drives one person's call life: signaling events and user commands go into
/// the `CallStateMachine`, its effects come out as signaling messages, timers
/// and updates for the screen. It owns no terminal and no sockets of its own.
public actor CallController {
    public nonisolated let updates: AsyncStream<CallUpdate>
    private let updateSink: AsyncStream<CallUpdate>.Continuation
    private let client: SignalingClient
    private let logger: Logger
    private let autoAnswer: Bool
    private var machine: CallStateMachine
    private var timers: [CallTimer: Task<Void, Never>] = [:]
    private var users: [RoomUser] = []
    private var quitting = false
    private let peerConfiguration: PeerConnectionConfiguration
    /// The call's peer connection, its operations in order, and which call it belongs to.
    private var peer: (connection: PeerConnection, peerId: String, generation: Int, operations: AsyncStream<PeerOperation>.Continuation)?
    private var peerGeneration = 0
    private var chatOpen = false
    /// Chat lines typed before the channel opened; sent when it opens.
    private var pendingChat: [String] = []
    static let pendingChatLimit = 50
    /// The peer's newest decoded video frame, for the screen to draw at its own pace.
    public nonisolated let remoteVideo = LatestFrame()
    private var media: CallMediaSession?
    private var video: VideoCall? { media?.video }
    private let mediaOptions: CallMediaSession.Options
    private var muted = false
    /// The last peer connection's close, awaited by `quit`.
    private var closing: Task<Void, Never>?
    private var videoEnabled = true
    private var bitrateCap: Int?
    /// What we send, for the local preview while in a call.
    public nonisolated let localVideo = LatestFrame()
    private let snapshotDirectory: String
    /// Why signaling ended for good, when it was not our own `quit` (replaced, room full).
    public private(set) var signalingEndReason: String?
    /// Signaling sends leave in the order the machine made them, through one queue.
    private let outbox: AsyncStream<(RelayKind, String, [String: JSONValue])>.Continuation
    private let outboxDrain: Task<Void, Never>

    public init(client: SignalingClient, autoAnswer: Bool = false, ringTimeout: Duration = .seconds(30),
                peerConfiguration: PeerConnectionConfiguration = PeerConnectionConfiguration(),
                mediaOptions: CallMediaSession.Options = CallMediaSession.Options(), snapshotDirectory: String = ".",
                logger: Logger) {
        self.client = client
        self.peerConfiguration = peerConfiguration
        self.mediaOptions = mediaOptions
        self.snapshotDirectory = snapshotDirectory
        bitrateCap = mediaOptions.video.capKbps
        self.logger = logger
        self.autoAnswer = autoAnswer
        machine = CallStateMachine(selfId: client.endpoint.userId, ringTimeout: ringTimeout)
        (updates, updateSink) = AsyncStream.makeStream(of: CallUpdate.self, bufferingPolicy: .unbounded)
        let (sends, outbox) = AsyncStream.makeStream(of: (RelayKind, String, [String: JSONValue]).self, bufferingPolicy: .unbounded)
        self.outbox = outbox
        outboxDrain = Task { [client] in
            for await (kind, target, fields) in sends { await client.relay(kind, to: target, fields: fields) }
        }
    }

    public var state: CallState { machine.state }

    /// A sentence for the user from outside the call flow (no camera found, say).
    public func tell(_ text: String) {
        updateSink.yield(.notice(text))
    }

    /// Feeds signaling events into the machine until the client stops.
    public func run() async {
        for await event in client.events {
            handle(event)
        }
        for task in timers.values { task.cancel() }
        updateSink.yield(.finished)
        updateSink.finish()
    }

    /// A command from the user; `quit` hangs up first, then stops signaling.
    public func perform(_ command: UserCommand) async {
        switch command {
        case .call(let target):
            if !users.contains(where: { $0.userId == target }) && target != machine.selfId {
                updateSink.yield(.notice("\(target) is not in this room (calling anyway)"))
            }
            apply(.placeCall(to: target))
        case .accept: apply(.accept)
        case .reject: apply(.reject)
        case .hangUp: apply(.hangUp)
        case .chat(let text):
            sendChat(text)
        case .stats:
            await reportStats()
        case .mute(let on):
            await setMute(on)
        case .video(let on):
            await setVideo(on)
        case .nextVideoSource:
            if let video {
                updateSink.yield(.notice(await video.nextSource()))
            } else {
                updateSink.yield(.notice(peerConfiguration.video ? "no video to switch: it starts with a call" : Self.audioOnlyNotice))
            }
        case .bitrateCap(let change):
            await changeBitrateCap(change)
        case .snapshot:
            saveSnapshot()
        case .quit:
            quitting = true
            switch machine.state {
            case .outgoingRinging, .incomingRinging, .connecting, .inCall: apply(.hangUp)
            case .idle, .inRoom, .ended: break
            }
            // Let the hangup reach the client's queue before it closes the connection,
            // and the peer connection send close_notify and stop its threads.
            outbox.finish()
            await outboxDrain.value
            await closing?.value
            await client.stop()
        }
    }

    // MARK: - Signaling in

    private func handle(_ event: SignalingEvent) {
        switch event {
        case .connected(let isReconnect):
            if isReconnect { updateSink.yield(.notice("reconnected to the signaling server; back in the room")) }
            updateSink.yield(.signaling(.connected))
            apply(.joinedRoom)
        case .connectionLost(let reason):
            updateSink.yield(.signaling(.reconnecting(attempt: 0, delay: .zero, reason: reason)))
            apply(.signalingLost)
        case .reconnecting(let attempt, let delay):
            updateSink.yield(.signaling(.reconnecting(attempt: attempt, delay: delay, reason: "connection lost")))
        case .stopped(let reason):
            if !quitting { signalingEndReason = reason }
            updateSink.yield(.signaling(.stopped(reason: reason)))
            apply(.signalingLost)
        case .roomUsers(let list):
            let others = list.filter { $0.userId != machine.selfId }
            if others != users {
                users = others
                updateSink.yield(.users(users))
            }
        case .userJoined(let userId, let nickname):
            if userId != machine.selfId, !users.contains(where: { $0.userId == userId }) {
                users.append(RoomUser(userId: userId, roomId: client.endpoint.roomId, nickname: nickname))
                updateSink.yield(.users(users))
            }
        case .userLeft(let userId, _):
            if users.contains(where: { $0.userId == userId }) {
                users.removeAll { $0.userId == userId }
                updateSink.yield(.users(users))
            }
            apply(.peerLeft(userId))
        case .relayed(let kind, let from, let data):
            guard let signal = Self.remoteSignal(kind, data) else {
                logger.warning("dropping a malformed \(kind.rawValue) from \(from)")
                return
            }
            apply(.remote(signal, from: from))
        case .serverError(let status, let message, let data):
            updateSink.yield(.error(message))
            if let target = data["targetUid"]?.identifierValue, status != 200 {
                apply(.undeliverable(target: target, message: message))
            }
        case .roomMessage(let payload):
            logger.debug("room broadcast: \(payload.jsonText)")
        }
    }

    static func remoteSignal(_ kind: RelayKind, _ data: JSONValue) -> RemoteSignal? {
        switch kind {
        case .call: return .call
        case .accept: return .accept
        case .reject: return .reject
        case .busy: return .busy
        case .hangup: return .hangup
        case .offer: return data["offer"].flatMap(SessionDescription.init).map(RemoteSignal.offer)
        case .answer: return data["answer"].flatMap(SessionDescription.init).map(RemoteSignal.answer)
        case .candidate: return data["candidate"].flatMap(IceCandidateInit.init).map(RemoteSignal.candidate)
        }
    }

    // MARK: - Machine out

    private func apply(_ event: CallEvent) {
        let before = machine.state
        let effects = machine.handle(event)
        if machine.state != before {
            logger.info("call state \(before.name) -> \(machine.state.name) on \(CallStateMachine.describe(event))")
            updateSink.yield(.state(machine.state))
        }
        // Held offers and candidates change the ringing state too; only the first ring counts.
        var startedRinging = false
        if case .incomingRinging(let peer, _) = machine.state, before.name != "incomingRinging" {
            updateSink.yield(.incoming(from: peer))
            startedRinging = true
        }
        for effect in effects { perform(effect) }
        if startedRinging && autoAnswer { apply(.accept) }
    }

    private func perform(_ effect: CallEffect) {
        switch effect {
        case .send(let kind, let target):
            relay(kind, to: target)
        case .startTimer(let timer, let generation, let delay):
            timers[timer]?.cancel()
            timers[timer] = Task { [weak self] in
                guard (try? await Task.sleep(for: delay)) != nil else { return }
                await self?.apply(.timerFired(timer, generation: generation))
            }
        case .cancelTimer(let timer):
            timers.removeValue(forKey: timer)?.cancel()
        case .ringBell:
            updateSink.yield(.bell)
        case .startOffer(let peerId):
            startOffer(to: peerId)
        case .answerOffer(let offer, let peerId):
            answer(offer, from: peerId)
        case .applyAnswer(let answer):
            onPeer { connection in try await connection.setRemoteAnswer(answer.sdp) }
        case .addRemoteCandidate(let candidate):
            onPeer { connection in
                await connection.addRemoteCandidate(candidate.candidate, usernameFragment: candidate.usernameFragment)
            }
        case .closePeerConnection:
            closePeer()
        case .ignored(let why):
            logger.info("ignored: \(why)")
        case .notice(let text):
            updateSink.yield(.notice(text))
        }
    }

    // MARK: - The peer connection

    typealias PeerOperation = @Sendable (PeerConnection) async throws -> Void

    /// Caller: the `chat` channel first (as the seed does), then the offer.
    private func startOffer(to peerId: String) {
        guard let connection = makePeer(for: peerId) else { return }
        onPeer { [weak self] _ in
            await connection.createDataChannel(label: "chat")
            let offer = try await connection.createOffer()
            await self?.relay(.offer, to: peerId, fields: ["offer": SessionDescription(type: .offer, sdp: offer).json])
        }
    }

    /// Callee: answer the held (or a fresh) offer. A second offer on a live connection
    /// would be a renegotiation, which nothing we talk to needs yet: said, not obeyed.
    private func answer(_ offer: SessionDescription, from peerId: String) {
        if peer != nil {
            updateSink.yield(.notice("\(peerId) sent another offer; renegotiation is not supported, keeping the call as it is"))
            return
        }
        guard let connection = makePeer(for: peerId) else { return }
        onPeer { [weak self] _ in
            let answer = try await connection.answer(offer: offer.sdp)
            await self?.relay(.answer, to: peerId, fields: ["answer": SessionDescription(type: .answer, sdp: answer).json])
        }
    }

    private func makePeer(for peerId: String) -> PeerConnection? {
        closePeer()
        let connection: PeerConnection
        do {
            connection = try PeerConnection(configuration: peerConfiguration)
        } catch {
            apply(.transportFailed("\(error)"))
            return nil
        }
        peerGeneration += 1
        let generation = peerGeneration
        let (operations, sink) = AsyncStream.makeStream(of: PeerOperation.self, bufferingPolicy: .unbounded)
        peer = (connection, peerId, generation, sink)
        // Operations run one after another, in the order the machine asked for them.
        Task { [weak self] in
            for await operation in operations {
                do { try await operation(connection) } catch {
                    await self?.peerFailed("\(error)", generation: generation)
                }
            }
        }
        Task { [weak self] in
            for await event in connection.events { await self?.handle(event, generation: generation) }
        }
        return connection
    }

    private func onPeer(_ operation: @escaping PeerOperation) {
        guard let peer else {
            logger.info("no peer connection for this call; dropping an operation")
            return
        }
        peer.operations.yield(operation)
    }

    private func closePeer() {
        guard let old = peer else { return }
        peer = nil
        chatOpen = false
        if !pendingChat.isEmpty {
            updateSink.yield(.notice("\(pendingChat.count) chat message(s) not sent: the call ended before chat opened"))
            pendingChat.removeAll()
        }
        old.operations.finish()
        let media = media
        self.media = nil
        remoteVideo.clear()
        localVideo.clear()
        let previous = closing
        closing = Task {
            await previous?.value
            await media?.stop()
            await old.connection.close()
        }
    }

    private func peerFailed(_ why: String, generation: Int) {
        guard peer?.generation == generation else { return }
        logger.warning("peer connection: \(why)")
        apply(.transportFailed(why))
    }

    private func handle(_ event: PeerConnectionEvent, generation: Int) {
        guard let peer, peer.generation == generation else { return }
        switch event {
        case .localCandidate(let attribute):
            let candidate = IceCandidateInit(candidate: attribute.attributeText, sdpMid: "0", sdpMLineIndex: 0,
                                             usernameFragment: peer.connection.localCredentials.ufrag)
            sendCandidate(candidate, to: peer.peerId)
        case .gatheringComplete:
            // An empty candidate is end-of-candidates (RFC 8838 §13, as browsers signal it).
            sendCandidate(IceCandidateInit(candidate: "", sdpMid: "0", sdpMLineIndex: 0,
                                           usernameFragment: peer.connection.localCredentials.ufrag), to: peer.peerId)
        case .stateChanged(let state):
            logger.info("peer connection \(state.rawValue)")
            switch state {
            case .connected:
                if case .inCall = machine.state {
                    updateSink.yield(.connectionInterrupted(false))
                    updateSink.yield(.notice("connection to \(peer.peerId) is back"))
                } else {
                    apply(.transportConnected)
                }
            case .disconnected:
                updateSink.yield(.connectionInterrupted(true))
                updateSink.yield(.notice("connection to \(peer.peerId) interrupted; waiting for it to come back"))
            case .new, .connecting, .failed, .closed:
                break
            }
        case .channelOpened(let label):
            logger.info("data channel \(label) open")
            guard label == "chat" else {
                updateSink.yield(.notice("the peer opened a data channel \"\(label)\"; only chat is shown here"))
                return
            }
            chatOpen = true
            updateSink.yield(.notice("chat is open"))
            let waiting = pendingChat
            pendingChat.removeAll()
            for text in waiting { sendChat(text) }
        case .channelMessage(let label, let message):
            guard label == "chat" else { return }
            switch message {
            case .text(let text): updateSink.yield(.chat(from: peer.peerId, text: text))
            case .binary(let bytes): logger.info("ignoring \(bytes.count) binary bytes on chat")
            }
        case .channelClosed(let label):
            if label == "chat" { chatOpen = false }
        case .channelBufferedAmountLow:
            break  // chat lines are small and few: no backpressure
        case .mediaReady(let video, let audio):
            startMedia(video: video, audio: audio, on: peer.connection)
        case .peerClosed:
            apply(.transportClosedByPeer)
        case .notice(let text):
            logger.info("peer connection: \(text)")
            updateSink.yield(.notice(text))
        case .failed(let why):
            apply(.transportFailed(why))
        }
    }

    /// Codecs take tens of milliseconds to set up: that happens off this actor, so chat
    /// and signaling are not held up; the session is attached when ready (if the call still is).
    private func startMedia(video negotiation: VideoNegotiation?, audio: AudioNegotiation?, on connection: PeerConnection) {
        if negotiation == nil {
            updateSink.yield(.notice(peerConfiguration.video ? "no video was agreed for this call" : Self.audioOnlyNotice))
        }
        var options = mediaOptions
        options.video.capKbps = bitrateCap
        let sink = updateSink, remoteVideo = remoteVideo, localVideo = localVideo
        let generation = peerGeneration
        let logger = logger
        Task.detached { [weak self] in
            do {
                let started = ContinuousClock.now
                let session = try CallMediaSession(
                    connection: connection, video: negotiation, audio: audio, remoteFrames: remoteVideo,
                    localFrames: localVideo, options: options, notices: { sink.yield(.notice($0)) })
                // Part of the time to the first picture (BENCHMARKS.md, video call).
                logger.info("media: codecs and sound devices ready in \(ContinuousClock.now - started)")
                await self?.attach(session, reading: connection.media, generation: generation)
            } catch {
                sink.yield(.notice("media could not start: \(error)"))
            }
        }
        if let negotiation {
            logger.info("video: VP8 pt \(negotiation.payloadType), sending \(negotiation.sends), receiving \(negotiation.receives)")
        }
        if let audio { logger.info("audio: Opus pt \(audio.payloadType), sending \(audio.sends), receiving \(audio.receives)") }
    }

    private func attach(_ session: CallMediaSession, reading media: AsyncStream<PeerConnection.MediaPacket>, generation: Int) async {
        guard peer?.generation == generation else {
            await session.stop()
            return
        }
        self.media = session
        await session.start(reading: media)
        if !videoEnabled { _ = await session.video?.setVideoEnabled(false) }
        if muted { _ = await session.setMuted(true) }
    }

    private func setMute(_ on: Bool?) async {
        muted = on ?? !muted
        updateSink.yield(.localAudio(muted: muted))
        if let media, await !media.setMuted(muted) {
            updateSink.yield(.notice("we send no audio in this call"))
        } else {
            updateSink.yield(.notice(muted ? "microphone muted" : "microphone on"))
        }
    }

    static let audioOnlyNotice = "audio only: no video in this call"

    private func setVideo(_ on: Bool?) async {
        guard peerConfiguration.video else {
            updateSink.yield(.notice(Self.audioOnlyNotice))
            return
        }
        videoEnabled = on ?? !videoEnabled
        updateSink.yield(.localVideo(enabled: videoEnabled))
        if let video, await !video.setVideoEnabled(videoEnabled) {
            updateSink.yield(.notice("the peer does not receive video in this call"))
        } else {
            updateSink.yield(.notice(videoEnabled ? "video on" : "video off: the peer sees black"))
        }
    }

    private func changeBitrateCap(_ change: BitrateCapChange) async {
        switch change {
        case .set(let kbps): bitrateCap = kbps
        case .next:
            let steps = BitrateCapChange.steps
            let index = steps.firstIndex(of: bitrateCap) ?? (steps.count - 1)
            bitrateCap = steps[(index + 1) % steps.count]
        }
        await video?.setBitrateCap(kbps: bitrateCap)
        updateSink.yield(.notice(bitrateCap.map { "video bitrate cap \($0) kbit/s" } ?? "video bitrate: no cap"))
    }

    /// The peer's current frame as a PPM (P6) file: no image library needed.
    private func saveSnapshot() {
        guard let frame = remoteVideo.newest?.frame else {
            updateSink.yield(.notice("no video from the peer to save"))
            return
        }
        let path = "\(snapshotDirectory)/call-snapshot-\(CallController.timestamp()).ppm"
        let rgb = frame.rgb()
        let bytes = Array("P6\n\(rgb.width) \(rgb.height)\n255\n".utf8) + rgb.pixels
        guard let file = fopen(path, "wb") else {
            updateSink.yield(.notice("cannot write \(path): \(String(cString: strerror(errno)))"))
            return
        }
        let written = fwrite(bytes, 1, bytes.count, file)
        fclose(file)
        updateSink.yield(.notice(written == bytes.count ? "saved the peer's picture to \(path)" : "could not write all of \(path)"))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return String(format: "%04d%02d%02d-%02d%02d%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    private func sendCandidate(_ candidate: IceCandidateInit, to peerId: String) {
        onPeer { [weak self] _ in await self?.relay(.candidate, to: peerId, fields: ["candidate": candidate.json]) }
    }

    /// Every signaling send goes through one queue, so the peer sees them in the order made.
    private func relay(_ kind: RelayKind, to target: String, fields: [String: JSONValue] = [:]) {
        outbox.yield((kind, target, fields))
    }

    private func reportStats() async {
        guard let connection = peer?.connection else {
            updateSink.yield(.stats(CallStats(connectionState: "none")))
            return
        }
        let stats = await connection.stats()
        var report = CallStats(
            connectionState: stats.state.rawValue, iceState: stats.iceState?.rawValue,
            localCandidateType: stats.localCandidateType, remoteCandidateType: stats.remoteCandidateType,
            roundTripTime: stats.roundTripTime.map(Self.seconds),
            dtlsState: stats.dtlsState, sctpState: stats.sctpState)
        if let video = await video?.stats() {
            report.video = CallStats.Video(
                framesSent: video.framesSent, bytesSent: video.bytesSent, framesDecoded: video.received.framesDecoded,
                packetsReceived: video.received.packetsReceived, bytesReceived: video.received.bytesReceived,
                framesLost: video.received.framesLost, pliCount: video.received.keyframeRequestsSent,
                pliReceived: video.keyframeRequestsReceived, frameWidth: video.frameWidth, frameHeight: video.frameHeight,
                sending: video.enabled, source: video.source, targetBitrate: video.targetKbps,
                nackCount: video.received.nacksSent, nacksReceived: video.nacksReceived,
                retransmittedPacketsSent: video.retransmissionsSent,
                retransmittedPacketsReceived: video.received.retransmissionsReceived,
                jitter: video.jitter.map(Self.seconds), packetsLost: video.packetsLost.map { Int($0) },
                rtcpRoundTripTime: video.roundTripTime.map(Self.seconds),
                longestFrameGap: Self.seconds(video.received.longestFrameGap),
                jitterBufferDelay: Self.seconds(video.received.jitterBufferDelay),
                jitterBufferEmittedCount: video.received.jitterBufferEmittedCount,
                reassemblyWait: Self.seconds(video.received.reassemblyWait),
                keyFramesEncoded: video.keyframesSent)
        }
        if let audio = await media?.audioStats() {
            report.audio = CallStats.Audio(muted: audio.muted, packetsSent: audio.packetsSent,
                                           packetsReceived: audio.received.packetsReceived,
                                           framesPlayed: audio.received.framesPlayed, concealedFrames: audio.received.concealed,
                                           remoteAudioLevel: audio.remoteLevel, remoteSpeaking: audio.remoteSpeaking,
                                           packetsDiscarded: audio.received.malformed + audio.received.otherSSRC
                                               + audio.received.discarded + audio.received.undecodable,
                                           packetsDroppedToCatchUp: audio.received.droppedToCatchUp,
                                           captureStartedAt: audio.captureStartedAt.map(Self.seconds),
                                           playbackStartedAt: audio.playbackStartedAt.map(Self.seconds),
                                           clockResyncs: audio.clockResyncs)
        }
        updateSink.yield(.stats(report))
    }

    private func sendChat(_ text: String) {
        guard peer != nil else {
            updateSink.yield(.notice("chat needs a call: call someone first"))
            return
        }
        guard chatOpen else {
            guard pendingChat.count < Self.pendingChatLimit else {
                updateSink.yield(.notice("chat is not open yet and \(Self.pendingChatLimit) lines are waiting; not queued"))
                return
            }
            pendingChat.append(text)
            if pendingChat.count == 1 { updateSink.yield(.notice("chat is not open yet; your lines go out when it opens")) }
            return
        }
        let selfId = machine.selfId
        let sink = updateSink
        onPeer { connection in
            do {
                try await connection.send(.text(text), label: "chat")
                sink.yield(.chat(from: selfId, text: text))
            } catch {
                sink.yield(.notice("chat line not sent: \(error)"))
            }
        }
    }
}
