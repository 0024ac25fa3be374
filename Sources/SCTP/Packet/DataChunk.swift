/// DATA (RFC 9260 §3.3.1): TSN, stream, SSN, PPID and a fragment of a user message.
struct DataChunk: Equatable, Sendable {
    static let headerSize = 16

    var tsn: UInt32
    var streamID: UInt16
    var ssn: UInt16
    var ppid: UInt32
    var payload: [UInt8]
    var unordered: Bool
    var beginning: Bool
    var ending: Bool
    var immediate = false

    var flags: UInt8 {
        (immediate ? 0x08 : 0) | (unordered ? 0x04 : 0) | (beginning ? 0x02 : 0) | (ending ? 0x01 : 0)
    }

    /// Reads the chunk value (everything after the chunk header) from `reader`.
    static func parse(flags: UInt8, value reader: inout ByteReader) throws(SCTPParseError) -> DataChunk {
        let tsn = try reader.u32()
        let stream = try reader.u16()
        let ssn = try reader.u16()
        let ppid = try reader.u32()
        return DataChunk(
            tsn: tsn, streamID: stream, ssn: ssn, ppid: ppid, payload: reader.rest(),
            unordered: flags & 0x04 != 0, beginning: flags & 0x02 != 0, ending: flags & 0x01 != 0,
            immediate: flags & 0x08 != 0)
    }

    func serializeValue(into out: inout [UInt8]) {
        out.appendU32(tsn)
        out.appendU16(streamID)
        out.appendU16(ssn)
        out.appendU32(ppid)
        out += payload
    }
}
