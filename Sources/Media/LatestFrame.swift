import Foundation

/// A one-slot mailbox for video (DESIGN.md): the receive side puts each decoded
/// frame in, replacing the one before; the screen takes the newest at its own
/// tick. Older frames are dropped, never queued.
public final class LatestFrame: Sendable {
    /// Guards `slot`, and wakes a reader waiting for a new frame.
    private let arrival = NSCondition()
    nonisolated(unsafe) private var slot: (frame: I420Frame, number: UInt64)?
    nonisolated(unsafe) private var arrivalHandler: (@Sendable () -> Void)?

    public init() {}

    public func put(_ frame: I420Frame) {
        arrival.lock()
        slot = (frame, (slot?.number ?? 0) + 1)
        arrival.broadcast()
        let handler = arrivalHandler
        arrival.unlock()
        handler?()
    }

    /// Called on the putting thread after each frame is in (nil: nothing), for a reader
    /// that waits on something else as well, such as the terminal's keys.
    public func setArrivalHandler(_ handler: (@Sendable () -> Void)?) {
        arrival.lock()
        arrivalHandler = handler
        arrival.unlock()
    }

    /// The newest frame and its number (1, 2, ...), so a reader can tell a new one from the last it drew.
    public var newest: (frame: I420Frame, number: UInt64)? {
        arrival.lock()
        defer { arrival.unlock() }
        return slot
    }

    /// The newest frame once its number is not `drawn` (at once if it already is not),
    /// or nil after `timeout` without one: a reader that only draws sleeps until a frame
    /// comes instead of polling.
    public func waitForFrame(after drawn: UInt64?, timeout: Duration) -> (frame: I420Frame, number: UInt64)? {
        let deadline = Date(timeIntervalSinceNow: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18)
        arrival.lock()
        defer { arrival.unlock() }
        while slot == nil || slot?.number == drawn {
            guard arrival.wait(until: deadline) else { return nil }
        }
        return slot
    }

    public func clear() {
        arrival.lock()
        slot = nil
        arrival.unlock()
    }
}
