/// A capture buffer as `VIDIOC_QUERYBUF` describes it (memory `V4L2_MEMORY_MMAP`).
public struct BufferInfo: Sendable, Hashable {
    public var index: Int
    /// Where to `mmap` it (`m.offset`).
    public var offset: Int64
    /// Its size in bytes (`length`).
    public var length: Int

    public init(index: Int, offset: Int64, length: Int) {
        self.index = index
        self.offset = offset
        self.length = length
    }
}
