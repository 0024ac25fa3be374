/// SplitMix64: a small deterministic generator so every run is reproducible from a seed.
struct SCTPRandom: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func nextUInt32() -> UInt32 { UInt32(truncatingIfNeeded: next() >> 16) }

    /// A non-zero 32-bit value (verification tags must not be 0, RFC 9260 §5.3.1).
    mutating func nonZeroUInt32() -> UInt32 {
        while true {
            let value = nextUInt32()
            if value != 0 { return value }
        }
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            let word = next()
            for shift in stride(from: 0, to: 64, by: 8) where out.count < count {
                out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return out
    }
}
