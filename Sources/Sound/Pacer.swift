/// Keeps a stream of frames at real time by a clock, or decides that the device already does.
///
/// The rule for `.automatic`: a device that paces itself can never have handed
/// over (or taken) more audio than the wall time since the first transfer plus
/// what its buffer holds. When the audio moved runs ahead of the wall time by
/// more than `allowance` (the buffer plus one period), the device is not pacing
/// and the clock takes over for good. After `trustAfter` of wall time within
/// that bound, the device is trusted for good. Nothing is lost while deciding:
/// clock deadlines count from the first transfer, so a burst is followed by
/// the waits that bring the stream back to real time.
struct Pacer {
    enum Decision: Equatable {
        case deciding
        case device
        case clock
    }

    private let clock: any MonotonicClock
    private let rate: Int
    /// How far ahead of real time a paced device may legitimately run.
    private let allowance: Duration
    /// How far ahead of real time the clock lets the caller run (a playback
    /// buffer lets writes return at once until it is full; capture has none).
    private let lead: Duration
    /// Behind real time by more than this (the caller stalled), start counting afresh
    /// rather than rushing to catch up.
    private let maxLag: Duration
    private let trustAfter: Duration
    private(set) var decision: Decision
    private var start: Duration?
    /// When the first transfer began (`start` moves on a resync; this does not).
    private(set) var firstTransfer: Duration?
    private var frames = 0
    private(set) var resyncs = 0

    init(
        pacing: Pacing, clock: any MonotonicClock, rate: Int,
        allowanceFrames: Int, leadFrames: Int = 0,
        maxLag: Duration = .milliseconds(200), trustAfter: Duration = .seconds(1)
    ) {
        self.clock = clock
        self.rate = max(1, rate)
        self.allowance = Pacer.duration(frames: allowanceFrames, rate: max(1, rate))
        self.lead = Pacer.duration(frames: leadFrames, rate: max(1, rate))
        self.maxLag = maxLag
        self.trustAfter = trustAfter
        switch pacing {
        case .device: decision = .device
        case .clock: decision = .clock
        case .automatic: decision = .deciding
        }
    }

    /// The device died: from now on the clock holds the pace.
    mutating func forceClock() {
        decision = .clock
    }

    /// Call before each transfer: the first one fixes the origin of the deadlines.
    mutating func willTransfer() {
        if start == nil {
            start = clock.now()
            firstTransfer = start
        }
    }

    /// Call after each transfer of `count` frames: decides, then waits if the clock paces.
    mutating func didTransfer(frames count: Int) {
        guard count > 0 else { return }
        if start == nil {
            start = clock.now()
            firstTransfer = start
        }
        frames += count
        guard var origin = start else { return }
        let audio = Pacer.duration(frames: frames, rate: rate)
        var now = clock.now()
        if decision == .deciding {
            let wall = now - origin
            if audio - wall > allowance {
                decision = .clock
            } else if wall >= trustAfter {
                decision = .device
            }
        }
        guard decision == .clock else { return }
        if (now - origin) - audio > maxLag {
            // The caller stalled; pretend this transfer happened on time now.
            origin = now - audio
            start = origin
            resyncs += 1
            now = clock.now()
        }
        let deadline = origin + audio - lead
        if deadline > now { clock.sleep(until: deadline) }
    }

    /// The duration of `frames` at `rate`, without overflowing on long calls.
    static func duration(frames: Int, rate: Int) -> Duration {
        let whole = frames / rate
        let rest = frames % rate
        return .seconds(Int64(whole)) + .nanoseconds(Int64(rest) * 1_000_000_000 / Int64(rate))
    }
}
