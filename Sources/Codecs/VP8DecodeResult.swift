import Media

/// What one call to `VP8Decoder.decode` produced.
public enum VP8DecodeResult: Sendable, Equatable {
    /// A picture to show.
    case frame(I420Frame)
    /// Nothing can be shown until a keyframe arrives: the sender should be
    /// asked for one (RTCP PLI, RFC 4585 §6.3.1, or FIR, RFC 5104 §4.3.1).
    case needKeyframe(Reason)
    /// The data decoded but holds no picture to show (e.g. an invisible frame).
    case noFrame

    /// Why the decoder needs a keyframe.
    public enum Reason: Sendable, Equatable {
        /// A delta frame arrived before any keyframe: it has no reference.
        case noKeyframeYet
        /// A delta frame arrived after an earlier frame failed: its
        /// references are missing or damaged.
        case referenceLost
        /// The frame is shorter than its own header says, or empty.
        case truncated
        /// A keyframe larger than the decoder's `maxPixels`.
        case unsupportedSize(width: Int, height: Int)
        /// The header or the data is not valid VP8 (libvpx's message).
        case corrupt(String)
    }
}
