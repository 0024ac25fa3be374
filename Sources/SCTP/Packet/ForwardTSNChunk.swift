/// FORWARD TSN (RFC 3758 §3.2): move the peer's cumulative TSN past abandoned chunks and
/// tell it, for ordered streams, the last skipped SSN.
struct ForwardTSNChunk: Equatable, Sendable {
    struct SkippedStream: Equatable, Sendable {
        var streamID: UInt16
        var ssn: UInt16
    }

    var newCumulativeTSN: UInt32
    var skipped: [SkippedStream]

    static func parse(_ value: [UInt8]) throws(SCTPParseError) -> ForwardTSNChunk {
        var reader = ByteReader(value)
        let tsn = try reader.u32()
        var skipped: [SkippedStream] = []
        while reader.remaining >= 4 {
            skipped.append(SkippedStream(streamID: try reader.u16(), ssn: try reader.u16()))
        }
        return ForwardTSNChunk(newCumulativeTSN: tsn, skipped: skipped)
    }

    func serializeValue(into out: inout [UInt8]) {
        out.appendU32(newCumulativeTSN)
        for entry in skipped { out.appendU16(entry.streamID); out.appendU16(entry.ssn) }
    }
}
