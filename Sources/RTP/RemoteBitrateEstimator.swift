/// Receiver-side bandwidth estimate for REMB (draft-alvestrand-rmcat-remb), kept
/// simple: the incoming bitrate over a sliding window, and a delay-based detector
/// that groups packets by RTP timestamp (one group per frame) and compares how far
/// apart groups arrive with how far apart they were sent. A growing one-way delay
/// (queues filling at a bottleneck) is overuse: the estimate drops to
/// `decreaseFactor` × the incoming rate. Otherwise it grows by `increasePerSecond`
/// (≈ 8 %/s), capped just above what actually arrives, so an idle sender is not
/// promised bandwidth that was never probed.
///
/// The delay trend is the least-squares slope of the accumulated delay variation
/// over the last `trendWindow` groups (dimensionless: seconds of delay per second).
/// The estimate starts at `initialBitrate`, raised to the incoming rate once that
/// is first measured (half a window in).
public struct RemoteBitrateEstimator: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var clockRate: Int
        public var rateWindow: Duration
        public var initialBitrate: UInt64
        public var minimumBitrate: UInt64
        public var maximumBitrate: UInt64
        public var decreaseFactor: Double
        public var increasePerSecond: Double
        /// Slope of the delay trend above which the path is overused.
        public var overuseSlope: Double
        public var trendWindow: Int
        /// After a decrease, further decreases wait this long (let the queue drain).
        public var decreaseHold: Duration
        /// REMB is sent at least this often, and at once on a decrease.
        public var reportInterval: Duration

        public init(clockRate: Int = 90_000, rateWindow: Duration = .milliseconds(1000), initialBitrate: UInt64 = 300_000,
                    minimumBitrate: UInt64 = 30_000, maximumBitrate: UInt64 = 20_000_000, decreaseFactor: Double = 0.85,
                    increasePerSecond: Double = 0.08, overuseSlope: Double = 0.04, trendWindow: Int = 20,
                    decreaseHold: Duration = .milliseconds(500), reportInterval: Duration = .seconds(1)) {
            self.clockRate = max(clockRate, 1)
            self.rateWindow = max(rateWindow, .milliseconds(100))
            self.initialBitrate = initialBitrate
            self.minimumBitrate = minimumBitrate
            self.maximumBitrate = max(maximumBitrate, minimumBitrate)
            self.decreaseFactor = decreaseFactor
            self.increasePerSecond = increasePerSecond
            self.overuseSlope = overuseSlope
            self.trendWindow = max(trendWindow, 3)
            self.decreaseHold = decreaseHold
            self.reportInterval = reportInterval
        }
    }

    public enum Usage: Sendable, Hashable { case normal, overusing, underusing }

    struct Group: Sendable {
        var timestamp: Int64
        var firstArrival: Duration
        var lastArrival: Duration
    }

    public let configuration: Configuration
    /// The current estimate in bits per second.
    public private(set) var estimate: UInt64
    public private(set) var usage: Usage = .normal

    private var window: [(arrival: Duration, bytes: Int)] = []
    private var windowStart = 0
    private var windowBytes = 0
    private var firstArrival: Duration?
    private var timestamps = TimestampUnwrapper()
    private var current: Group?
    private var previous: Group?
    private var accumulatedDelay: Double = 0
    private var trend: [(time: Double, delay: Double)] = []
    private var lastUpdate: Duration?
    private var lastDecrease: Duration?
    private var lastReport: Duration?
    private var reportPending = false
    private var measured = false

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        estimate = configuration.initialBitrate
    }

    /// Bits per second received over the last `rateWindow` (nil until a window has passed).
    public func incomingBitrate(now: Duration) -> UInt64? {
        guard let first = firstArrival, now - first >= configuration.rateWindow / 2 else { return nil }
        let span = min(configuration.rateWindow, now - first).asSeconds
        guard span > 0 else { return nil }
        return UInt64(Double(windowBytes * 8) / span)
    }

    /// One received media packet: its size on the wire (or payload), RTP timestamp and arrival time.
    public mutating func received(size: Int, timestamp: UInt32, arrival: Duration) {
        let size = max(0, min(size, 1 << 20))
        if firstArrival == nil { firstArrival = arrival }
        window.append((arrival, size))
        windowBytes += size
        trimWindow(now: arrival)

        let ts = timestamps.unwrap(timestamp)
        if var group = current, ts == group.timestamp {
            group.lastArrival = max(group.lastArrival, arrival)
            current = group
        } else if let group = current, ts < group.timestamp {
            // A packet of an older frame (reordered): counted for the rate only.
        } else {
            if let done = current {
                if let prior = previous { addDelta(from: prior, to: done) }
                previous = done
            }
            current = Group(timestamp: ts, firstArrival: arrival, lastArrival: arrival)
        }
        update(now: arrival)
    }

    public mutating func received(_ packet: RTPPacket, arrival: Duration) {
        received(size: packet.payload.count + 12 + packet.csrcs.count * 4, timestamp: packet.timestamp, arrival: arrival)
    }

    private mutating func trimWindow(now: Duration) {
        while windowStart < window.count && now - window[windowStart].arrival > configuration.rateWindow {
            windowBytes -= window[windowStart].bytes
            windowStart += 1
        }
        if windowStart > 1024 && windowStart * 2 > window.count {
            window.removeFirst(windowStart)
            windowStart = 0
        }
    }

    /// Delay variation between two frame groups: (arrival delta) − (send delta).
    private mutating func addDelta(from a: Group, to b: Group) {
        let sendDelta = Double(b.timestamp - a.timestamp) / Double(configuration.clockRate)
        let arrivalDelta = (b.lastArrival - a.lastArrival).asSeconds
        // A gap over a second (pause, restart) says nothing about queues.
        guard sendDelta < 1, abs(arrivalDelta) < 1 else {
            trend.removeAll()
            accumulatedDelay = 0
            return
        }
        accumulatedDelay += arrivalDelta - sendDelta
        trend.append((b.lastArrival.asSeconds, accumulatedDelay))
        if trend.count > configuration.trendWindow { trend.removeFirst(trend.count - configuration.trendWindow) }
        guard trend.count >= configuration.trendWindow / 2 else {
            usage = .normal
            return
        }
        let slope = Self.slope(trend)
        if slope > configuration.overuseSlope {
            usage = .overusing
        } else if slope < -configuration.overuseSlope {
            usage = .underusing
        } else {
            usage = .normal
        }
    }

    static func slope(_ points: [(time: Double, delay: Double)]) -> Double {
        let n = Double(points.count)
        let meanT = points.reduce(0) { $0 + $1.time } / n
        let meanD = points.reduce(0) { $0 + $1.delay } / n
        var num = 0.0
        var den = 0.0
        for p in points {
            num += (p.time - meanT) * (p.delay - meanD)
            den += (p.time - meanT) * (p.time - meanT)
        }
        return den > 0 ? num / den : 0
    }

    private mutating func update(now: Duration) {
        defer { lastUpdate = now }
        guard let incoming = incomingBitrate(now: now) else { return }
        if !measured {
            // The first measurement: what arrives is what the path carries so far.
            measured = true
            estimate = max(estimate, incoming)
        }
        let elapsed = lastUpdate.map { max(0, (now - $0).asSeconds) } ?? 0
        switch usage {
        case .overusing:
            if lastDecrease.map({ now - $0 >= configuration.decreaseHold }) ?? true {
                let target = UInt64(Double(incoming) * configuration.decreaseFactor)
                if target < estimate {
                    estimate = target
                    reportPending = true
                }
                lastDecrease = now
            }
        case .underusing:
            break  // queues are draining: hold
        case .normal:
            let grown = Double(estimate) * (1 + configuration.increasePerSecond * min(elapsed, 1))
            let cap = Double(incoming) * 1.5 + 10_000
            estimate = UInt64(min(grown, max(cap, Double(estimate))))
        }
        estimate = min(configuration.maximumBitrate, max(configuration.minimumBitrate, estimate))
    }

    /// A bitrate to send in a REMB now, if one is due: at once after a decrease,
    /// else every `reportInterval`; nothing before the incoming rate is first measured.
    public mutating func pollREMB(now: Duration) -> UInt64? {
        guard measured else { return nil }
        let due = reportPending || lastReport.map { now - $0 >= configuration.reportInterval } ?? true
        guard due else { return nil }
        reportPending = false
        lastReport = now
        return estimate
    }

    /// When the next periodic REMB is due.
    public func pollTimeout() -> Duration? {
        guard measured else { return nil }
        return (lastReport ?? .zero) + configuration.reportInterval
    }

    public func remb(senderSSRC: UInt32, mediaSSRCs: [UInt32]) -> ReceiverEstimatedMaximumBitrate {
        ReceiverEstimatedMaximumBitrate(senderSSRC: senderSSRC, bitrate: estimate, ssrcs: mediaSSRCs)
    }
}
