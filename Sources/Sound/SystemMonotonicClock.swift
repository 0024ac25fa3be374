import Glibc

/// CLOCK_MONOTONIC; sleeps to absolute deadlines so pacing does not drift.
public struct SystemMonotonicClock: MonotonicClock, Sendable {
    public init() {}

    public func now() -> Duration {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return .seconds(Int64(ts.tv_sec)) + .nanoseconds(Int64(ts.tv_nsec))
    }

    public func sleep(until deadline: Duration) {
        let parts = deadline.components
        guard parts.seconds >= 0 else { return }
        var ts = timespec()
        ts.tv_sec = Int(parts.seconds)
        ts.tv_nsec = Int(parts.attoseconds / 1_000_000_000)
        // Retry on EINTR: a signal must not shorten a period.
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }
}
