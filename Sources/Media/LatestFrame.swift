import Synchronization

/// A one-slot mailbox for video (DESIGN.md): the receive side puts each decoded
/// frame in, replacing the one before; the screen takes the newest at its own
/// tick. Older frames are dropped, never queued.
public final class LatestFrame: Sendable {
    private let slot = Mutex<(frame: I420Frame, number: UInt64)?>(nil)

    public init() {}

    public func put(_ frame: I420Frame) {
        slot.withLock { current in current = (frame, (current?.number ?? 0) + 1) }
    }

    /// The newest frame and its number (1, 2, ...), so a reader can tell a new one from the last it drew.
    public var newest: (frame: I420Frame, number: UInt64)? { slot.withLock { $0 } }

    public func clear() {
        slot.withLock { $0 = nil }
    }
}
