import ArgumentParser
import Camera
import Sound

/// `call devices`: the cameras and sound devices this machine offers, with what
/// to pass to `--video-device`, `--audio-device` and `--audio-out`.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "List cameras and sound devices.")

    func run() {
        let cameras = VideoDeviceList.cameras()
        print("cameras (--video-device):")
        if cameras.isEmpty { print("  none found; calls send the test pattern") }
        for camera in cameras {
            print("  \(camera.path)  \(camera.name) (\(camera.driver), \(camera.bus))")
            for format in camera.formats {
                let sizes = format.sizes.map { size -> String in
                    switch size {
                    case .discrete(let s): "\(s.width)x\(s.height)"
                    case .stepwise(let minimum, let maximum, _): "\(minimum.width)x\(minimum.height)-\(maximum.width)x\(maximum.height)"
                    }
                }
                print("      \(format.name)\(format.isEmulated ? " (converted)" : "")  \(sizes.joined(separator: " "))")
            }
        }
        for (title, devices) in [("microphones (--audio-device):", SoundDeviceList.capture()),
                                 ("speakers (--audio-out):", SoundDeviceList.playback())] {
            print(title)
            if devices.isEmpty { print("  none found; calls send silence / play nothing") }
            for device in devices {
                print("  \(device.name)  \(device.description.split(separator: "\n").joined(separator: " · "))")
            }
        }
    }
}
