import Testing
import Sound

@Suite struct DeviceListTests {
    let fixture = Fixture.shared

    @Test func listsDefaultAndTheConfiguredPCMs() {
        let capture = SoundDeviceList.capture()
        let playback = SoundDeviceList.playback()
        #expect(capture.first?.name == "default")
        #expect(playback.first?.name == "default")
        #expect(capture.contains(SoundDevice(name: "tone_cap", description: "test capture tone_cap")))
        #expect(playback.map(\.name).contains("out_exact"))
        #expect(Set(capture.map(\.name)).count == capture.count)
    }
}
