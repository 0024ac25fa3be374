/// Receive-side TSN bookkeeping: the cumulative TSN, TSNs received beyond it (gap ack blocks)
/// and duplicates to report (RFC 9260 §6.2, §6.2.1).
struct DataTracker: Sendable {
    /// The furthest a TSN may be ahead of the cumulative TSN and still be tracked
    /// (gap block offsets are 16 bit, RFC 9260 §3.3.4).
    static let maxTrackedOffset: UInt32 = 65_000
    static let maxReportedDuplicates = 32
    static let maxGapBlocks = 64

    /// The last TSN received with every earlier TSN received too.
    private(set) var cumulativeTSN: UInt32
    private var receivedAhead: Set<UInt32> = []
    private var duplicates: [UInt32] = []

    init(peerInitialTSN: UInt32) {
        cumulativeTSN = peerInitialTSN &- 1
    }

    var hasGaps: Bool { !receivedAhead.isEmpty }
    var hasDuplicates: Bool { !duplicates.isEmpty }

    enum Verdict: Equatable { case new, duplicate, outOfWindow }

    /// Classifies `tsn` without recording it.
    func classify(_ tsn: UInt32) -> Verdict {
        if tsn.precedesOrEquals(cumulativeTSN) || receivedAhead.contains(tsn) { return .duplicate }
        if tsn &- cumulativeTSN > Self.maxTrackedOffset { return .outOfWindow }
        return .new
    }

    /// The highest TSN received so far.
    var highestReceived: UInt32 {
        receivedAhead.max { $0 &- cumulativeTSN < $1 &- cumulativeTSN } ?? cumulativeTSN
    }

    mutating func recordDuplicate(_ tsn: UInt32) {
        if duplicates.count < Self.maxReportedDuplicates { duplicates.append(tsn) }
    }

    /// Records a new TSN; returns whether the cumulative TSN moved.
    @discardableResult
    mutating func record(_ tsn: UInt32) -> Bool {
        guard classify(tsn) == .new else { return false }
        if tsn == cumulativeTSN &+ 1 {
            cumulativeTSN = tsn
            advanceOverReceived()
            return true
        }
        receivedAhead.insert(tsn)
        return false
    }

    /// FORWARD TSN (RFC 3758 §3.6): treat everything up to `newCumulative` as received.
    mutating func forward(to newCumulative: UInt32) {
        guard newCumulative.follows(cumulativeTSN) else { return }
        cumulativeTSN = newCumulative
        receivedAhead = receivedAhead.filter { $0.follows(newCumulative) }
        advanceOverReceived()
    }

    private mutating func advanceOverReceived() {
        while receivedAhead.remove(cumulativeTSN &+ 1) != nil { cumulativeTSN &+= 1 }
    }

    /// A SACK of the current state; reported duplicates are cleared.
    mutating func makeSack(window: UInt32) -> SackChunk {
        let offsets = receivedAhead.map { $0 &- cumulativeTSN }.sorted()
        var blocks: [SackChunk.GapBlock] = []
        for offset in offsets {
            let value = UInt16(truncatingIfNeeded: offset)
            if let last = blocks.last, last.end &+ 1 == value {
                blocks[blocks.count - 1].end = value
            } else {
                if blocks.count == Self.maxGapBlocks { break }
                blocks.append(SackChunk.GapBlock(start: value, end: value))
            }
        }
        defer { duplicates.removeAll() }
        return SackChunk(
            cumulativeTSNAck: cumulativeTSN, advertisedReceiverWindow: window, gapBlocks: blocks,
            duplicateTSNs: duplicates)
    }
}
