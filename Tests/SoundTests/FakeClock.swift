import Sound

/// Time moves only when someone sleeps: pacing tests run instantly and exactly.
final class FakeClock: MonotonicClock {
    private(set) var time: Duration = .seconds(100)
    private(set) var sleeps = 0

    func now() -> Duration { time }

    func sleep(until deadline: Duration) {
        sleeps += 1
        if deadline > time { time = deadline }
    }

    /// Time passing outside any sleep (a device that blocks, a slow caller).
    func advance(_ by: Duration) { time += by }
}
