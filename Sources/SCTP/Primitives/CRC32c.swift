/// CRC32c (Castagnoli), reflected, polynomial 0x82F63B78 (RFC 9260 Appendix B).
enum CRC32c {
    static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 {
            crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
        }
        return crc
    }

    /// The checksum of `bytes`, treating `zeroing` (if given) as four zero bytes.
    static func checksum(_ bytes: [UInt8], zeroing range: Range<Int>? = nil) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for index in bytes.indices {
            let byte: UInt8 = (range?.contains(index) ?? false) ? 0 : bytes[index]
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return ~crc
    }
}
