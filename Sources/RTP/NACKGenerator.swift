/// Decides which missing packets of one stream to ask for again (RFC 4585 §6.2.1
/// generic NACK). A packet missing from the received sequence is requested at once,
/// then again every round-trip time, at most `maxRetries` times and never after
/// `maxAge` since the gap was seen. A packet that arrives (late or retransmitted)
/// stops its requests. Wild sequence jumps (RFC 3550 A.1 limits) are ignored
/// unless confirmed by the next packet, so one stray packet cannot cause a NACK storm.
public struct NACKGenerator: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var maxRetries: Int
        public var maxAge: Duration
        /// Missing packets tracked at most; a larger gap keeps only the newest.
        public var maxMissing: Int
        /// Spacing of retries until an RTT is known.
        public var defaultRTT: Duration
        /// Wait before the first request, for paths that reorder (0: ask at once).
        public var firstRequestDelay: Duration

        public init(maxRetries: Int = 10, maxAge: Duration = .seconds(1), maxMissing: Int = 1000,
                    defaultRTT: Duration = .milliseconds(100), firstRequestDelay: Duration = .zero) {
            self.maxRetries = max(maxRetries, 1)
            self.maxAge = maxAge
            self.maxMissing = max(maxMissing, 1)
            self.defaultRTT = defaultRTT
            self.firstRequestDelay = firstRequestDelay
        }
    }

    public struct Counters: Sendable, Hashable {
        /// Sequence numbers put into NACKs (each retry counts).
        public var requests = 0
        /// Missing packets that arrived after all.
        public var recovered = 0
        /// Missing packets given up on.
        public var abandoned = 0
    }

    struct Missing: Sendable {
        var detected: Duration
        var lastRequested: Duration?
        var retries: Int
    }

    public var configuration: Configuration
    public private(set) var counters = Counters()
    /// Spacing between retries of one packet.
    public var roundTripTime: Duration?

    private var tracker = SequenceTracker()
    private var highest: Int64?
    private var missing: [Int64: Missing] = [:]

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Sequence numbers currently missing, oldest first.
    public var missingSequenceNumbers: [UInt16] {
        missing.keys.sorted().map { UInt16(truncatingIfNeeded: $0) }
    }

    /// Every received packet of the stream, originals and retransmissions alike
    /// (unwrap RTX first).
    public mutating func received(sequenceNumber: UInt16, now: Duration) {
        let seq: Int64
        switch tracker.track(sequenceNumber) {
        case .accepted(let s):
            seq = s
        case .restarted(let s):
            // A new numbering: old holes cannot be asked for any more.
            counters.abandoned += missing.count
            missing.removeAll()
            highest = s
            return
        case .rejected:
            return
        }
        guard let h = highest else {
            highest = seq
            return
        }
        if seq <= h {
            if missing.removeValue(forKey: seq) != nil { counters.recovered += 1 }
            return
        }
        var first = h + 1
        if seq - first > Int64(configuration.maxMissing) {
            counters.abandoned += missing.count
            missing.removeAll()
            first = seq - Int64(configuration.maxMissing)
        }
        for s in first..<seq { missing[s] = Missing(detected: now, lastRequested: nil, retries: 0) }
        highest = seq
        while missing.count > configuration.maxMissing, let oldest = missing.keys.min() {
            missing[oldest] = nil
            counters.abandoned += 1
        }
    }

    /// Sequence numbers to request now (drop the ones past their deadline first).
    public mutating func poll(now: Duration) -> [UInt16] {
        let spacing = roundTripTime ?? configuration.defaultRTT
        var due: [Int64] = []
        for (seq, m) in missing {
            if now - m.detected > configuration.maxAge || m.retries >= configuration.maxRetries {
                missing[seq] = nil
                counters.abandoned += 1
                continue
            }
            if let last = m.lastRequested {
                if now - last < spacing { continue }
            } else if now - m.detected < configuration.firstRequestDelay {
                continue
            }
            due.append(seq)
        }
        due.sort()
        for seq in due {
            missing[seq]?.lastRequested = now
            missing[seq]?.retries += 1
        }
        counters.requests += due.count
        return due.map { UInt16(truncatingIfNeeded: $0) }
    }

    /// A NACK packet for what is due now, or nil when nothing is.
    public mutating func pollNACK(senderSSRC: UInt32, mediaSSRC: UInt32, now: Duration) -> GenericNACK? {
        let due = poll(now: now)
        guard !due.isEmpty else { return nil }
        return GenericNACK(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, lostSequenceNumbers: due)
    }

    /// The next time a request becomes due or a missing packet is given up.
    public func pollTimeout() -> Duration? {
        let spacing = roundTripTime ?? configuration.defaultRTT
        var earliest: Duration?
        for m in missing.values {
            let next = m.lastRequested.map { $0 + spacing } ?? (m.detected + configuration.firstRequestDelay)
            let t = min(next, m.detected + configuration.maxAge)
            earliest = min(earliest ?? t, t)
        }
        return earliest
    }
}
