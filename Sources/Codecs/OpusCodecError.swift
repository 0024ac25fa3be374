/// A failure of the Opus encoder or decoder, with libopus's error text.
public enum OpusCodecError: Error, Sendable, Equatable {
    /// The settings or arguments cannot work (rate, channels, frame size, ...).
    case invalidArgument(String)
    /// libopus could not create the encoder or decoder.
    case initializationFailed(String)
    /// libopus refused a setting (bitrate, FEC, DTX, ...).
    case configurationFailed(String)
    /// `encode` got the wrong number of samples or libopus failed.
    case encodeFailed(String)
    /// The packet is not valid Opus (RFC 6716 §3.4) or decoding failed.
    case decodeFailed(String)
}
