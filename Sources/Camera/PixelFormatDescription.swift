/// One entry of `VIDIOC_ENUM_FMT`.
public struct PixelFormatDescription: Sendable, Hashable {
    /// The four-character code (`pixelformat`).
    public var fourcc: UInt32
    /// The driver's description, e.g. `"YUYV 4:2:2"`.
    public var description: String
    /// The format is converted in software by libv4l2 (`V4L2_FMT_FLAG_EMULATED`).
    public var isEmulated: Bool

    public init(fourcc: UInt32, description: String, isEmulated: Bool = false) {
        self.fourcc = fourcc
        self.description = description
        self.isEmulated = isEmulated
    }
}
