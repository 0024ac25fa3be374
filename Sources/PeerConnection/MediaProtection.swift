import SRTP
import Synchronization

/// The call's SRTP session and what it dropped, usable from any thread: media is
/// protected on the thread that made it and unprotected on the socket's event loop
/// (see DatagramLane). libsrtp contexts are not thread-safe, so every use holds the lock.
final class MediaProtection: Sendable {
    struct Counters {
        var rtpDropped = 0
        var srtpRejected = 0
        var mediaUnsent = 0
        var simulatedLosses = 0
    }

    private struct State {
        var session: SRTPSession?
        var counters = Counters()
    }

    private let state = Mutex(State())

    var counters: Counters { state.withLock { $0.counters } }

    func start(_ keys: SRTPKeyingMaterial) throws {
        try state.withLock { $0.session = try SRTPSession(keys: keys) }
    }

    /// Nil (counted as unsent) before the keys are in, or for a packet SRTP refuses.
    func protect(_ packet: [UInt8], rtcp: Bool) -> [UInt8]? {
        state.withLock { state in
            guard let session = state.session,
                  let protected = try? (rtcp ? session.protectRTCP(packet) : session.protectRTP(packet))
            else {
                state.counters.mediaUnsent += 1
                return nil
            }
            return protected
        }
    }

    /// Nil (counted) before the keys are in, for a runt, or when authentication or the
    /// replay check fails.
    func unprotect(_ bytes: [UInt8], rtcp: Bool) -> [UInt8]? {
        state.withLock { state in
            guard let session = state.session, bytes.count >= 12 else {
                state.counters.rtpDropped += 1
                return nil
            }
            guard let plain = try? (rtcp ? session.unprotectRTCP(bytes) : session.unprotectRTP(bytes)) else {
                state.counters.srtpRejected += 1
                return nil
            }
            return plain
        }
    }

    func countSimulatedLoss() {
        state.withLock { $0.counters.simulatedLosses += 1 }
    }
}
