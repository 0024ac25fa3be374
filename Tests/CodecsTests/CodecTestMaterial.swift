import Foundation
import Media

/// A small deterministic generator so fuzz failures reproduce from the seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Test-pattern clips, generated once per process (the pattern is slow to
/// draw in a debug build and several tests share it).
enum Clips {
    static let frameCount = 60
    static let qvga = make(width: 320, height: 240)
    static let vga = make(width: 640, height: 480)

    static func make(width: Int, height: Int) -> [I420Frame] {
        let source = TestPatternSource(width: width, height: height)
        return (0..<frameCount).map { source.frame(number: UInt32($0), captureMilliseconds: UInt64($0) * 33) }
    }

    /// 90 kHz pts of frame `index` at 30 fps.
    static func pts(_ index: Int) -> Int64 { Int64(index) * 3000 }
}

enum Quality {
    /// Luma PSNR in dB between two frames of the same size.
    static func psnr(_ a: I420Frame, _ b: I420Frame) -> Double {
        precondition(a.width == b.width && a.height == b.height)
        let mse = meanSquaredError(a.y, b.y)
        return mse == 0 ? 99 : 10 * log10(255 * 255 / mse)
    }

    static func meanSquaredError(_ a: [UInt8], _ b: [UInt8]) -> Double {
        var sum = 0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                for i in 0..<pa.count {
                    let d = Int(pa[i]) - Int(pb[i])
                    sum += d * d
                }
            }
        }
        return Double(sum) / Double(a.count)
    }
}

enum Signal {
    /// Interleaved 16-bit PCM: channel c carries a sine of `frequencies[c]`.
    static func sine(frequencies: [Double], amplitude: Double, sampleRate: Int, samples: Int) -> [Int16] {
        var out = [Int16](repeating: 0, count: samples * frequencies.count)
        for n in 0..<samples {
            for (c, f) in frequencies.enumerated() {
                out[n * frequencies.count + c] = Int16(amplitude * sin(2 * Double.pi * f * Double(n) / Double(sampleRate)))
            }
        }
        return out
    }

    static func channel(_ pcm: [Int16], _ c: Int, of channels: Int) -> [Double] {
        stride(from: c, to: pcm.count, by: channels).map { Double(pcm[$0]) }
    }

    static func rms(_ x: ArraySlice<Double>) -> Double {
        guard !x.isEmpty else { return 0 }
        return (x.reduce(0) { $0 + $1 * $1 } / Double(x.count)).squareRoot()
    }

    /// Power of one frequency over the block (Goertzel's recurrence).
    static func goertzel(_ x: ArraySlice<Double>, frequency: Double, sampleRate: Int) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / Double(sampleRate))
        var s1 = 0.0, s2 = 0.0
        for sample in x {
            let s0 = sample + coefficient * s1 - s2
            s2 = s1
            s1 = s0
        }
        return s1 * s1 + s2 * s2 - coefficient * s1 * s2
    }

    /// The strongest frequency among `candidates`.
    static func dominantFrequency(_ x: ArraySlice<Double>, sampleRate: Int, candidates: [Double]) -> Double {
        candidates.max { goertzel(x, frequency: $0, sampleRate: sampleRate) < goertzel(x, frequency: $1, sampleRate: sampleRate) }!
    }

    static func decibels(_ ratio: Double) -> Double { 20 * log10(ratio) }
}
