import Codecs
import Media
import PeerConnection
import RTP

/// The peer's video in: RTP packets of the negotiated VP8 payload type are
/// reassembled into frames (RFC 7741), decoded, and the newest frame put in the
/// one-slot mailbox the screen reads. When decoding cannot go on (a lost frame,
/// a delta frame before any keyframe), it asks the sender for a keyframe with
/// PLI (RFC 4585 §6.3.1), repeated at most every 300 ms until one comes.
actor VideoReceiver {
    private let connection: PeerConnection
    private let negotiation: VideoNegotiation
    let frames: LatestFrame
    private var depayloader = VP8Depayloader()
    private let decoder: VP8Decoder
    private var remoteSSRC: UInt32?
    private var keyframeRequester: KeyframeRequester?
    private var timer: Task<Void, Never>?
    private let origin = ContinuousClock.now
    private(set) var counters = VideoReceiveCounters()
    private(set) var frameSize: (width: Int, height: Int)?

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
        // Audio, RTX and anything else on the bundle are not ours (INTEROP.md 12).
        guard packet.payloadType == negotiation.payloadType else { return }
        if remoteSSRC == nil { remoteSSRC = packet.ssrc }
        guard packet.ssrc == remoteSSRC else { return }
        counters.packetsReceived += 1
        counters.bytesReceived += bytes.count
        depayloader.insert(packet, now: now)
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
                switch decoder.decode(frame.data) {
                case .frame(let image):
                    counters.framesDecoded += 1
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
        armTimer()
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
        await connection.sendRTCP(request.serialized())
    }

    private func armTimer() {
        timer?.cancel()
        let needed = depayloader.needsKeyframe || decoder.isWaitingForKeyframe
        let deadlines = [depayloader.pollTimeout(), keyframeRequester?.pollTimeout(needsKeyframe: needed)].compactMap { $0 }
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
    public var malformed = 0
}
