/// Reception statistics for one remote SSRC (RFC 3550 §6.4.1, A.1, A.3, A.8),
/// turned into report blocks for our SR/RR.
public struct ReceiverStatistics: Sendable {
    public let ssrc: UInt32
    public let clockRate: Int

    /// RFC 3550 A.1 constants: a jump bigger than this is a restart or a bad packet.
    static let maxDropout: UInt16 = 3000
    static let maxMisorder: UInt16 = 100
    static let sequenceModulo: Int64 = 1 << 16

    public private(set) var packetsReceived: Int64 = 0
    private var started = false
    private var maxSequence: UInt16 = 0
    private var cycles: Int64 = 0
    private var baseSequence: Int64 = 0
    private var badSequence: Int64 = Int64(1) << 17  // "RTP_SEQ_MOD + 1": none
    private var expectedPrior: Int64 = 0
    private var receivedPrior: Int64 = 0

    private var jitterTicks: Double = 0
    private var lastTransit: UInt32?

    private var lastSenderReport: UInt32 = 0
    private var lastSenderReportArrival: Duration?

    public init(ssrc: UInt32, clockRate: Int) {
        self.ssrc = ssrc
        self.clockRate = max(clockRate, 1)
    }

    /// Extended highest sequence number received: cycles × 65536 + max (§6.4.1).
    public var extendedHighestSequenceNumber: UInt32 {
        UInt32(truncatingIfNeeded: cycles + Int64(maxSequence))
    }

    /// Expected minus received since the start (A.3); may be negative with duplicates.
    public var cumulativeLost: Int64 {
        guard started else { return 0 }
        let expected = cycles + Int64(maxSequence) - baseSequence + 1
        return expected - packetsReceived
    }

    /// Interarrival jitter in timestamp units (A.8).
    public var jitter: UInt32 { UInt32(min(jitterTicks, Double(UInt32.max))) }

    /// Interarrival jitter as a duration.
    public var jitterDuration: Duration { .seconds(double: jitterTicks / Double(clockRate)) }

    public mutating func received(_ packet: RTPPacket, arrival: Duration) {
        received(sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp, arrival: arrival)
    }

    public mutating func received(sequenceNumber seq: UInt16, timestamp: UInt32, arrival: Duration) {
        guard started else {
            started = true
            maxSequence = seq
            baseSequence = Int64(seq)
            cycles = 0
            packetsReceived = 1
            updateJitter(timestamp: timestamp, arrival: arrival)
            return
        }
        // A.1 update_seq, without the probation of new sources.
        let delta = seq &- maxSequence
        if delta < Self.maxDropout {
            if seq < maxSequence { cycles += Self.sequenceModulo }  // wrapped
            maxSequence = seq
        } else if delta <= UInt16.max - Self.maxMisorder {
            // A very large jump: accept it only if the next packet follows it (a restart).
            if Int64(seq) == badSequence {
                restart(at: seq)
            } else {
                badSequence = (Int64(seq) + 1) & (Self.sequenceModulo - 1)
                return
            }
        } else {
            // Duplicate or reordered within the misorder window: counted, maximum unchanged.
        }
        packetsReceived += 1
        updateJitter(timestamp: timestamp, arrival: arrival)
    }

    private mutating func restart(at seq: UInt16) {
        maxSequence = seq
        baseSequence = Int64(seq)
        cycles = 0
        badSequence = Int64(1) << 17
        packetsReceived = 0
        expectedPrior = 0
        receivedPrior = 0
        lastTransit = nil
    }

    /// A.8: transit = arrival − timestamp (timestamp units), J += (|D| − J) / 16.
    private mutating func updateJitter(timestamp: UInt32, arrival: Duration) {
        let ticks = arrival.asSeconds * Double(clockRate)
        let arrivalTicks = UInt32(truncatingIfNeeded: Int64(max(-9e18, min(9e18, ticks.rounded()))))
        let transit = arrivalTicks &- timestamp
        if let last = lastTransit {
            let d = Double(abs(Int64(Int32(bitPattern: transit &- last))))
            jitterTicks += (d - jitterTicks) / 16
        }
        lastTransit = transit
    }

    /// Call for each SR from this source, to fill LSR/DLSR (§6.4.1).
    public mutating func receivedSenderReport(_ report: SenderReport, arrival: Duration) {
        lastSenderReport = report.ntpTimestamp.compact
        lastSenderReportArrival = arrival
    }

    /// The report block for this source as of `now`; advances the fraction-lost interval (A.3).
    public mutating func makeReportBlock(now: Duration) -> ReportBlock {
        let expected = started ? cycles + Int64(maxSequence) - baseSequence + 1 : 0
        let expectedInterval = expected - expectedPrior
        expectedPrior = expected
        let receivedInterval = packetsReceived - receivedPrior
        receivedPrior = packetsReceived
        let lostInterval = expectedInterval - receivedInterval
        let fraction: UInt8 = expectedInterval == 0 || lostInterval <= 0
            ? 0 : UInt8(min(255, (lostInterval << 8) / expectedInterval))
        var dlsr: UInt32 = 0
        if let at = lastSenderReportArrival, now >= at {
            // Units of 1/65536 s.
            dlsr = UInt32(min(Double(UInt32.max), (now - at).asSeconds * 65536))
        }
        return ReportBlock(ssrc: ssrc, fractionLost: fraction,
                           cumulativeLost: Int32(clamping: max(-0x80_0000, min(0x7F_FFFF, cumulativeLost))),
                           extendedHighestSequenceNumber: extendedHighestSequenceNumber, jitter: jitter,
                           lastSenderReport: lastSenderReportArrival == nil ? 0 : lastSenderReport,
                           delaySinceLastSenderReport: dlsr)
    }
}
