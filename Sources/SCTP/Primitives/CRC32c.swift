import CCRC32C

/// CRC32c (Castagnoli), reflected, polynomial 0x82F63B78 (RFC 9260 Appendix B).
///
/// Every packet is summed twice (sent and received), so this is computed eight bytes at a
/// time ("slicing by 8") through raw pointers: about ten times faster than a byte loop over
/// array subscripts, and the gap is widest in debug builds, where each subscript is a call.
/// Where the CPU has a CRC32 instruction (SSE 4.2) that does the work instead: the
/// tables were 4.4% of a bulk transfer's CPU samples (both processes), the instruction 1%.
enum CRC32c {
    static let hardware = call_crc32c_hardware() == 1

    /// `tables[k * 256 + b]`: the CRC register contribution of byte `b` followed by `k` zero bytes.
    /// `tables[0..<256]` is the classic one-byte table.
    static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var crc = UInt32(index)
            for _ in 0..<8 {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
            }
            tables[index] = crc
        }
        for slice in 1..<8 {
            for index in 0..<256 {
                let previous = tables[(slice - 1) * 256 + index]
                tables[slice * 256 + index] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// The checksum of `bytes`, treating `zeroing` (if given) as zero bytes; `hardware`
    /// false uses the tables whatever the CPU (tests compare the two).
    static func checksum(_ bytes: [UInt8], zeroing range: Range<Int>? = nil, hardware: Bool = hardware) -> UInt32 {
        tables.withUnsafeBufferPointer { tableBuffer in
            bytes.withUnsafeBufferPointer { buffer in
                guard let table = tableBuffer.baseAddress, let start = buffer.baseAddress else { return 0 }
                var crc: UInt32 = 0xFFFF_FFFF
                let zeroed = range.map { $0.clamped(to: 0..<buffer.count) } ?? buffer.count..<buffer.count
                if hardware {
                    crc = call_crc32c_update(crc, start, zeroed.lowerBound)
                    var zeros: UInt64 = 0
                    for offset in stride(from: 0, to: zeroed.count, by: 8) {
                        crc = withUnsafeBytes(of: &zeros) { call_crc32c_update(crc, $0.bindMemory(to: UInt8.self).baseAddress, min(8, zeroed.count - offset)) }
                    }
                    crc = call_crc32c_update(crc, start + zeroed.upperBound, buffer.count - zeroed.upperBound)
                    return ~crc
                }
                crc = update(crc, table: table, start, count: zeroed.lowerBound)
                for _ in zeroed { crc = table[Int(crc & 0xFF)] ^ (crc >> 8) }
                crc = update(crc, table: table, start + zeroed.upperBound, count: buffer.count - zeroed.upperBound)
                return ~crc
            }
        }
    }

    private static func update(_ crc: UInt32, table: UnsafePointer<UInt32>, _ start: UnsafePointer<UInt8>, count: Int) -> UInt32 {
        var crc = crc
        var cursor = start
        let end = start + count
        // Bytes one at a time until the cursor is 8-byte aligned, for the word loads below.
        while cursor < end, UInt(bitPattern: cursor) & 7 != 0 {
            crc = table[Int((crc ^ UInt32(cursor.pointee)) & 0xFF)] ^ (crc &>> 8)
            cursor += 1
        }
        let words = (end - cursor) / 8
        if words > 0 {
            UnsafeRawPointer(cursor).withMemoryRebound(to: UInt64.self, capacity: words) { first in
                var word = first
                let last = first + words
                while word < last {
                    // The reflected CRC consumes the first byte in memory first: the low byte of a
                    // little-endian load. (`littleEndian` would do, but it is a generic call per
                    // word in debug builds; the halves and masking shifts below stay concrete.)
                    #if _endian(big)
                    let value = word.pointee.byteSwapped ^ UInt64(crc)
                    #else
                    let value = word.pointee ^ UInt64(crc)
                    #endif
                    let low = UInt32(truncatingIfNeeded: value)
                    let high = UInt32(truncatingIfNeeded: value &>> 32)
                    crc = table[0x700 | Int(low & 0xFF)]
                        ^ table[0x600 | Int((low &>> 8) & 0xFF)]
                        ^ table[0x500 | Int((low &>> 16) & 0xFF)]
                        ^ table[0x400 | Int(low &>> 24)]
                        ^ table[0x300 | Int(high & 0xFF)]
                        ^ table[0x200 | Int((high &>> 8) & 0xFF)]
                        ^ table[0x100 | Int((high &>> 16) & 0xFF)]
                        ^ table[Int(high &>> 24)]
                    word += 1
                }
            }
            cursor += words * 8
        }
        while cursor < end {
            crc = table[Int((crc ^ UInt32(cursor.pointee)) & 0xFF)] ^ (crc &>> 8)
            cursor += 1
        }
        return crc
    }
}
