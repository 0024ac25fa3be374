/// A malformed packet, chunk or parameter.
struct SCTPParseError: Error, Equatable, Sendable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Bounds-checked big-endian reader over a byte slice; every read can fail, nothing traps.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        offset = max(0, min(start, bytes.count))
        self.end = max(offset, min(end ?? bytes.count, bytes.count))
    }

    var remaining: Int { end - offset }
    var isAtEnd: Bool { offset >= end }

    mutating func u8() throws(SCTPParseError) -> UInt8 {
        guard remaining >= 1 else { throw SCTPParseError("truncated") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(SCTPParseError) -> UInt16 {
        guard remaining >= 2 else { throw SCTPParseError("truncated") }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32() throws(SCTPParseError) -> UInt32 {
        guard remaining >= 4 else { throw SCTPParseError("truncated") }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    mutating func u64() throws(SCTPParseError) -> UInt64 {
        let high = try u32()
        let low = try u32()
        return UInt64(high) << 32 | UInt64(low)
    }

    mutating func take(_ count: Int) throws(SCTPParseError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw SCTPParseError("truncated") }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func rest() -> [UInt8] {
        defer { offset = end }
        return Array(bytes[offset..<end])
    }

    mutating func skip(_ count: Int) {
        offset = min(end, offset + max(0, count))
    }
}

extension Array where Element == UInt8 {
    mutating func appendU16(_ value: UInt16) {
        append(UInt8(value >> 8)); append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendU32(_ value: UInt32) {
        append(UInt8(value >> 24)); append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8)); append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendU64(_ value: UInt64) {
        appendU32(UInt32(truncatingIfNeeded: value >> 32)); appendU32(UInt32(truncatingIfNeeded: value))
    }

    /// Zero padding to a multiple of 4 bytes (RFC 9260 §3.2).
    mutating func padToFourBytes() {
        while count % 4 != 0 { append(0) }
    }

    /// Writes a big-endian UInt16 at `index` (which must exist).
    mutating func setU16(_ value: UInt16, at index: Int) {
        self[index] = UInt8(value >> 8)
        self[index + 1] = UInt8(truncatingIfNeeded: value)
    }
}
