import Synchronization

/// Hands decrypted RTP of one payload type to a receiver, on whatever thread decrypted
/// it; everything else is left to the caller.
///
/// The receiver is kept inside a struct, never as a bare closure in the lock's value:
/// a closure stored straight in a generic container's storage (`Mutex<(UInt8, closure)?>`)
/// is rewrapped in two reabstraction thunks at every `withLock`, so each packet made
/// the next one's call deeper. That cost grew with the call's length (about 2% of a
/// core after 20 s of audio) and would have overflowed the event loop's stack within
/// an hour.
final class RTPTap: Sendable {
    private struct Receiver {
        let payloadType: UInt8
        let receive: @Sendable ([UInt8]) -> Void
    }

    private let receiver = Mutex<Receiver?>(nil)

    func set(payloadType: UInt8, _ receive: @escaping @Sendable ([UInt8]) -> Void) {
        receiver.withLock { $0 = Receiver(payloadType: payloadType, receive: receive) }
    }

    func clear() {
        receiver.withLock { $0 = nil }
    }

    /// True when `packet` (RTP) was of the tapped payload type and went to the receiver.
    func offer(_ packet: [UInt8]) -> Bool {
        guard packet.count > 1, let tap = receiver.withLock({ $0 }), packet[1] & 0x7F == tap.payloadType else { return false }
        tap.receive(packet)
        return true
    }
}
