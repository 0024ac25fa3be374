/// Frames per second over the last second, from the running frame numbers
/// of a `LatestFrame` sampled at the screen's tick.
struct FrameRateMeter {
    private var samples: [(time: ContinuousClock.Instant, number: UInt64)] = []

    mutating func record(_ number: UInt64, at time: ContinuousClock.Instant = .now) {
        if samples.last?.number != number { samples.append((time, number)) }
        // Keep one sample older than a second, so the window spans a full second.
        while samples.count > 2, time - samples[1].time > .seconds(1) { samples.removeFirst() }
    }

    mutating func reset() { samples.removeAll() }

    /// Nil until frames have been seen over at least half a second.
    func framesPerSecond(at time: ContinuousClock.Instant = .now) -> Int? {
        guard let first = samples.first, let last = samples.last else { return nil }
        let span = time - first.time
        guard span >= .milliseconds(500) else { return nil }
        // Nothing new for a while counts as a frozen picture: 0 fps.
        if time - last.time > .seconds(1) { return 0 }
        let seconds = Double(span.components.seconds) + Double(span.components.attoseconds) / 1e18
        return Int((Double(last.number - first.number) / seconds).rounded())
    }
}
