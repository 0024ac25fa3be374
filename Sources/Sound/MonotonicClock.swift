/// A clock that never goes backwards, injected so pacing can be tested without sleeping.
public protocol MonotonicClock {
    /// Time since an arbitrary fixed origin.
    func now() -> Duration
    /// Blocks the calling thread until `now() >= deadline` (returns at once if it already is).
    func sleep(until deadline: Duration)
}
