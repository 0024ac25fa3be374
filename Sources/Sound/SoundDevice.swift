/// A PCM name the user can pass to --audio-device / --audio-out, with ALSA's description.
public struct SoundDevice: Sendable, Hashable {
    public let name: String
    public let description: String

    public init(name: String, description: String) {
        self.name = name
        self.description = description
    }
}
