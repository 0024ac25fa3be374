import NIOConcurrencyHelpers

/// Counts what the server dropped, so that malformed input is visible in
/// logs and tests rather than silently ignored.
final class ServerCounters: Sendable {
    struct Snapshot: Sendable, Equatable {
        var protocolViolations = 0
        var pingTimeouts = 0
        var refusedConnections = 0
    }

    private let values = NIOLockedValueBox(Snapshot())

    func protocolViolation() { values.withLockedValue { $0.protocolViolations += 1 } }
    func pingTimeout() { values.withLockedValue { $0.pingTimeouts += 1 } }
    func refusedConnection() { values.withLockedValue { $0.refusedConnections += 1 } }

    var snapshot: Snapshot { values.withLockedValue { $0 } }
}
