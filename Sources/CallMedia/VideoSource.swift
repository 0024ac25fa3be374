import Foundation
import Media

/// Where our outgoing video comes from; `c` / `source next` moves to the next one
/// with replaceTrack semantics: the encoder follows a new size with a keyframe,
/// nothing is renegotiated.
public enum VideoSourceKind: Sendable, Equatable, CustomStringConvertible {
    case testPattern
    /// A Y4M file, played in a loop (`--video-file`).
    case file(String)
    /// A V4L2 camera (`--video-device`), captured at this size and rate or the nearest it offers.
    case camera(path: String, width: Int, height: Int, fps: Int)

    public var description: String {
        switch self {
        case .testPattern: "test pattern"
        case .camera(let path, _, _, _): "camera \(path)"
        case .file(let path): "file \(path.split(separator: "/").last.map(String.init) ?? path)"
        }
    }
}

/// Frames from one source, one call at a time on the sender's task. Nil: the
/// source has failed for good (a camera unplugged), `failure` says why.
protocol FrameSource {
    mutating func nextFrame(number: UInt32, wallMilliseconds: UInt64) -> I420Frame?
    var failure: String? { get }
}

extension FrameSource {
    var failure: String? { nil }
}

struct TestPatternFrames: FrameSource {
    let pattern: TestPatternSource

    func nextFrame(number: UInt32, wallMilliseconds: UInt64) -> I420Frame? {
        pattern.frame(number: number, captureMilliseconds: wallMilliseconds)
    }
}

/// A Y4M file from the start again when it ends.
struct LoopingFileFrames: FrameSource {
    /// The file's bytes, kept once so each loop starts over without reading the disk.
    private let bytes: [UInt8]
    private var reader: Y4MReader

    init(path: String) throws {
        bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        reader = try Y4MReader(bytes: bytes)
    }

    mutating func nextFrame(number: UInt32, wallMilliseconds: UInt64) -> I420Frame? {
        if let frame = reader.nextFrame() { return frame }
        if let again = try? Y4MReader(bytes: bytes) { reader = again }
        return reader.nextFrame() ?? I420Frame.black(width: reader.width, height: reader.height)
    }
}

extension I420Frame {
    /// Video-range black (Y 16, chroma 128), what a disabled track sends.
    static func black(width: Int, height: Int) -> I420Frame {
        let chroma = ((width + 1) / 2) * ((height + 1) / 2)
        return I420Frame(width: width, height: height, y: [UInt8](repeating: 16, count: width * height),
                         u: [UInt8](repeating: 128, count: chroma), v: [UInt8](repeating: 128, count: chroma))
    }
}
