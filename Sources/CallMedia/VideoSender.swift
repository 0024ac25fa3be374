import Codecs
import Glibc
import Media
import PeerConnection
import RTP

/// Our video out: the local source, VP8 (libvpx, realtime), RTP (RFC 7741) with
/// the MID extension, handed to the peer connection for SRTP. Paced by its own
/// task at the source's frame rate, apart from the connection's driver. A PLI or
/// FIR from the peer makes the next frame a keyframe at once (INTEROP.md 9).
actor VideoSender {
    struct Settings: Sendable {
        var width = 640
        var height = 360
        var fps = 15
        var bitrateKbps = 600
    }

    private let connection: PeerConnection
    private let negotiation: VideoNegotiation
    private let settings: Settings
    private let source: TestPatternSource
    private let encoder: VP8Encoder
    private var payloader: VP8Payloader
    private var keyframeRequests: KeyframeRequestFilter
    private var pacer: Task<Void, Never>?
    private let origin = ContinuousClock.now
    private(set) var framesSent = 0
    private(set) var bytesSent = 0
    private(set) var keyframeRequestsReceived = 0

    init(connection: PeerConnection, negotiation: VideoNegotiation, settings: Settings = Settings(), seed: UInt64) throws {
        self.connection = connection
        self.negotiation = negotiation
        self.settings = settings
        source = TestPatternSource(width: settings.width, height: settings.height)
        encoder = try VP8Encoder(VP8EncoderSettings(width: settings.width, height: settings.height, fps: settings.fps,
                                                    bitrateKbps: settings.bitrateKbps))
        payloader = VP8Payloader(ssrc: negotiation.localSSRC, payloadType: negotiation.payloadType, seed: seed)
        keyframeRequests = KeyframeRequestFilter(localSSRC: negotiation.localSSRC)
    }

    func start() {
        guard pacer == nil else { return }
        let interval = Duration.seconds(1) / settings.fps
        pacer = Task { [weak self] in
            var next = ContinuousClock.now
            var number: UInt32 = 0
            while !Task.isCancelled {
                await self?.sendFrame(number: number)
                number &+= 1
                next += interval
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

    /// RTCP from the peer: keyframe requests aimed at our stream.
    func handle(_ packets: [RTCPPacket]) {
        for packet in packets where keyframeRequests.isNewRequest(packet) {
            keyframeRequestsReceived += 1
            encoder.requestKeyframe()
        }
    }

    private func sendFrame(number: UInt32) async {
        // The stamp carries wall-clock time, so a receiver on the same machine can measure latency;
        // the 90 kHz RTP clock comes from the monotonic clock (RFC 7741 §4.1).
        let frame = source.frame(number: number, captureMilliseconds: WallClock.milliseconds())
        let elapsed = (ContinuousClock.now - origin).components
        let pts = elapsed.seconds * 90_000 + elapsed.attoseconds / 11_111_111_111_111
        guard let encoded = try? encoder.encode(frame, pts: pts) else { return }
        for output in encoded {
            var packets = payloader.packetize(frame: output.data, timestamp: UInt32(truncatingIfNeeded: output.pts))
            if let id = negotiation.midExtensionID {
                for index in packets.indices { packets[index].setMID(negotiation.mid, extensionID: id) }
            }
            for packet in packets {
                let bytes = packet.serialized()
                bytesSent += bytes.count
                await connection.sendRTP(bytes)
            }
            framesSent += 1
        }
    }
}

enum WallClock {
    static func milliseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000
    }
}
