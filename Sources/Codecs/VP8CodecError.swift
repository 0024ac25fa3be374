/// A failure of the VP8 encoder or decoder, with libvpx's own words.
public enum VP8CodecError: Error, Sendable, Equatable {
    /// The settings cannot work (zero size, non-positive rate, ...).
    case invalidSettings(String)
    /// libvpx refused to create or re-create a codec context.
    case initializationFailed(String)
    /// libvpx refused a new configuration (bitrate, size).
    case configurationFailed(String)
    /// libvpx failed to encode a frame.
    case encodeFailed(String)
}
