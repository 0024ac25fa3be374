import HostAddresses
import ICE
import NIOCore
import Synchronization

/// The selected pair's socket, reachable from any thread: media sent from a capture
/// thread goes to the socket at once, and media that arrives is handed over on the
/// event loop, neither hopping through `ICETransport` and `PeerConnection` (four task
/// hops per audio packet, most of a call's CPU outside the codecs). DTLS takes it
/// too, both ways, a batch at a time: the bulk of a data channel.
///
/// Only a direct pair (host or server-reflexive) has a route; a relayed pair, or none,
/// leaves `send` false and datagrams on the transport's own path.
public final class DatagramLane: Sendable {
    struct Route: Sendable {
        var channel: any Channel
        var destination: SocketAddress
        /// The same socket, written from the sending thread (nil: through the channel).
        var sender: BoundUDPSender?
        var remote: TransportAddress
    }

    private struct State {
        var route: Route?
        var receiver: (@Sendable ([UInt8]) -> Void)?
        var dtlsReceiver: (@Sendable ([[UInt8]]) -> Void)?
    }

    private let state = Mutex(State())
    /// Whether runs of equal-size datagrams go out as one write the kernel splits (UDP GSO);
    /// turned off for good by the first such write that fails (its datagrams are resent one by one).
    private let segmenting = Atomic<Bool>(System.supportsUDPSegmentationOffload)

    public init() {}

    /// Writes these datagrams, in order, to the selected pair; false (nothing written)
    /// when there is no direct route. `fromThisThread`: `sendto` each here first (media:
    /// out now, from the thread that made it); false: all through the event loop, which
    /// writes a batch with one `sendmmsg` (the bulk of a data channel).
    public func send(_ datagrams: [[UInt8]], fromThisThread: Bool = true) -> Bool {
        guard let route = state.withLock({ $0.route }) else { return false }
        let sender = fromThisThread ? route.sender : nil
        let sent = sender?.send(datagrams, to: route.remote.address, port: route.remote.port) ?? 0
        guard sent < datagrams.count else { return true }
        let rest = Array(datagrams[sent...])
        let runs = segmenting.load(ordering: .relaxed) ? Self.segmentRuns(rest.map(\.count)) : rest.indices.map { $0..<($0 + 1) }
        let channel = route.channel, destination = route.destination
        let write: @Sendable () -> Void = { [self] in
            for run in runs { self.write(rest[run], to: destination, on: channel) }
            channel.flush()
        }
        if channel.eventLoop.inEventLoop { write() } else { channel.eventLoop.execute(write) }
        return true
    }

    /// One datagram, or a run as one segmented write; a segmented write that fails is
    /// resent as single datagrams and segmenting stops.
    private func write(_ run: ArraySlice<[UInt8]>, to destination: SocketAddress, on channel: any Channel) {
        guard run.count > 1, let first = run.first else {
            for bytes in run { channel.write(AddressedEnvelope(remoteAddress: destination, data: ByteBuffer(bytes: bytes)), promise: nil) }
            return
        }
        var buffer = channel.allocator.buffer(capacity: run.reduce(0) { $0 + $1.count })
        for bytes in run { buffer.writeBytes(bytes) }
        let metadata = AddressedEnvelope<ByteBuffer>.Metadata(ecnState: .transportNotCapable, packetInfo: nil, segmentSize: first.count)
        let promise = channel.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenFailure { [self] _ in
            self.segmenting.store(false, ordering: .relaxed)
            for bytes in run { channel.write(AddressedEnvelope(remoteAddress: destination, data: ByteBuffer(bytes: bytes)), promise: nil) }
            channel.flush()
        }
        channel.write(AddressedEnvelope(remoteAddress: destination, data: buffer, metadata: metadata), promise: promise)
    }

    /// Consecutive datagrams that can go as one segmented write (UDP GSO): equal sizes, and
    /// at most one shorter one to end the run (the kernel cuts every segment at the first's
    /// size, the last may be short), up to `maxSegments` and `maxBytes` in all.
    static func segmentRuns(_ sizes: [Int], maxSegments: Int = 32, maxBytes: Int = 60_000) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var start = 0
        while start < sizes.count {
            let size = sizes[start]
            var end = start + 1
            var bytes = size
            while end < sizes.count, end - start < maxSegments, bytes + sizes[end] <= maxBytes, sizes[end] <= size, size > 0 {
                bytes += sizes[end]
                end += 1
                if sizes[end - 1] < size { break }
            }
            runs.append(start..<end)
            start = end
        }
        return runs
    }

    /// Who takes SRTP and SRTCP datagrams from the selected pair's peer (nil: the
    /// transport's own path does). Called on the event loop.
    public func setReceiver(_ receiver: (@Sendable ([UInt8]) -> Void)?) {
        state.withLock { $0.receiver = receiver }
    }

    /// Who takes DTLS datagrams from the selected pair's peer, a read's worth at a time
    /// (nil: the transport's own path does). Called on the event loop.
    public func setDTLSReceiver(_ receiver: (@Sendable ([[UInt8]]) -> Void)?) {
        state.withLock { $0.dtlsReceiver = receiver }
    }

    func setRoute(_ route: Route?) {
        state.withLock { $0.route = route }
    }

    func close() {
        state.withLock { $0 = State() }
    }

    enum Delivery {
        /// Media from the selected peer, handed to the receiver.
        case delivered
        /// DTLS from the selected peer, for `deliverDTLS` at the end of the read.
        case dtls([UInt8])
        /// Anything else: the transport's own path.
        case notTaken
    }

    /// On the event loop: media from the selected peer goes to its receiver at once,
    /// DTLS from it is handed back to be batched.
    func deliver(_ envelope: AddressedEnvelope<ByteBuffer>) -> Delivery {
        guard let first = envelope.data.getInteger(at: envelope.data.readerIndex, as: UInt8.self) else { return .notTaken }
        // RFC 7983 §7: 20-63 is DTLS, 128-191 RTP or RTCP.
        let isMedia = (128...191).contains(first)
        guard isMedia || (20...63).contains(first) else { return .notTaken }
        let (route, receiver, dtlsReceiver) = state.withLock { ($0.route, $0.receiver, $0.dtlsReceiver) }
        guard let route, route.destination == envelope.remoteAddress else { return .notTaken }
        if isMedia {
            guard let receiver else { return .notTaken }
            receiver(Array(buffer: envelope.data))
            return .delivered
        }
        return dtlsReceiver == nil ? .notTaken : .dtls(Array(buffer: envelope.data))
    }

    /// On the event loop: one read's DTLS datagrams from the selected peer, in order.
    func deliverDTLS(_ datagrams: [[UInt8]]) {
        guard let dtlsReceiver = state.withLock({ $0.dtlsReceiver }) else { return }
        dtlsReceiver(datagrams)
    }
}
