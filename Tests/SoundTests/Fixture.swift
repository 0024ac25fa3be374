import Foundation

/// One ALSA configuration per test process.
///
/// alsa-lib keeps its parsed configuration in a process-wide cache and only
/// reloads it when the list of files (ALSA_CONFIG_PATH) or their times change,
/// so swapping configs between tests that run in parallel would race. Instead
/// the config is written once, before the first ALSA call, and names one PCM
/// per test, each with its own files. `slave.pcm { type null }` is spelled out
/// because ALSA_CONFIG_PATH replaces alsa.conf, which defines the "null" PCM.
struct Fixture: Sendable {
    static let shared = Fixture()

    let directory: URL
    /// One second of 440 Hz at 48 kHz mono, plus a second of 660 Hz (so reads past 1 s differ).
    let tone: [Int16]

    private init() {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sound-tests-\(getpid())-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        tone = Fixture.sine(hz: 440, frames: 48_000) + Fixture.sine(hz: 660, frames: 48_000)
        var config = ""
        // Capture PCMs, each reading its own copy of the tone (3 s, longer than any test reads).
        for name in ["tone_cap", "pace_fake", "pace_auto", "pace_early", "pace_real", "recover_cap", "input_cap", "stereo_cap", "cap_default"] {
            let infile = directory.appendingPathComponent("\(name).raw").path
            try! Fixture.bytes(tone + tone).write(to: URL(fileURLWithPath: infile))
            config += """
            pcm.\(name) { type file slave.pcm { type null } file "/dev/null" infile "\(infile)" format "raw" \
            hint { show on description "test capture \(name)" } }

            """
        }
        for name in ["out_exact", "out_partial", "out_paced", "out_misc", "out_fallback", "out_default"] {
            let outfile = directory.appendingPathComponent("\(name).raw").path
            config += """
            pcm.\(name) { type file slave.pcm { type null } file "\(outfile)" format "raw" \
            hint { show on description "test playback \(name)" } }

            """
        }
        config += """
        pcm.!default { type asym playback.pcm "out_default" capture.pcm "cap_default" }
        ctl.!default { type hw card 0 }

        """
        let path = directory.appendingPathComponent("asound.conf").path
        try! config.write(toFile: path, atomically: true, encoding: .utf8)
        setenv("ALSA_CONFIG_PATH", path, 1)
    }

    func output(_ name: String) -> [Int16] {
        let data = (try? Data(contentsOf: directory.appendingPathComponent("\(name).raw"))) ?? Data()
        return data.withUnsafeBytes { raw in
            stride(from: 0, to: raw.count - 1, by: 2).map {
                Int16(littleEndian: Int16(bitPattern: UInt16(raw[$0]) | UInt16(raw[$0 + 1]) << 8))
            }
        }
    }

    static func sine(hz: Double, frames: Int) -> [Int16] {
        (0..<frames).map { Int16((sin(2 * .pi * hz * Double($0) / 48_000) * 12_000).rounded()) }
    }

    static func bytes(_ samples: [Int16]) -> Data {
        var data = Data(capacity: samples.count * 2)
        for sample in samples {
            let bits = UInt16(bitPattern: sample)
            data.append(UInt8(bits & 0xff))
            data.append(UInt8(bits >> 8))
        }
        return data
    }
}
