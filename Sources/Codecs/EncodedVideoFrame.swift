/// One compressed VP8 frame, ready for the RTP payloader (RFC 7741).
public struct EncodedVideoFrame: Sendable, Equatable {
    /// The VP8 frame exactly as RFC 6386 §9 lays it out (frame tag first).
    public var data: [UInt8]
    /// A keyframe decodes on its own (RFC 6386 §9.1: "key frame").
    public var isKeyframe: Bool
    public var width: Int
    public var height: Int
    /// Presentation time in the encoder's 90 kHz clock (the RTP video clock).
    public var pts: Int64

    public init(data: [UInt8], isKeyframe: Bool, width: Int, height: Int, pts: Int64) {
        self.data = data
        self.isKeyframe = isKeyframe
        self.width = width
        self.height = height
        self.pts = pts
    }
}
