/// Seconds per frame as a fraction (`struct v4l2_fract`); 1/30 is 30 fps.
public struct FrameInterval: Sendable, Hashable {
    public var numerator: UInt32
    public var denominator: UInt32

    public init(numerator: UInt32, denominator: UInt32) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// Frames per second, nil for a zero fraction.
    public var framesPerSecond: Double? {
        numerator == 0 || denominator == 0 ? nil : Double(denominator) / Double(numerator)
    }
}
