import Codecs
import Glibc
import Media
import PeerConnection
import RTP

/// Our video out: the current source, VP8 (libvpx, realtime), RTP (RFC 7741) with
/// the MID extension, handed to the peer connection for SRTP. Paced by its own
/// task at the frame rate, apart from the connection's driver. Answers the peer's
/// feedback: PLI/FIR with a keyframe at once (INTEROP.md 9), NACK from a send
/// history (as RTX when agreed, RFC 4588), REMB by following the estimate under
/// the user's cap.
actor VideoSender {
    struct Settings: Sendable {
        var width = 640
        var height = 360
        var fps = 15
        var startKbps = 600
        var minimumKbps = 100
        /// Without a cap from the user, the most we send.
        var maximumKbps = 2500
        /// While video is off: black frames this often, as browsers send for a disabled track.
        var disabledFPS = 1
        /// See `VideoCall.Options.losesFirstKeyframe`.
        var losesFirstKeyframe = false
    }

    private let connection: PeerConnection
    private let negotiation: VideoNegotiation
    private let settings: Settings
    private let sources: [VideoSourceKind]
    private var sourceIndex = 0
    private var source: any FrameSource
    private let encoder: VP8Encoder
    private var payloader: VP8Payloader
    private var history: SendHistory
    private var statistics: SenderStatistics
    private var keyframeRequests: KeyframeRequestFilter
    private var pacer: Task<Void, Never>?
    private let notices: @Sendable (String) -> Void
    /// Each frame we send, for the local preview.
    private let localFrames: LatestFrame?
    private let origin = ContinuousClock.now
    private(set) var enabled = true
    private(set) var framesSent = 0
    /// Keyframes among them (W3C keyFramesEncoded): the first, and each answer to PLI/FIR.
    private(set) var keyframesSent = 0
    private var lostFirstKeyframe = false
    private(set) var bytesSent = 0
    private(set) var keyframeRequestsReceived = 0
    private(set) var nacksReceived = 0
    private(set) var retransmissionsSent = 0
    private(set) var roundTripTime: Duration?
    /// The peer's latest REMB and the user's cap (`b`), in kbit/s; the encoder runs at the lower.
    private(set) var estimateKbps: Int?
    private(set) var capKbps: Int?
    private(set) var targetKbps: Int

    init(connection: PeerConnection, negotiation: VideoNegotiation, sources: [VideoSourceKind],
         settings: Settings = Settings(), capKbps: Int?, localFrames: LatestFrame? = nil,
         notices: @escaping @Sendable (String) -> Void = { _ in }, seed: UInt64) throws {
        self.notices = notices
        self.localFrames = localFrames
        self.connection = connection
        self.negotiation = negotiation
        self.settings = settings
        let sources = sources.isEmpty ? [.testPattern] : sources
        self.sources = sources
        // The first source that opens; the test pattern always does.
        var opened: (any FrameSource, Int)?
        for (index, kind) in sources.enumerated() where opened == nil {
            do { opened = (try Self.makeSource(kind, settings: settings), index) } catch {
                notices("cannot use the \(kind) (\(error)); trying the next source")
            }
        }
        let (first, index) = opened ?? (TestPatternFrames(pattern: TestPatternSource(width: settings.width, height: settings.height)), 0)
        source = first
        sourceIndex = index
        self.capKbps = capKbps
        targetKbps = min(settings.startKbps, capKbps ?? settings.maximumKbps)
        // cpu-used 16, libvpx's fastest realtime speed: on 640x480 at 1 Mbit/s it took 2.9 ms a
        // frame against 5.4 ms at 8, for 0.05 dB less PSNR (BENCHMARKS.md, video call); a call
        // shares its core with decoding, drawing and the network.
        encoder = try VP8Encoder(VP8EncoderSettings(width: settings.width, height: settings.height, fps: settings.fps,
                                                    bitrateKbps: targetKbps, cpuUsed: 16))
        payloader = VP8Payloader(ssrc: negotiation.localSSRC, payloadType: negotiation.payloadType, seed: seed)
        var rtx: SendHistory.RTXConfiguration?
        if let pt = negotiation.rtxPayloadType, let ssrc = negotiation.localRTXSSRC {
            rtx = SendHistory.RTXConfiguration(ssrc: ssrc, payloadTypes: [negotiation.payloadType: pt])
        }
        history = SendHistory(capacity: 1024, rtx: rtx, seed: seed ^ 0x5258)
        statistics = SenderStatistics(ssrc: negotiation.localSSRC, clockRate: 90_000)
        keyframeRequests = KeyframeRequestFilter(localSSRC: negotiation.localSSRC)
    }

    func start() {
        guard pacer == nil else { return }
        pacer = Task { [weak self] in
            var next = ContinuousClock.now
            var number: UInt32 = 0
            while !Task.isCancelled, let self {
                let fps = await self.enabled ? self.settings.fps : self.settings.disabledFPS
                await self.sendFrame(number: number)
                number &+= 1
                next += .seconds(1) / fps
                // Behind schedule (a slow machine): skip ahead rather than burst.
                if next < .now { next = .now }
                try? await Task.sleep(until: next)
            }
        }
    }

    func stop() {
        pacer?.cancel()
        pacer = nil
    }

    /// `v`: off sends black frames at a low rate (the peer's decoder keeps its state).
    func setEnabled(_ on: Bool) {
        guard on != enabled else { return }
        enabled = on
        encoder.requestKeyframe()
    }

    /// `c`: the next source; a source that cannot be opened is skipped with the reason.
    func nextSource() -> String {
        var skipped: [String] = []
        for _ in sources.indices {
            sourceIndex = (sourceIndex + 1) % sources.count
            do {
                source = try Self.makeSource(sources[sourceIndex], settings: settings)
                encoder.requestKeyframe()
                return "video source: \(sources[sourceIndex])" + (skipped.isEmpty ? "" : " (\(skipped.joined(separator: "; ")))")
            } catch {
                skipped.append("\(sources[sourceIndex]): \(error)")
            }
        }
        return "no other video source: \(skipped.joined(separator: "; "))"
    }

    var currentSource: VideoSourceKind { sources[sourceIndex] }

    /// `b`: the user's cap (nil: none).
    func setCap(kbps: Int?) {
        capKbps = kbps
        applyBitrate()
    }

    /// RTCP from the peer: keyframe requests, NACKs, REMB and report blocks about us.
    func handle(_ packets: [RTCPPacket]) async {
        for packet in packets {
            if keyframeRequests.isNewRequest(packet) {
                keyframeRequestsReceived += 1
                encoder.requestKeyframe()
                continue
            }
            switch packet {
            case .nack(let nack) where nack.mediaSSRC == negotiation.localSSRC:
                nacksReceived += 1
                let retransmissions = history.retransmissions(for: nack).map { $0.serialized() }
                retransmissionsSent += retransmissions.count
                connection.sendRTP(batch: retransmissions)
            case .remb(let remb) where remb.ssrcs.isEmpty || remb.ssrcs.contains(negotiation.localSSRC):
                estimateKbps = Int(remb.bitrate / 1000)
                applyBitrate()
            case .receiverReport(let report):
                measureRoundTrip(report.reportBlocks)
            case .senderReport(let report):
                measureRoundTrip(report.reportBlocks)
            default:
                break
            }
        }
    }

    /// Our sender report (RFC 3550 §6.4.1) for the compound packet, with `blocks` about what we receive.
    func senderReport(reportBlocks blocks: [ReportBlock]) -> SenderReport {
        statistics.makeSenderReport(now: now, wallClock: NTPTimestamp(unixTime: WallClock.now()), reportBlocks: blocks)
    }

    private var now: Duration { ContinuousClock.now - origin }

    private func measureRoundTrip(_ blocks: [ReportBlock]) {
        if let rtt = statistics.handleReportBlocks(blocks, arrival: NTPTimestamp(unixTime: WallClock.now())) {
            roundTripTime = rtt
        }
    }

    private func applyBitrate() {
        let ceiling = capKbps ?? settings.maximumKbps
        let wanted = max(settings.minimumKbps, min(estimateKbps ?? settings.startKbps, ceiling))
        guard wanted != targetKbps else { return }
        targetKbps = wanted
        try? encoder.setBitrate(kbps: wanted)
    }

    private static func makeSource(_ kind: VideoSourceKind, settings: Settings) throws -> any FrameSource {
        switch kind {
        case .testPattern: TestPatternFrames(pattern: TestPatternSource(width: settings.width, height: settings.height))
        case .file(let path): try LoopingFileFrames(path: path)
        case .camera(let path, let width, let height, let fps): try CameraFrames(path: path, width: width, height: height, fps: fps)
        }
    }

    private func sendFrame(number: UInt32) async {
        // The stamp carries wall-clock time, so a receiver on the same machine can measure latency;
        // the 90 kHz RTP clock comes from the monotonic clock (RFC 7741 §4.1).
        guard var frame = source.nextFrame(number: number, wallMilliseconds: WallClock.milliseconds()) else {
            // The source died (a camera unplugged): the test pattern takes over, and the user is told.
            let why = source.failure ?? "it stopped"
            sourceIndex = sources.firstIndex(of: .testPattern) ?? sourceIndex
            source = TestPatternFrames(pattern: TestPatternSource(width: settings.width, height: settings.height))
            notices("video source failed (\(why)); sending the test pattern")
            return
        }
        if !enabled { frame = .black(width: frame.width, height: frame.height) }
        localFrames?.put(frame)
        let elapsed = (ContinuousClock.now - origin).components
        let pts = elapsed.seconds * 90_000 + elapsed.attoseconds / 11_111_111_111_111
        guard let encoded = try? encoder.encode(frame, pts: pts) else { return }
        for output in encoded {
            if output.isKeyframe, settings.losesFirstKeyframe, !lostFirstKeyframe {
                lostFirstKeyframe = true
                keyframesSent += 1  // encoded all the same
                continue
            }
            var packets = payloader.packetize(frame: output.data, timestamp: UInt32(truncatingIfNeeded: output.pts))
            if let id = negotiation.midExtensionID {
                for index in packets.indices { packets[index].setMID(negotiation.mid, extensionID: id) }
            }
            var batch: [[UInt8]] = []
            for packet in packets {
                history.record(packet)
                statistics.sent(packet, now: now)
                let bytes = packet.serialized()
                bytesSent += bytes.count
                batch.append(bytes)
            }
            connection.sendRTP(batch: batch)
            framesSent += 1
            if output.isKeyframe { keyframesSent += 1 }
        }
    }
}

enum WallClock {
    /// Since the Unix epoch.
    static func now() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }

    static func milliseconds() -> UInt64 {
        let parts = now().components
        return UInt64(parts.seconds) * 1000 + UInt64(parts.attoseconds / 1_000_000_000_000_000)
    }
}
