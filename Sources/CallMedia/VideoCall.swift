import Media
import PeerConnection
import RTP

/// A call's video both ways over one peer connection: `VideoSender` when the peer
/// receives video, `VideoReceiver` when it sends, and RTCP reports every second
/// (RFC 3550 §6.4: SR while we send, else RR, with SDES CNAME). `CallMediaSession`
/// routes the packets in.
public actor VideoCall {
    public struct Options: Sendable {
        public var sources: [VideoSourceKind]
        public var capKbps: Int?
        /// The test pattern's size and the rate we send frames at (any source).
        public var width: Int
        public var height: Int
        public var fps: Int
        /// A test aid (`CALL_SIMULATE_LOSE_FIRST_KEYFRAME`): the first keyframe is encoded but
        /// neither sent nor kept for retransmission, as if lost for good, so the peer's first
        /// frame is a delta frame and it must ask for a keyframe (PLI).
        public var losesFirstKeyframe = false

        public init(sources: [VideoSourceKind] = [.testPattern], capKbps: Int? = nil,
                    width: Int = 640, height: Int = 360, fps: Int = 15) {
            self.sources = sources
            self.capKbps = capKbps
            self.width = width
            self.height = height
            self.fps = fps
        }
    }

    private let connection: PeerConnection
    private let negotiation: VideoNegotiation
    private let sender: VideoSender?
    private let receiver: VideoReceiver?
    private var tasks: [Task<Void, Never>] = []
    static let reportInterval: Duration = .seconds(1)

    /// Sends (from the first of `options.sources`) and receives as `negotiation` allows;
    /// decoded remote frames go to `remoteFrames`.
    public init(connection: PeerConnection, negotiation: VideoNegotiation, remoteFrames: LatestFrame,
                localFrames: LatestFrame? = nil, options: Options = Options(),
                notices: @escaping @Sendable (String) -> Void = { _ in }) throws {
        var random = SystemRandomNumberGenerator()
        self.connection = connection
        self.negotiation = negotiation
        sender = negotiation.sends
            ? try VideoSender(connection: connection, negotiation: negotiation, sources: options.sources,
                              settings: VideoSender.Settings(width: options.width, height: options.height, fps: options.fps,
                                                             losesFirstKeyframe: options.losesFirstKeyframe),
                              capKbps: options.capKbps, localFrames: localFrames, notices: notices, seed: random.next())
            : nil
        receiver = negotiation.receives
            ? try VideoReceiver(connection: connection, negotiation: negotiation, frames: remoteFrames) : nil
    }

    /// Starts sending and the RTCP reports; packets come in through `receive`.
    public func start() async {
        await sender?.start()
        tasks.append(Task { [weak self] in
            while (try? await Task.sleep(for: Self.reportInterval)) != nil {
                await self?.sendReport()
            }
        })
    }

    /// One RTP packet of the video stream (or its RTX).
    func receive(rtp bytes: [UInt8]) async {
        await receiver?.receive(bytes)
    }

    /// A parsed compound RTCP packet from the peer.
    func receive(rtcp packets: [RTCPPacket]) async {
        for case .senderReport(let report) in packets { await receiver?.receivedSenderReport(report) }
        await sender?.handle(packets)
    }

    public func stop() async {
        for task in tasks { task.cancel() }
        await sender?.stop()
        await receiver?.stop()
    }

    /// `v` / `video on|off`.
    public func setVideoEnabled(_ on: Bool) async -> Bool {
        guard let sender else { return false }
        await sender.setEnabled(on)
        return true
    }

    /// `c` / `source next`: what is sent now, in a sentence.
    public func nextSource() async -> String {
        guard let sender else { return "the peer does not receive video" }
        return await sender.nextSource()
    }

    /// `b`: the user's bitrate cap (nil: none).
    public func setBitrateCap(kbps: Int?) async {
        await sender?.setCap(kbps: kbps)
    }

    private func sendReport() async {
        let blocks = [await receiver?.reportBlock()].compactMap { $0 }
        let report: RTCPPacket
        if let sender {
            report = .senderReport(await sender.senderReport(reportBlocks: blocks))
        } else {
            report = .receiverReport(ReceiverReport(ssrc: negotiation.localSSRC, reportBlocks: blocks))
        }
        let description = RTCPPacket.sourceDescription(SourceDescription(ssrc: negotiation.localSSRC, cname: negotiation.cname))
        connection.sendRTCP(RTCPPacket.serializeCompound([report, description]))
        if let receiver {
            // RTCP's RTT when we send (the peer's report blocks), else ICE's.
            var roundTrip = await sender?.roundTripTime
            if roundTrip == nil { roundTrip = await connection.stats().roundTripTime }
            await receiver.adaptReassemblyWait(roundTrip: roundTrip)
        }
    }

    public struct Stats: Sendable, Equatable {
        public var enabled = true
        public var source: String?
        public var framesSent = 0
        public var keyframesSent = 0
        public var bytesSent = 0
        public var keyframeRequestsReceived = 0
        public var nacksReceived = 0
        public var retransmissionsSent = 0
        public var targetKbps: Int?
        public var roundTripTime: Duration?
        public var received = VideoReceiveCounters()
        public var jitter: Duration?
        public var packetsLost: Int64?
        public var frameWidth: Int?
        public var frameHeight: Int?
    }

    public func stats() async -> Stats {
        var stats = Stats()
        if let sender {
            stats.enabled = await sender.enabled
            stats.source = await sender.currentSource.description
            stats.framesSent = await sender.framesSent
            stats.keyframesSent = await sender.keyframesSent
            stats.bytesSent = await sender.bytesSent
            stats.keyframeRequestsReceived = await sender.keyframeRequestsReceived
            stats.nacksReceived = await sender.nacksReceived
            stats.retransmissionsSent = await sender.retransmissionsSent
            stats.targetKbps = await sender.targetKbps
            stats.roundTripTime = await sender.roundTripTime
        }
        if let receiver {
            stats.received = await receiver.counters
            let size = await receiver.frameSize
            stats.frameWidth = size?.width
            stats.frameHeight = size?.height
            if let quality = await receiver.receptionQuality {
                stats.jitter = quality.jitter
                stats.packetsLost = quality.lost
            }
        }
        return stats
    }
}
