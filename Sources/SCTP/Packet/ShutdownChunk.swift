/// SHUTDOWN (RFC 9260 §3.3.8): carries the sender's cumulative TSN ack.
/// SHUTDOWN ACK and SHUTDOWN COMPLETE carry nothing but flags (§3.3.9, §3.3.13).
struct ShutdownChunk: Equatable, Sendable {
    var cumulativeTSNAck: UInt32

    static func parse(_ value: [UInt8]) throws(SCTPParseError) -> ShutdownChunk {
        var reader = ByteReader(value)
        return ShutdownChunk(cumulativeTSNAck: try reader.u32())
    }

    func serializeValue(into out: inout [UInt8]) { out.appendU32(cumulativeTSNAck) }
}
