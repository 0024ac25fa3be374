import CALSA
import Glibc

/// The PCMs ALSA knows (from `snd_device_name_hint`), for `call devices`.
/// "default" always comes first, even when the configuration gives it no hint.
public enum SoundDeviceList {
    public static func capture() -> [SoundDevice] { list(wanted: "Input") }
    public static func playback() -> [SoundDevice] { list(wanted: "Output") }

    private static func list(wanted: String) -> [SoundDevice] {
        _ = ALSAPCM.quietLibrary
        var found = [SoundDevice(name: "default", description: "the system's default sound device")]
        var hints: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        guard snd_device_name_hint(-1, "pcm", &hints) >= 0, let hints else { return found }
        defer { snd_device_name_free_hint(hints) }
        var index = 0
        while let hint = hints[index] {
            index += 1
            guard let name = take(snd_device_name_get_hint(hint, "NAME")) else { continue }
            // No IOID means the PCM goes both ways.
            if let direction = take(snd_device_name_get_hint(hint, "IOID")), direction != wanted { continue }
            let description = (take(snd_device_name_get_hint(hint, "DESC")) ?? "")
                .split(separator: "\n").joined(separator: ", ")
            if let same = found.firstIndex(where: { $0.name == name }) {
                if !description.isEmpty { found[same] = SoundDevice(name: name, description: description) }
            } else {
                found.append(SoundDevice(name: name, description: description))
            }
        }
        return found
    }

    /// Copies and frees a string alsa-lib allocated for us.
    private static func take(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
