/// Which way audio flows through a PCM.
public enum PCMStream: Sendable, Equatable {
    case capture
    case playback
}
