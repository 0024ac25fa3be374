/// A filled buffer as `VIDIOC_DQBUF` hands it back.
public struct DequeuedBuffer: Sendable, Hashable {
    public var index: Int
    /// Bytes of image data in it (`bytesused`).
    public var bytesUsed: Int
    /// The driver's frame counter (`sequence`).
    public var sequence: UInt32
    /// `V4L2_BUF_FLAG_ERROR`: the driver says the data may be corrupted.
    public var hasError: Bool

    public init(index: Int, bytesUsed: Int, sequence: UInt32 = 0, hasError: Bool = false) {
        self.index = index
        self.bytesUsed = bytesUsed
        self.sequence = sequence
        self.hasError = hasError
    }
}
