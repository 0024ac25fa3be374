import Codecs
import Media
import PeerConnection
import RTP

/// The peer's video in: RTP packets of the negotiated VP8 payload type are
/// reassembled into frames (RFC 7741), decoded, and the newest frame put in the
/// one-slot mailbox the screen reads. When decoding cannot go on (a lost frame,
/// a delta frame before any keyframe), it asks the sender for a keyframe with
/// PLI (RFC 4585 §6.3.1), repeated at most every 300 ms until one comes. Missing
/// packets are asked for again with NACK (RFC 4585 §6.2.1) when the peer takes
/// it, and come back as RTX (RFC 4588) or as themselves; REMB tells the sender
/// what the path carries.
actor VideoReceiver {
    private let connection: PeerConnection
    private let negotiation: VideoNegotiation
    let frames: LatestFrame
    private var depayloader = VP8Depayloader()
    private let decoder: VP8Decoder
    private var remoteSSRC: UInt32?
    private var keyframeRequester: KeyframeRequester?
    private var nacks = NACKGenerator()
    private var statistics: ReceiverStatistics?
    private var estimator = RemoteBitrateEstimator()
    private var timer: Task<Void, Never>?
    private let origin = ContinuousClock.now
    private(set) var counters = VideoReceiveCounters()
    private(set) var frameSize: (width: Int, height: Int)?
    private var lastDecodedAt: Duration?
    /// When the first packet of each RTP timestamp (frame) still assembling arrived,
    /// for the jitter buffer delay (W3C `jitterBufferDelay`).
    private var firstArrivals: [UInt32: Duration] = [:]

    init(connection: PeerConnection, negotiation: VideoNegotiation, frames: LatestFrame) throws {
        self.connection = connection
        self.negotiation = negotiation
        self.frames = frames
        decoder = try VP8Decoder()
        remoteSSRC = negotiation.remoteSSRC
    }

    func receive(_ bytes: [UInt8]) async {
        guard let packet = RTPPacket(parsing: bytes) else {
            counters.malformed += 1
            return
        }
        let now = now
        var media = packet
        if packet.payloadType == negotiation.rtxPayloadType, let remoteSSRC,
           negotiation.remoteRTXSSRC == nil || packet.ssrc == negotiation.remoteRTXSSRC {
            guard let original = SendHistory.unwrapRTX(packet, mediaSSRC: remoteSSRC, mediaPayloadType: negotiation.payloadType)
            else { return }  // RTX padding probes carry no packet
            counters.retransmissionsReceived += 1
            media = original
        } else {
            // Audio and anything else on the bundle are not ours (INTEROP.md 12).
            guard packet.payloadType == negotiation.payloadType else { return }
            if remoteSSRC == nil { remoteSSRC = packet.ssrc }
            guard packet.ssrc == remoteSSRC else { return }
            if statistics == nil { statistics = ReceiverStatistics(ssrc: packet.ssrc, clockRate: 90_000) }
            statistics?.received(packet, arrival: now)
            estimator.received(packet, arrival: now)
        }
        counters.packetsReceived += 1
        counters.bytesReceived += bytes.count
        if negotiation.nack { nacks.received(sequenceNumber: media.sequenceNumber, now: now) }
        if firstArrivals[media.timestamp] == nil {
            // Frames that never complete leave entries behind: keep the newest few dozen.
            if firstArrivals.count >= 64, let oldest = firstArrivals.min(by: { $0.value < $1.value }) {
                firstArrivals[oldest.key] = nil
            }
            firstArrivals[media.timestamp] = now
        }
        depayloader.insert(media, now: now)
        await drain()
    }

    func stop() {
        timer?.cancel()
        timer = nil
    }

    private var now: Duration { ContinuousClock.now - origin }

    private func drain() async {
        while let output = depayloader.poll() {
            switch output {
            case .frame(let frame):
                if let arrived = firstArrivals.removeValue(forKey: frame.timestamp) {
                    counters.jitterBufferDelay += now - arrived
                    counters.jitterBufferEmittedCount += 1
                }
                switch decoder.decode(frame.data) {
                case .frame(let image):
                    counters.framesDecoded += 1
                    let now = now
                    if let last = lastDecodedAt { counters.longestFrameGap = max(counters.longestFrameGap, now - last) }
                    lastDecodedAt = now
                    frameSize = (image.width, image.height)
                    frames.put(image)
                case .needKeyframe:
                    counters.decodeFailures += 1
                case .noFrame:
                    break
                }
            case .frameLost:
                counters.framesLost += 1
            case .keyframeNeeded:
                break
            }
        }
        await requestKeyframeIfNeeded()
        await sendFeedback()
        armTimer()
    }

    /// NACKs for what is missing, REMB when the estimate is due.
    private func sendFeedback() async {
        guard let remoteSSRC else { return }
        if negotiation.nack, let nack = nacks.pollNACK(senderSSRC: negotiation.localSSRC, mediaSSRC: remoteSSRC, now: now) {
            counters.nacksSent += 1
            connection.sendRTCP(RTCPPacket.nack(nack).serialized())
        }
        if negotiation.remb, estimator.pollREMB(now: now) != nil {
            let remb = estimator.remb(senderSSRC: negotiation.localSSRC, mediaSSRCs: [remoteSSRC])
            connection.sendRTCP(RTCPPacket.remb(remb).serialized())
        }
    }

    /// The report block about the peer's stream for our next RTCP report, once it sent any.
    func reportBlock() -> ReportBlock? {
        statistics?.makeReportBlock(now: now)
    }

    /// The peer's sender report: keeps LSR/DLSR for our report blocks (RFC 3550 §6.4.1).
    func receivedSenderReport(_ report: SenderReport) {
        guard report.ssrc == remoteSSRC else { return }
        statistics?.receivedSenderReport(report, arrival: now)
    }

    /// Sizes the wait for missing packets, and when to NACK them, from the jitter
    /// measured so far and the round trip (ReassemblyWait); called with each RTCP report.
    func adaptReassemblyWait(roundTrip: Duration?) {
        let jitter = statistics?.jitterDuration ?? .zero
        depayloader.maxWait = ReassemblyWait.budget(jitter: jitter, roundTrip: roundTrip, nack: negotiation.nack)
        // NACK retries a round trip apart, the first after the reordering has had its chance.
        nacks.roundTripTime = roundTrip
        nacks.configuration.firstRequestDelay = ReassemblyWait.firstNACKDelay(jitter: jitter)
        counters.reassemblyWait = depayloader.maxWait
    }

    /// Interarrival jitter (RFC 3550 A.8) and packets lost, for stats.
    var receptionQuality: (jitter: Duration, lost: Int64)? {
        statistics.map { ($0.jitterDuration, $0.cumulativeLost) }
    }

    private func requestKeyframeIfNeeded() async {
        guard let remoteSSRC else { return }
        if keyframeRequester == nil {
            keyframeRequester = KeyframeRequester(senderSSRC: negotiation.localSSRC, mediaSSRC: remoteSSRC)
        }
        let needed = depayloader.needsKeyframe || decoder.isWaitingForKeyframe
        // Before the first frame the depayloader waits for a keyframe that is surely coming:
        // ask only once something has arrived that did not decode.
        guard needed, counters.packetsReceived > 0,
              let request = keyframeRequester?.poll(needsKeyframe: needed, now: now)
        else { return }
        counters.keyframeRequestsSent += 1
        connection.sendRTCP(request.serialized())
    }

    private func armTimer() {
        timer?.cancel()
        let needed = depayloader.needsKeyframe || decoder.isWaitingForKeyframe
        let deadlines = [depayloader.pollTimeout(), keyframeRequester?.pollTimeout(needsKeyframe: needed),
                         negotiation.nack ? nacks.pollTimeout() : nil,
                         negotiation.remb ? estimator.pollTimeout() : nil].compactMap { $0 }
        guard let deadline = deadlines.min() else { return }
        let delay = max(deadline - now, .zero)
        timer = Task { [weak self] in
            guard (try? await Task.sleep(for: delay)) != nil else { return }
            await self?.timerFired()
        }
    }

    private func timerFired() async {
        depayloader.handleTimeout(now: now)
        await drain()
    }
}

public struct VideoReceiveCounters: Sendable, Equatable {
    public var packetsReceived = 0
    public var bytesReceived = 0
    public var framesDecoded = 0
    public var framesLost = 0
    public var decodeFailures = 0
    public var keyframeRequestsSent = 0
    public var nacksSent = 0
    public var retransmissionsReceived = 0
    /// Summed time from a frame's first packet to the frame leaving the depayloader,
    /// and how many frames that covers (W3C jitterBufferDelay / jitterBufferEmittedCount).
    public var jitterBufferDelay: Duration = .zero
    public var jitterBufferEmittedCount = 0
    /// How long a missing packet is waited for now (sized from jitter and RTT).
    public var reassemblyWait: Duration = VP8Depayloader().maxWait
    /// The longest time between two decoded frames: how long the picture froze at worst.
    public var longestFrameGap: Duration = .zero
    public var malformed = 0
}
