/// One SCTP packet: the common header and its chunks (RFC 9260 §3.1).
struct SCTPPacket: Equatable, Sendable {
    static let commonHeaderSize = 12

    var sourcePort: UInt16
    var destinationPort: UInt16
    var verificationTag: UInt32
    var chunks: [Chunk]

    enum ParseFailure: Error, Equatable {
        case malformed(String)
        case badChecksum
    }

    /// Parses and checks the CRC32c; any malformed chunk rejects the whole packet.
    static func parse(_ bytes: [UInt8]) throws(ParseFailure) -> SCTPPacket {
        guard bytes.count >= commonHeaderSize, bytes.count % 4 == 0 || bytes.count >= commonHeaderSize else {
            throw .malformed("shorter than the common header")
        }
        // RFC 9260 §6.8 / Appendix B: CRC32c over the packet with the checksum field zeroed,
        // stored least significant byte first.
        let stored = UInt32(bytes[8]) | UInt32(bytes[9]) << 8 | UInt32(bytes[10]) << 16 | UInt32(bytes[11]) << 24
        guard CRC32c.checksum(bytes, zeroing: 8..<12) == stored else { throw .badChecksum }
        var reader = ByteReader(bytes)
        do throws(SCTPParseError) {
            let source = try reader.u16()
            let destination = try reader.u16()
            let tag = try reader.u32()
            reader.skip(4)
            var chunks: [Chunk] = []
            while reader.remaining >= 4 {
                chunks.append(try Chunk.parse(&reader))
            }
            guard !chunks.isEmpty else { throw SCTPParseError("no chunks") }
            return SCTPPacket(sourcePort: source, destinationPort: destination, verificationTag: tag, chunks: chunks)
        } catch {
            throw .malformed(error.reason)
        }
    }

    func serialize() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1200)
        out.appendU16(sourcePort)
        out.appendU16(destinationPort)
        out.appendU32(verificationTag)
        out.appendU32(0)
        for chunk in chunks { chunk.serialize(into: &out) }
        let crc = CRC32c.checksum(out)
        out[8] = UInt8(truncatingIfNeeded: crc)
        out[9] = UInt8(truncatingIfNeeded: crc >> 8)
        out[10] = UInt8(truncatingIfNeeded: crc >> 16)
        out[11] = UInt8(truncatingIfNeeded: crc >> 24)
        return out
    }
}
