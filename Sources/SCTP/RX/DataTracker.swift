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
    /// TSNs received beyond the cumulative TSN, in serial-number order (all lie within
    /// `maxTrackedOffset` ahead of it, so ordering by offset is ordering by TSN). Sorted, because
    /// every SACK lists them as ranges and a SACK goes out for nearly every packet while gaps exist.
    private var receivedAhead: [UInt32] = []
    private var duplicates: [UInt32] = []

    init(peerInitialTSN: UInt32) {
        cumulativeTSN = peerInitialTSN &- 1
    }

    var hasGaps: Bool { !receivedAhead.isEmpty }
    var hasDuplicates: Bool { !duplicates.isEmpty }

    enum Verdict: Equatable { case new, duplicate, outOfWindow }

    /// Classifies `tsn` without recording it.
    func classify(_ tsn: UInt32) -> Verdict {
        if tsn.precedesOrEquals(cumulativeTSN) { return .duplicate }
        if tsn &- cumulativeTSN > Self.maxTrackedOffset { return .outOfWindow }
        let index = insertionIndex(tsn)
        if index < receivedAhead.count, receivedAhead[index] == tsn { return .duplicate }
        return .new
    }

    /// Where `tsn` is or would go in `receivedAhead` (binary search by offset from the cumulative TSN).
    private func insertionIndex(_ tsn: UInt32) -> Int {
        let offset = tsn &- cumulativeTSN
        // Fast path: arrivals in order land at the end.
        if let last = receivedAhead.last, last &- cumulativeTSN < offset { return receivedAhead.count }
        var low = 0
        var high = receivedAhead.count
        while low < high {
            let middle = (low + high) / 2
            if receivedAhead[middle] &- cumulativeTSN < offset { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The highest TSN received so far.
    var highestReceived: UInt32 { receivedAhead.last ?? cumulativeTSN }

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
        receivedAhead.insert(tsn, at: insertionIndex(tsn))
        return false
    }

    /// FORWARD TSN (RFC 3758 §3.6): treat everything up to `newCumulative` as received.
    mutating func forward(to newCumulative: UInt32) {
        guard newCumulative.follows(cumulativeTSN) else { return }
        let passed = receivedAhead.prefix { !$0.follows(newCumulative) }.count
        receivedAhead.removeFirst(passed)
        cumulativeTSN = newCumulative
        advanceOverReceived()
    }

    private mutating func advanceOverReceived() {
        var consumed = 0
        while consumed < receivedAhead.count, receivedAhead[consumed] == cumulativeTSN &+ 1 {
            cumulativeTSN &+= 1
            consumed += 1
        }
        receivedAhead.removeFirst(consumed)
    }

    /// A SACK of the current state; reported duplicates are cleared.
    mutating func makeSack(window: UInt32) -> SackChunk {
        var blocks: [SackChunk.GapBlock] = []
        for tsn in receivedAhead {
            let value = UInt16(truncatingIfNeeded: tsn &- cumulativeTSN)
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
