import HostAddresses
import ICE
import NIOCore
import Synchronization

/// The selected pair's socket, reachable from any thread: media sent from a capture
/// thread goes to the socket at once, and media that arrives is handed over on the
/// event loop, neither hopping through `ICETransport` and `PeerConnection` (four task
/// hops per audio packet, most of a call's CPU outside the codecs).
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
    }

    private let state = Mutex(State())

    public init() {}

    /// Writes these datagrams, in order, to the selected pair; false (nothing written)
    /// when there is no direct route.
    public func send(_ datagrams: [[UInt8]]) -> Bool {
        guard let route = state.withLock({ $0.route }) else { return false }
        let sent = route.sender?.send(datagrams, to: route.remote.address, port: route.remote.port) ?? 0
        guard sent < datagrams.count else { return true }
        let envelopes = datagrams[sent...].map { AddressedEnvelope(remoteAddress: route.destination, data: ByteBuffer(bytes: $0)) }
        let channel = route.channel
        if channel.eventLoop.inEventLoop {
            for envelope in envelopes { channel.write(envelope, promise: nil) }
            channel.flush()
        } else {
            channel.eventLoop.execute {
                for envelope in envelopes { channel.write(envelope, promise: nil) }
                channel.flush()
            }
        }
        return true
    }

    /// Who takes SRTP and SRTCP datagrams from the selected pair's peer (nil: the
    /// transport's own path does). Called on the event loop.
    public func setReceiver(_ receiver: (@Sendable ([UInt8]) -> Void)?) {
        state.withLock { $0.receiver = receiver }
    }

    func setRoute(_ route: Route?) {
        state.withLock { $0.route = route }
    }

    func close() {
        state.withLock { $0 = State() }
    }

    /// On the event loop: true when the datagram was media from the selected peer and
    /// was handed to the receiver.
    func deliver(_ envelope: AddressedEnvelope<ByteBuffer>) -> Bool {
        // RFC 7983 §7: a first byte of 128-191 is RTP or RTCP.
        guard let first = envelope.data.getInteger(at: envelope.data.readerIndex, as: UInt8.self),
              (128...191).contains(first) else { return false }
        let (route, receiver) = state.withLock { ($0.route, $0.receiver) }
        guard let receiver, let route, route.destination == envelope.remoteAddress else { return false }
        receiver(Array(buffer: envelope.data))
        return true
    }
}
