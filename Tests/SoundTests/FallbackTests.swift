import Testing
@testable import Sound

@Suite struct FallbackTests {
    let fixture = Fixture.shared

    @Test func noMicrophoneGivesPacedSilenceAndSaysWhyOnce() {
        let clock = FakeClock()
        let input = AudioInput(device: "no_such_pcm", channels: 2, clock: clock)
        let notice = input.takeNotice()
        #expect(notice?.hasPrefix("cannot open the sound device 'no_such_pcm': No such file or directory") == true)
        #expect(input.takeNotice() == nil)
        #expect(input.silentReason != nil)
        #expect(input.counters == nil)
        let start = clock.now()
        for _ in 0..<10 {
            let period = input.read()
            #expect(period.count == 1_920)
            #expect(period.allSatisfy { $0 == 0 })
        }
        #expect(clock.now() - start == .milliseconds(200))
    }

    @Test func noLoudspeakerSwallowsSamplesAtPace() {
        let clock = FakeClock()
        let output = AudioOutput(device: "no_such_pcm", clock: clock)
        #expect(output.takeNotice()?.contains("--audio-out") == true)
        #expect(output.takeNotice() == nil)
        let start = clock.now()
        // A second of sound plus what the pretended buffer holds beyond the period being played.
        for _ in 0..<(50 + AudioOutput.periods - 1) { output.write([Int16](repeating: 7, count: 960)) }
        #expect(clock.now() - start == .seconds(1))
        output.write([])
        output.write([1])
    }

    @Test func aStereoOutputDropsAPartialFrame() {
        let clock = FakeClock()
        let output = AudioOutput(device: "out_fallback", channels: 2, pacing: .clock, clock: clock)
        output.write([1, 2, 3, 4, 5])
        output.close()
        #expect(fixture.output("out_fallback") == [1, 2, 3, 4])
    }

    @Test func theDefaultDeviceWorks() {
        let input = AudioInput(clock: FakeClock())
        #expect(input.takeNotice() == nil)
        #expect(input.read() == Array(fixture.tone[0..<960]))
        let output = AudioOutput(clock: FakeClock())
        #expect(output.takeNotice() == nil)
        output.write([3, 4])
        output.close()
        #expect(fixture.output("out_default") == [3, 4])
    }

    @Test func channelsAreAdapted() {
        #expect(AudioInput.adapt([10, 20, -4, 0], from: 2, to: 1) == [15, -2])
        #expect(AudioInput.adapt([1, 2], from: 1, to: 2) == [1, 1, 2, 2])
        #expect(AudioInput.adapt([1, 2, 3], from: 2, to: 1) == [1])
    }
}
