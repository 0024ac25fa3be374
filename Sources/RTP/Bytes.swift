/// Big-endian reading over a byte array that never traps: every read returns nil
/// when the bytes run out (network byte order, RFC 3550 §4).
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int

    init(_ bytes: [UInt8], offset: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = min(end ?? bytes.count, bytes.count)
    }

    var remaining: Int { max(0, end - offset) }

    mutating func u8() -> UInt8? {
        guard offset < end else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u24() -> UInt32? {
        guard remaining >= 3 else { return nil }
        defer { offset += 3 }
        return UInt32(bytes[offset]) << 16 | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2])
    }

    mutating func u32() -> UInt32? {
        guard let high = u16(), let low = u16() else { return nil }
        return UInt32(high) << 16 | UInt32(low)
    }

    mutating func u64() -> UInt64? {
        guard let high = u32(), let low = u32() else { return nil }
        return UInt64(high) << 32 | UInt64(low)
    }

    mutating func take(_ count: Int) -> [UInt8]? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, remaining >= count else { return false }
        offset += count
        return true
    }
}

extension Array where Element == UInt8 {
    mutating func append(u16 value: UInt16) {
        append(UInt8(value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func append(u24 value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func append(u32 value: UInt32) {
        append(u16: UInt16(truncatingIfNeeded: value >> 16))
        append(u16: UInt16(truncatingIfNeeded: value))
    }

    mutating func append(u64 value: UInt64) {
        append(u32: UInt32(truncatingIfNeeded: value >> 32))
        append(u32: UInt32(truncatingIfNeeded: value))
    }
}

/// Deterministic generator for the few random choices the RTP layer makes
/// (initial sequence numbers, picture IDs). SplitMix64 (Steele, Lea, Flood 2014).
struct RTPRandom: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Extends 16-bit RTP sequence numbers to a monotonic 64-bit count across wraps
/// (RFC 3550 §A.1 "cycles"): each new number is placed within ±2^15 of the highest seen.
struct SequenceUnwrapper: Sendable {
    private(set) var highest: Int64?

    /// The extended value of `sequenceNumber`, updating the highest seen.
    mutating func unwrap(_ sequenceNumber: UInt16) -> Int64 {
        let value = peek(sequenceNumber)
        if let h = highest { highest = Swift.max(h, value) } else { highest = value }
        return value
    }

    /// The extended value without updating state.
    func peek(_ sequenceNumber: UInt16) -> Int64 {
        guard let h = highest else { return Int64(sequenceNumber) + 65536 }  // room to go back
        let delta = Int16(bitPattern: sequenceNumber &- UInt16(truncatingIfNeeded: h))
        return h + Int64(delta)
    }
}

/// Extends 32-bit RTP timestamps the same way (window ±2^31).
struct TimestampUnwrapper: Sendable {
    private(set) var last: Int64?

    mutating func unwrap(_ timestamp: UInt32) -> Int64 {
        guard let l = last else {
            let v = Int64(timestamp) + (1 << 32)
            last = v
            return v
        }
        let delta = Int32(bitPattern: timestamp &- UInt32(truncatingIfNeeded: l))
        let v = l + Int64(delta)
        last = v
        return v
    }
}

extension Duration {
    /// Whole seconds as a Double, for rate arithmetic.
    var asSeconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }

    static func seconds(double value: Double) -> Duration {
        guard value.isFinite else { return .zero }
        let clamped = Swift.max(-1e12, Swift.min(1e12, value))
        return .nanoseconds(Int64(clamped * 1e9))
    }
}

/// Unwraps sequence numbers and guards against wild jumps the way RFC 3550 A.1
/// does: a number more than `maxDropout` ahead of or `maxMisorder` behind the
/// highest seen is rejected, unless the next packet follows it, which means the
/// sender restarted its sequence (then state restarts there).
struct SequenceTracker: Sendable {
    enum Verdict: Equatable {
        case accepted(Int64)
        /// The stream restarted; the value is the new packet's extended number, and
        /// extended numbers from before the restart are not comparable with it.
        case restarted(Int64)
        case rejected
    }

    static let maxDropout: Int64 = 3000
    static let maxMisorder: Int64 = 1000

    private(set) var unwrapper = SequenceUnwrapper()
    private var candidate: UInt16?

    var highest: Int64? { unwrapper.highest }

    mutating func track(_ seq: UInt16) -> Verdict {
        guard let h = unwrapper.highest else { return .accepted(unwrapper.unwrap(seq)) }
        let ext = unwrapper.peek(seq)
        if ext - h <= Self.maxDropout && h - ext <= Self.maxMisorder {
            candidate = nil
            return .accepted(unwrapper.unwrap(seq))
        }
        if let c = candidate, seq == c &+ 1 {
            unwrapper = SequenceUnwrapper()
            candidate = nil
            return .restarted(unwrapper.unwrap(seq))
        }
        candidate = seq
        return .rejected
    }
}
