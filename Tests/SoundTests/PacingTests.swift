import Testing
@testable import Sound

@Suite struct PacingTests {
    let fixture = Fixture.shared

    @Test func clockPacingKeepsFiftyPeriodsToOneSecond() {
        let clock = FakeClock()
        let input = AudioInput(device: "pace_fake", pacing: .clock, clock: clock)
        #expect(input.takeNotice() == nil)
        let start = clock.now()
        var got: [Int16] = []
        for _ in 0..<50 { got += input.read() }
        #expect(clock.now() - start == .seconds(1))
        #expect(got == Array(fixture.tone[0..<48_000]))
        #expect(input.pacedByClock)
    }

    @Test func automaticPacingFindsTheFilePluginUnpaced() {
        let clock = FakeClock()
        let input = AudioInput(device: "pace_auto", pacing: .automatic, clock: clock)
        #expect(!input.pacedByClock)
        let start = clock.now()
        for _ in 0..<50 { _ = input.read() }
        #expect(input.pacedByClock)
        // The burst while deciding is paid back: the stream is still at real time.
        #expect(clock.now() - start == .seconds(1))
    }

    @Test func anUnpacedMicrophoneNeverHandsOverSoundBeforeItsTime() {
        let clock = FakeClock()
        let input = AudioInput(device: "pace_early", pacing: .automatic, clock: clock)
        let start = clock.now()
        // Period k is returned once its last sample is due, from the first read on: no burst
        // of audio "from the future" while deciding (the far end would play it early).
        for k in 1...10 {
            _ = input.read()
            #expect(clock.now() - start == .milliseconds(20 * k))
        }
        #expect(input.pacedByClock)
    }

    @Test func realClockPacingTakesAboutASecond() {
        let clock = SystemMonotonicClock()
        let input = AudioInput(device: "pace_real", clock: clock)
        let start = clock.now()
        for _ in 0..<50 { _ = input.read() }
        let took = clock.now() - start
        #expect(took > .milliseconds(700) && took < .seconds(5), "took \(took)")
        #expect(input.pacedByClock)
    }

    @Test func aDeviceThatBlocksIsTrustedAndNeverSlept() {
        let clock = FakeClock()
        var pacer = Pacer(pacing: .automatic, clock: clock, rate: 48_000, allowanceFrames: 960 * 5)
        for _ in 0..<60 {
            pacer.willTransfer()
            clock.advance(.milliseconds(20))  // the device blocked for one period
            pacer.didTransfer(frames: 960)
        }
        #expect(pacer.decision == .device)
        #expect(clock.sleeps == 0)
    }

    @Test func aDeviceWithAFullBufferIsNotMistakenForUnpaced() {
        let clock = FakeClock()
        var pacer = Pacer(pacing: .automatic, clock: clock, rate: 48_000, allowanceFrames: 960 * 5)
        // A buffer of four periods comes at once, then one period per 20 ms.
        for index in 0..<60 {
            pacer.willTransfer()
            if index >= 4 { clock.advance(.milliseconds(20)) }
            pacer.didTransfer(frames: 960)
        }
        #expect(pacer.decision == .device)
    }

    @Test func aStalledCallerIsNotRushed() {
        let clock = FakeClock()
        var pacer = Pacer(pacing: .clock, clock: clock, rate: 48_000, allowanceFrames: 0)
        pacer.willTransfer()
        pacer.didTransfer(frames: 960)
        clock.advance(.seconds(2))  // the caller went away for two seconds
        let back = clock.now()
        pacer.willTransfer()
        pacer.didTransfer(frames: 960)
        pacer.willTransfer()
        pacer.didTransfer(frames: 960)
        #expect(pacer.resyncs == 1)
        #expect(clock.now() - back == .milliseconds(20))
    }

    @Test func playbackClockPacingLetsTheBufferFillFirst() {
        let clock = FakeClock()
        let output = AudioOutput(device: "out_paced", pacing: .clock, clock: clock)
        #expect(output.takeNotice() == nil)
        let start = clock.now()
        let period = Array(fixture.tone[0..<960])
        for _ in 0..<50 { output.write(period) }
        // The buffer's periods are written ahead, as a sound card's buffer would take them,
        // and the last write waits until a period has room again (20 ms before its end).
        #expect(clock.now() - start == .milliseconds(1000 - 20 * (AudioOutput.periods - 1)))
        output.close()
        #expect(fixture.output("out_paced") == Array((0..<50).map { _ in period }.joined()))
    }

    @Test func durationsDoNotOverflowOnLongCalls() {
        #expect(Pacer.duration(frames: 48_000 * 3_600 * 24 * 30, rate: 48_000) == .seconds(3_600 * 24 * 30))
        #expect(Pacer.duration(frames: 960, rate: 48_000) == .milliseconds(20))
    }
}
