/// SACK (RFC 9260 §3.3.4): cumulative TSN ack, window, gap ack blocks and duplicate TSNs.
struct SackChunk: Equatable, Sendable {
    /// Offsets from the cumulative TSN ack, both inclusive.
    struct GapBlock: Equatable, Sendable {
        var start: UInt16
        var end: UInt16
    }

    var cumulativeTSNAck: UInt32
    var advertisedReceiverWindow: UInt32
    var gapBlocks: [GapBlock]
    var duplicateTSNs: [UInt32]

    static func parse(_ value: [UInt8]) throws(SCTPParseError) -> SackChunk {
        var reader = ByteReader(value)
        let cumulative = try reader.u32()
        let window = try reader.u32()
        let gapCount = Int(try reader.u16())
        let duplicateCount = Int(try reader.u16())
        guard reader.remaining >= gapCount * 4 + duplicateCount * 4 else { throw SCTPParseError("SACK counts") }
        var gaps: [GapBlock] = []
        for _ in 0..<gapCount {
            let start = try reader.u16()
            let end = try reader.u16()
            guard start >= 1, start <= end else { throw SCTPParseError("gap block \(start)-\(end)") }
            gaps.append(GapBlock(start: start, end: end))
        }
        var duplicates: [UInt32] = []
        for _ in 0..<duplicateCount { duplicates.append(try reader.u32()) }
        return SackChunk(
            cumulativeTSNAck: cumulative, advertisedReceiverWindow: window, gapBlocks: gaps,
            duplicateTSNs: duplicates)
    }

    func serializeValue(into out: inout [UInt8]) {
        out.appendU32(cumulativeTSNAck)
        out.appendU32(advertisedReceiverWindow)
        out.appendU16(UInt16(gapBlocks.count))
        out.appendU16(UInt16(duplicateTSNs.count))
        for gap in gapBlocks { out.appendU16(gap.start); out.appendU16(gap.end) }
        for tsn in duplicateTSNs { out.appendU32(tsn) }
    }
}
