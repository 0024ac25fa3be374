/// How long to wait before each reconnect attempt: exponential from `initial`
/// up to `maximum` (socket.io clients default to a 10 s ceiling, as the seed
/// page does), with +-20 % jitter so clients of a restarted server do not all
/// come back in the same instant.
public struct ReconnectBackoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var jitter: Double

    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(10), jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The delay before attempt `attempt` (1-based); `unit` in 0..<1 picks the jitter.
    public func delay(attempt: Int, unit: Double) -> Duration {
        let doublings = min(max(attempt - 1, 0), 30)
        var delay = initial * (1 << doublings)
        if delay > maximum { delay = maximum }
        let factor = 1 + jitter * (2 * unit - 1)
        return delay * factor
    }
}
