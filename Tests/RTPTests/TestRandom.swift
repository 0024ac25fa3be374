/// Deterministic generator for tests (SplitMix64).
struct TestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    /// A copy of `bytes` with a few random edits: flipped bits, truncation, extension, overwrites.
    mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        for _ in 0..<Int.random(in: 1...4, using: &self) {
            switch Int.random(in: 0..<5, using: &self) {
            case 0 where !b.isEmpty:
                let i = Int.random(in: 0..<b.count, using: &self)
                b[i] ^= 1 << UInt8.random(in: 0..<8, using: &self)
            case 1 where !b.isEmpty:
                b.removeLast(Int.random(in: 0...b.count, using: &self))
            case 2:
                b.append(contentsOf: self.bytes(Int.random(in: 1...8, using: &self)))
            case 3 where !b.isEmpty:
                b[Int.random(in: 0..<b.count, using: &self)] = UInt8.random(in: 0...255, using: &self)
            default:
                if b.count > 4 { b[Int.random(in: 0..<4, using: &self)] = 0xFF }
            }
        }
        return b
    }
}
