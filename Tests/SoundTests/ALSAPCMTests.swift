import Glibc
import Testing
@testable import Sound

@Suite struct ALSAPCMTests {
    let fixture = Fixture.shared

    @Test func captureReturnsTheInfileExactly() throws {
        let pcm = try ALSAPCM(name: "tone_cap", stream: .capture, channels: 1)
        #expect(pcm.negotiated == PCMFormat(rate: 48_000, channels: 1, periodFrames: 960, bufferFrames: 3_840))
        var got: [Int16] = []
        for _ in 0..<50 { got += try pcm.read(frames: 960) }
        #expect(got == Array(fixture.tone[0..<48_000]))
        #expect(pcm.counters.frames == 48_000)
        #expect(pcm.counters.xruns == 0)
    }

    @Test func stereoCaptureIsTheInfileInterleaved() throws {
        let pcm = try ALSAPCM(name: "stereo_cap", stream: .capture, channels: 2)
        #expect(pcm.negotiated.channels == 2)
        let got = try pcm.read(frames: 960 * 3)
        #expect(got == Array(fixture.tone[0..<(960 * 3 * 2)]))
    }

    @Test func playbackWritesExactlyWhatWasPlayed() throws {
        let left = Array(fixture.tone[0..<48_000])
        let stereo = left.flatMap { [$0, Int16(-Int32($0))] }
        do {
            let pcm = try ALSAPCM(name: "out_exact", stream: .playback, channels: 2)
            #expect(pcm.negotiated.channels == 2)
            for period in 0..<50 {
                try pcm.write(Array(stereo[(period * 1_920)..<((period + 1) * 1_920)]))
            }
            #expect(pcm.counters.frames == 48_000)
            pcm.close()
        }
        #expect(fixture.output("out_exact") == stereo)
    }

    @Test func playbackKeepsAPartialPeriodOnClose() throws {
        let samples = Array(fixture.tone[0..<1_007])
        let pcm = try ALSAPCM(name: "out_partial", stream: .playback)
        try pcm.write(Array(samples[0..<1_000]))
        try pcm.write(Array(samples[1_000...]))
        pcm.close()
        #expect(fixture.output("out_partial") == samples)
    }

    @Test func aMissingDeviceGivesOneClearSentence() {
        #expect(throws: SoundError(
            "cannot open the sound device 'no_such_pcm': No such file or directory; pick one from `call devices` or pass --audio-device",
            code: ENOENT)
        ) {
            try ALSAPCM(name: "no_such_pcm", stream: .capture)
        }
        #expect(throws: SoundError.self) { try ALSAPCM(name: "no_such_pcm", stream: .playback) }
        do {
            _ = try ALSAPCM(name: "no_such_pcm", stream: .playback)
        } catch {
            #expect(error.message.hasSuffix("pass --audio-out"))
        }
    }

    @Test func badInputThrowsInsteadOfCrashing() throws {
        #expect(throws: SoundError.self) { try ALSAPCM(name: "", stream: .capture) }
        #expect(throws: SoundError.self) { try ALSAPCM(name: "tone\0cap", stream: .capture) }
        #expect(throws: SoundError.self) { try ALSAPCM(name: "tone_cap", stream: .capture, channels: 3) }
        #expect(throws: SoundError.self) { try ALSAPCM(name: "tone_cap", stream: .capture, periods: 0) }
        #expect(throws: SoundError.self) { try ALSAPCM(name: "tone_cap", stream: .capture, rate: -1) }

        let play = try ALSAPCM(name: "out_misc", stream: .playback, channels: 2)
        #expect(throws: SoundError.self) { try play.write([1, 2, 3]) }
        #expect(throws: SoundError.self) { try play.read(frames: 960) }
        try play.write([])
        play.close()
        play.close()
        #expect(throws: SoundError("the sound device 'out_misc' is closed")) { try play.write([1, 2]) }

        let capture = try ALSAPCM(name: "recover_cap", stream: .capture)
        #expect(throws: SoundError.self) { try capture.read(frames: -1) }
        #expect(throws: SoundError.self) { try capture.write([0]) }
        #expect(try capture.read(frames: 0).isEmpty)
    }

    /// The null slave never underruns, so the recovery path is driven through its seam.
    @Test func anXrunIsRecoveredAndCounted() throws {
        let pcm = try ALSAPCM(name: "recover_cap", stream: .capture)
        _ = try pcm.read(frames: 960)
        var stuck: Duration?
        try pcm.cope(with: -EPIPE, stuckSince: &stuck)
        try pcm.cope(with: -EPIPE, stuckSince: &stuck)
        #expect(pcm.counters.xruns == 2)
        #expect(try pcm.read(frames: 960).count == 960)

        try pcm.cope(with: -EAGAIN, stuckSince: &stuck)
        #expect(pcm.counters.waits == 1)

        #expect(throws: SoundError.self) { try pcm.cope(with: -EIO, stuckSince: &stuck) }
        #expect(throws: SoundError.self) { try pcm.cope(with: -ENODEV, stuckSince: &stuck) }
    }

    @Test func aDeviceThatStaysUnreadyTimesOut() throws {
        let pcm = try ALSAPCM(name: "recover_cap", stream: .capture, timeout: .zero)
        var stuck: Duration? = SystemMonotonicClock().now() - .seconds(1)
        #expect(throws: SoundError.self) { try pcm.cope(with: -EAGAIN, stuckSince: &stuck) }
    }
}
