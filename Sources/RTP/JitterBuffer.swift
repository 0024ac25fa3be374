/// What the jitter buffer releases, in sequence order.
public enum JitterBufferOutput: Sendable, Hashable {
    case packet(RTPPacket)
    /// `count` packets from `firstSequenceNumber` on never came in time and are skipped.
    case lost(firstSequenceNumber: UInt16, count: Int)
}

/// Reorders RTP packets of one stream by extended sequence number and holds each
/// for a target delay, so late and reordered packets can take their place: after
/// its arrival (`.afterArrival`), or after the time its RTP timestamp says it
/// would have arrived on the fastest recent path (`.atTimestamp`, for audio: the
/// playout stays on the sender's clock, and jitter below the target does not move
/// it). The target follows the interarrival jitter (RFC 3550 §6.4.1, A.8):
/// `jitterMultiplier × J`, clamped to `[minimumDelay, maximumDelay]`.
/// A missing packet is waited for at most until the next held packet is due plus
/// `lossGrace`; then the gap is skipped and reported as `.lost`.
///
/// Sequence numbers far from the stream (A.1 limits) are dropped unless the next
/// packet follows them, which restarts the buffer there.
///
/// Works for video packets (feed the output to `VP8Depayloader`) and audio packets.
/// Sans-IO: `insert(_:arrival:)`, drain `pop(now:)`, wake at `pollTimeout()`.
public struct JitterBuffer: Sendable {
    public enum Playout: Sendable, Hashable {
        /// A packet is due the target delay after it arrived.
        case afterArrival
        /// A packet is due at its timestamp on the local clock, by the smallest transit
        /// (arrival less timestamp) of the last `transitWindow` packets, plus the target delay.
        case atTimestamp
    }

    public struct Configuration: Sendable, Hashable {
        /// RTP clock rate of the stream (90 000 video, 48 000 Opus).
        public var clockRate: Int
        public var minimumDelay: Duration
        public var maximumDelay: Duration
        public var jitterMultiplier: Double
        /// Extra wait for a missing packet beyond the next packet's due time.
        public var lossGrace: Duration
        /// Packets held at most; beyond it the head is released or skipped at once.
        public var capacity: Int
        public var playout: Playout

        public init(clockRate: Int, minimumDelay: Duration = .milliseconds(20), maximumDelay: Duration = .milliseconds(500),
                    jitterMultiplier: Double = 3, lossGrace: Duration = .milliseconds(10), capacity: Int = 1024,
                    playout: Playout = .afterArrival) {
            self.clockRate = max(clockRate, 1)
            self.minimumDelay = minimumDelay
            self.maximumDelay = max(maximumDelay, minimumDelay)
            self.jitterMultiplier = jitterMultiplier
            self.lossGrace = lossGrace
            self.capacity = max(capacity, 1)
            self.playout = playout
        }
    }

    public struct Counters: Sendable, Hashable {
        public var received = 0
        public var released = 0
        /// Packets skipped as missing.
        public var lost = 0
        /// Packets that arrived after their place was passed (skipped as lost, or before the start).
        public var late = 0
        public var duplicates = 0
        /// Packets that arrived after a packet with a higher sequence number.
        public var reordered = 0
        /// Packets far outside the sequence (RFC 3550 A.1 dropout/misorder limits), dropped.
        public var rejected = 0
        /// Sender sequence restarts: held packets were dropped and numbering began anew.
        public var restarts = 0
        /// Held packets dropped at those restarts (never released, so counted here:
        /// every received packet ends up released, held, or in one of the drop counters).
        public var flushed = 0
    }

    struct Entry: Sendable {
        var sequence: Int64
        var packet: RTPPacket
        var arrival: Duration
        /// The unwrapped RTP timestamp.
        var ticks: Int64
    }

    /// Packets whose transit sets the `.atTimestamp` mapping (2.5 s of 20 ms audio): long
    /// enough to remember the fastest path, short enough to follow clock drift.
    static let transitWindow = 128

    public let configuration: Configuration
    public private(set) var counters = Counters()
    /// Interarrival jitter J in seconds (RFC 3550 A.8 estimator).
    public private(set) var jitter: Duration = .zero

    private var jitterTicks: Double = 0
    private var lastTransit: Int64?
    /// The last `transitWindow` transits (ticks), a ring, and their minimum.
    private var transits: [Int64] = []
    private var transitsNext = 0
    private var fastestTransit: Int64?
    /// `fastestTransit` at the stream's start (or last restart), so `playoutDelay` stays small.
    private var firstFastestTransit: Int64 = 0
    private var timestamps = TimestampUnwrapper()
    private var tracker = SequenceTracker()
    private var entries: [Entry] = []  // sorted by sequence
    private var entriesStart = 0  // entries before this index are released
    private var nextToRelease: Int64?
    private var hasReleased = false
    private var highestReceived: Int64?
    /// Recently released sequence numbers, to tell duplicates from late packets.
    private var released: [Int64] = []

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public init(clockRate: Int) {
        self.init(configuration: Configuration(clockRate: clockRate))
    }

    /// The delay each packet is held for now.
    public var targetDelay: Duration {
        let wanted = Duration.seconds(double: jitter.asSeconds * configuration.jitterMultiplier)
        return min(configuration.maximumDelay, max(configuration.minimumDelay, wanted))
    }

    /// How much later than its fastest-path arrival a packet is now played: the target
    /// delay, plus (`.atTimestamp`) how much slower the fastest recent path is than the
    /// stream's first one. Its changes are what a player has to absorb.
    public var playoutDelay: Duration {
        guard configuration.playout == .atTimestamp, let fastestTransit else { return targetDelay }
        return targetDelay + duration(ticks: fastestTransit - firstFastestTransit)
    }

    public var count: Int { entries.count - entriesStart }

    public mutating func insert(_ packet: RTPPacket, arrival: Duration) {
        counters.received += 1
        let seq: Int64
        switch tracker.track(packet.sequenceNumber) {
        case .accepted(let s):
            seq = s
        case .restarted(let s):
            seq = s
            counters.restarts += 1
            counters.flushed += count
            entries.removeAll()
            entriesStart = 0
            nextToRelease = nil
            hasReleased = false
            highestReceived = nil
            released.removeAll()
            lastTransit = nil
            timestamps = TimestampUnwrapper()
            forgetTransits()
        case .rejected:
            counters.rejected += 1
            return
        }
        if let next = nextToRelease, seq < next {
            guard !hasReleased else {
                if released.contains(seq) { counters.duplicates += 1 } else { counters.late += 1 }
                return
            }
            nextToRelease = seq  // nothing out yet: an earlier packet of the start may still take the head
        }
        // Binary search for the slot; most packets append. (No slice of `entries` here: one
        // alive at the insert below would make it copy the whole array.)
        var low = entriesStart
        var high = entries.count
        if low < high, entries[high - 1].sequence < seq {
            low = entries.count
        } else {
            while low < high {
                let mid = (low + high) / 2
                if entries[mid].sequence < seq { low = mid + 1 } else { high = mid }
            }
            if low < entries.count && entries[low].sequence == seq {
                counters.duplicates += 1
                return
            }
        }
        if let highest = highestReceived, seq < highest { counters.reordered += 1 }
        highestReceived = max(highestReceived ?? seq, seq)
        let ticks = timestamps.unwrap(packet.timestamp)
        updateJitter(ticks: ticks, arrival: arrival)
        entries.insert(Entry(sequence: seq, packet: packet, arrival: arrival, ticks: ticks), at: low)
        if nextToRelease == nil { nextToRelease = seq }
    }

    /// RFC 3550 A.8: D = (Rj - Ri) - (Sj - Si) in timestamp units, J += (|D| - J) / 16.
    private mutating func updateJitter(ticks: Int64, arrival: Duration) {
        let rate = Double(configuration.clockRate)
        let arrivalTicks = Int64(max(-1e15, min(1e15, arrival.asSeconds * rate)))
        let transit = arrivalTicks - ticks
        if let last = lastTransit {
            let d = Double(abs(transit - last))
            // A jump of more than a minute is a stream restart, not jitter.
            if d < 60 * rate { jitterTicks += (d - jitterTicks) / 16 }
        }
        lastTransit = transit
        jitter = .seconds(double: jitterTicks / rate)
        if configuration.playout == .atTimestamp { remember(transit: transit) }
    }

    private mutating func remember(transit: Int64) {
        // A timestamp jump beyond anything the path could do (the sender's timeline moved)
        // starts the mapping afresh rather than holding packets for that long, or none at all.
        let jump = Int64(configuration.clockRate) + ticks(configuration.maximumDelay)
        if let fastest = fastestTransit, abs(transit - fastest) > jump { forgetTransits() }
        if transits.count < Self.transitWindow {
            transits.append(transit)
        } else {
            transits[transitsNext] = transit
        }
        transitsNext = (transitsNext + 1) % Self.transitWindow
        if fastestTransit == nil { firstFastestTransit = transit }
        fastestTransit = transits.min()
    }

    private mutating func forgetTransits() {
        transits.removeAll(keepingCapacity: true)
        transitsNext = 0
        fastestTransit = nil
    }

    /// When `entry` is due for release (a lost one before it: plus `lossGrace`).
    private func due(_ entry: Entry) -> Duration {
        guard configuration.playout == .atTimestamp, let fastestTransit else { return entry.arrival + targetDelay }
        return duration(ticks: entry.ticks + fastestTransit) + targetDelay
    }

    private func ticks(_ duration: Duration) -> Int64 {
        Int64(max(-1e15, min(1e15, duration.asSeconds * Double(configuration.clockRate))))
    }

    /// `ticks` of the RTP clock as a duration, without overflowing on long calls.
    private func duration(ticks: Int64) -> Duration {
        let rate = Int64(configuration.clockRate)
        let (whole, rest) = ticks.quotientAndRemainder(dividingBy: rate)
        return .seconds(whole) + .nanoseconds(rest * 1_000_000_000 / rate)
    }

    /// The next packet or loss report that is due at `now`, in order; nil when nothing is due.
    public mutating func pop(now: Duration) -> JitterBufferOutput? {
        guard entriesStart < entries.count, let next = nextToRelease else { return nil }
        let head = entries[entriesStart]
        let overfull = count > configuration.capacity
        if head.sequence == next {
            guard overfull || now >= due(head) else { return nil }
            release()
            hasReleased = true
            remember(head.sequence)
            nextToRelease = next + 1
            counters.released += 1
            return .packet(head.packet)
        }
        // A gap before the head: wait until the head is due plus the grace, then skip.
        guard overfull || now >= due(head) + configuration.lossGrace else { return nil }
        let missing = head.sequence - next
        hasReleased = true
        nextToRelease = head.sequence
        counters.lost += Int(clamping: missing)
        return .lost(firstSequenceNumber: UInt16(truncatingIfNeeded: next), count: Int(clamping: missing))
    }

    /// When `pop` will next have something, if anything is held.
    public func pollTimeout() -> Duration? {
        guard entriesStart < entries.count, let next = nextToRelease else { return nil }
        let head = entries[entriesStart]
        return due(head) + (head.sequence == next ? .zero : configuration.lossGrace)
    }

    private mutating func release() {
        entriesStart += 1
        if entriesStart > 256 && entriesStart * 2 > entries.count {
            entries.removeFirst(entriesStart)
            entriesStart = 0
        }
    }

    private mutating func remember(_ sequence: Int64) {
        released.append(sequence)
        if released.count > 1024 { released.removeFirst(released.count - 512) }
    }
}
