import Media
import PeerConnection
import RTP

/// A call's video both ways over one peer connection: `VideoSender` when the peer
/// receives video, `VideoReceiver` when it sends, and the routing of the
/// connection's decrypted RTP and RTCP between them.
public actor VideoCall {
    private let sender: VideoSender?
    private let receiver: VideoReceiver?
    private var router: Task<Void, Never>?

    /// Starts sending (the test pattern) and receiving as `negotiation` allows;
    /// decoded remote frames go to `remoteFrames`.
    public init(connection: PeerConnection, negotiation: VideoNegotiation, remoteFrames: LatestFrame) throws {
        var random = SystemRandomNumberGenerator()
        sender = negotiation.sends ? try VideoSender(connection: connection, negotiation: negotiation, seed: random.next()) : nil
        receiver = negotiation.receives
            ? try VideoReceiver(connection: connection, negotiation: negotiation, frames: remoteFrames) : nil
    }

    public func start(reading media: AsyncStream<PeerConnection.MediaPacket>) async {
        await sender?.start()
        let sender = sender, receiver = receiver
        router = Task {
            for await packet in media {
                switch packet {
                case .rtp(let bytes):
                    await receiver?.receive(bytes)
                case .rtcp(let bytes):
                    // A compound packet that does not parse is dropped whole (RFC 3550 §6.1).
                    if let packets = RTCPPacket.parseCompound(bytes) { await sender?.handle(packets) }
                }
            }
        }
    }

    public func stop() async {
        router?.cancel()
        await sender?.stop()
        await receiver?.stop()
    }

    public struct Stats: Sendable, Equatable {
        public var framesSent = 0
        public var bytesSent = 0
        public var keyframeRequestsReceived = 0
        public var received = VideoReceiveCounters()
        public var frameWidth: Int?
        public var frameHeight: Int?
    }

    public func stats() async -> Stats {
        var stats = Stats()
        if let sender {
            stats.framesSent = await sender.framesSent
            stats.bytesSent = await sender.bytesSent
            stats.keyframeRequestsReceived = await sender.keyframeRequestsReceived
        }
        if let receiver {
            stats.received = await receiver.counters
            let size = await receiver.frameSize
            stats.frameWidth = size?.width
            stats.frameHeight = size?.height
        }
        return stats
    }
}
