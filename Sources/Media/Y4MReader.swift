import Foundation

/// Reads I420 frames from a YUV4MPEG2 (`.y4m`) stream, the raw format ffmpeg
/// and most test clips use: a header line (`YUV4MPEG2 W640 H360 F30:1 ...`),
/// then per frame a `FRAME` line (parameters ignored) and the three planes.
/// Only 4:2:0 (`C420`, `C420jpeg`, `C420paldv`, `C420mpeg2` or no `C`) is
/// accepted; that is what a camera or VP8 gives us anyway.
public struct Y4MReader: Sendable {
    public enum Failure: Error, Equatable {
        case notY4M
        case unsupportedColorspace(String)
        case badHeader(String)
    }

    public let width: Int
    public let height: Int
    /// Frames per second from the `F` parameter (numerator / denominator), 30 when absent.
    public let framesPerSecond: Double
    private let bytes: [UInt8]
    private var offset: Int

    public init(contentsOf path: String) throws {
        try self.init(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    public init(bytes: [UInt8]) throws {
        guard let end = bytes.firstIndex(of: 0x0A), bytes.starts(with: Array("YUV4MPEG2".utf8)) else {
            throw Failure.notY4M
        }
        let fields = String(decoding: bytes[..<end], as: UTF8.self).split(separator: " ").dropFirst()
        var width = 0, height = 0, fps = 30.0
        for field in fields {
            let value = field.dropFirst()
            switch field.first {
            case "W": width = Int(value) ?? 0
            case "H": height = Int(value) ?? 0
            case "F":
                let parts = value.split(separator: ":").compactMap { Double($0) }
                if parts.count == 2, parts[1] > 0 { fps = parts[0] / parts[1] }
            case "C":
                guard value.hasPrefix("420") else { throw Failure.unsupportedColorspace(String(value)) }
            default: break
            }
        }
        guard width > 0, height > 0 else { throw Failure.badHeader(String(decoding: bytes[..<end], as: UTF8.self)) }
        self.width = width
        self.height = height
        framesPerSecond = fps
        self.bytes = bytes
        offset = end + 1
    }

    /// The next frame, nil at the end (or at a truncated last frame).
    public mutating func nextFrame() -> I420Frame? {
        guard offset < bytes.count, bytes[offset...].starts(with: Array("FRAME".utf8)),
              let lineEnd = bytes[offset...].firstIndex(of: 0x0A) else { return nil }
        let lumaSize = width * height, chromaSize = ((width + 1) / 2) * ((height + 1) / 2)
        let start = lineEnd + 1
        guard start + lumaSize + 2 * chromaSize <= bytes.count else { return nil }
        offset = start + lumaSize + 2 * chromaSize
        return I420Frame(width: width, height: height,
                         y: Array(bytes[start..<(start + lumaSize)]),
                         u: Array(bytes[(start + lumaSize)..<(start + lumaSize + chromaSize)]),
                         v: Array(bytes[(start + lumaSize + chromaSize)..<offset]))
    }
}
