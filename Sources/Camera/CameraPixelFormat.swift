/// The uncompressed layouts we convert to I420 ourselves. Anything else
/// (MJPEG, H.264, Bayer...) we ask libv4l2 to convert to one of these.
public enum CameraPixelFormat: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `V4L2_PIX_FMT_YUV420` 'YU12': planar Y, then U, then V (already I420).
    case yuv420
    /// `V4L2_PIX_FMT_YVU420` 'YV12': planar Y, then V, then U.
    case yvu420
    /// `V4L2_PIX_FMT_YUYV` 'YUYV' (YUY2): packed 4:2:2, Y0 U Y1 V per two pixels.
    case yuyv
    /// `V4L2_PIX_FMT_NV12` 'NV12': planar Y, then interleaved U V at 4:2:0.
    case nv12
    /// `V4L2_PIX_FMT_RGB24` 'RGB3': R, G, B per pixel.
    case rgb24
    /// `V4L2_PIX_FMT_BGR24` 'BGR3': B, G, R per pixel.
    case bgr24

    /// Builds a four-character code the way `v4l2_fourcc` does (first character in the low byte).
    public static func fourcc(_ code: String) -> UInt32 {
        var value: UInt32 = 0
        for (shift, byte) in zip(stride(from: 0, to: 32, by: 8), code.utf8) { value |= UInt32(byte) << UInt32(shift) }
        return value
    }

    /// A four-character code as text ("YUYV"), with '.' for unprintable bytes.
    public static func fourccString(_ fourcc: UInt32) -> String {
        String(decoding: (0..<4).map { k -> UInt8 in
            let byte = UInt8(truncatingIfNeeded: fourcc >> UInt32(8 * k))
            return (0x20..<0x7F).contains(byte) ? byte : UInt8(ascii: ".")
        }, as: UTF8.self)
    }

    public var fourcc: UInt32 {
        switch self {
        case .yuv420: Self.fourcc("YU12")
        case .yvu420: Self.fourcc("YV12")
        case .yuyv: Self.fourcc("YUYV")
        case .nv12: Self.fourcc("NV12")
        case .rgb24: Self.fourcc("RGB3")
        case .bgr24: Self.fourcc("BGR3")
        }
    }

    public init?(fourcc: UInt32) {
        guard let match = Self.allCases.first(where: { $0.fourcc == fourcc }) else { return nil }
        self = match
    }

    public var description: String { Self.fourccString(fourcc) }

    /// Our order of preference: I420 needs no conversion, YUYV is what
    /// nearly every UVC webcam sends natively, then the rest.
    static let preference: [CameraPixelFormat] = [.yuv420, .yuyv, .nv12, .yvu420, .rgb24, .bgr24]

    /// The smallest row pitch that holds `width` pixels. For the 4:2:0 planar
    /// layouts the chroma pitch is half the luma pitch (V4L2 API, "Planar YUV
    /// formats": "two Cx rows (including padding) is exactly as long as one Y
    /// row"), so the luma pitch must be even to hold `(width + 1) / 2` chroma samples.
    func minimumBytesPerLine(width: Int) -> Int {
        let chromaWidth = (width + 1) / 2
        switch self {
        case .yuv420, .yvu420, .nv12: return 2 * chromaWidth
        case .yuyv: return 4 * chromaWidth
        case .rgb24, .bgr24: return 3 * width
        }
    }

    /// Bytes a frame must have for the conversion to read every sample.
    func minimumImageSize(width: Int, height: Int, bytesPerLine: Int) -> Int {
        let chromaWidth = (width + 1) / 2, chromaHeight = (height + 1) / 2
        switch self {
        case .yuv420, .yvu420:
            let chromaPitch = bytesPerLine / 2
            return bytesPerLine * height + chromaPitch * chromaHeight + chromaPitch * (chromaHeight - 1) + chromaWidth
        case .nv12:
            return bytesPerLine * height + bytesPerLine * (chromaHeight - 1) + 2 * chromaWidth
        case .yuyv:
            return bytesPerLine * (height - 1) + 4 * chromaWidth
        case .rgb24, .bgr24:
            return bytesPerLine * (height - 1) + 3 * width
        }
    }
}
