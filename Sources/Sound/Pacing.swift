/// Who keeps audio at real time.
///
/// A sound card hands over (or takes) one period per period duration; the
/// file plugin over a null slave does it as fast as it is asked. `.automatic`
/// tells them apart by measuring (see `Pacer`).
public enum Pacing: Sendable, Equatable {
    /// Trust the device: its reads and writes block at real time.
    case device
    /// Keep one period per period duration by a monotonic clock.
    case clock
    /// Measure, then pick one of the two.
    case automatic
}
