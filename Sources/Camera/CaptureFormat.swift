/// The single-planar capture format of `VIDIOC_G_FMT` / `VIDIOC_S_FMT`
/// (`struct v4l2_pix_format`, the fields we use).
public struct CaptureFormat: Sendable, Hashable {
    public var fourcc: UInt32
    public var width: Int
    public var height: Int
    /// Bytes from one row to the next (0 in a request: "driver, fill it in").
    public var bytesPerLine: Int
    /// Bytes of a whole image.
    public var sizeImage: Int

    public init(fourcc: UInt32, width: Int, height: Int, bytesPerLine: Int = 0, sizeImage: Int = 0) {
        self.fourcc = fourcc
        self.width = width
        self.height = height
        self.bytesPerLine = bytesPerLine
        self.sizeImage = sizeImage
    }
}
