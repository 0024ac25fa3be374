/// The uncompressed start of a VP8 frame (RFC 6386 §9.1, §19.1), read before
/// libvpx sees the data so that a frame that cannot be right is turned away
/// cheaply and a delta frame without a reference is never decoded.
struct VP8FrameHeader: Equatable {
    var isKeyframe: Bool
    var version: Int
    var showFrame: Bool
    /// Size of the first partition in bytes (19 bits of the frame tag).
    var firstPartitionSize: Int
    /// Only keyframes carry a size (14 bits each; the 2 scale bits are ignored).
    var width: Int?
    var height: Int?

    enum Problem: Error, Equatable {
        case truncated
        case invalid(String)
    }

    /// Parses the frame tag and, for a keyframe, the start code and size.
    static func parse(_ data: [UInt8]) -> Result<VP8FrameHeader, Problem> {
        guard data.count >= 3 else { return .failure(.truncated) }
        // §9.1: a 3-byte little-endian tag; bit 0 is 0 for a keyframe.
        let tag = Int(data[0]) | Int(data[1]) << 8 | Int(data[2]) << 16
        let isKeyframe = tag & 1 == 0
        let version = (tag >> 1) & 7
        let showFrame = (tag >> 4) & 1 == 1
        let firstPartitionSize = tag >> 5
        // §9.1: versions above 3 are not defined.
        guard version <= 3 else { return .failure(.invalid("reserved version \(version)")) }
        var header = VP8FrameHeader(isKeyframe: isKeyframe, version: version, showFrame: showFrame,
                                    firstPartitionSize: firstPartitionSize, width: nil, height: nil)
        var headerSize = 3
        if isKeyframe {
            guard data.count >= 10 else { return .failure(.truncated) }
            // §9.1: keyframes continue with the start code 9d 01 2a.
            guard data[3] == 0x9D, data[4] == 0x01, data[5] == 0x2A else {
                return .failure(.invalid("missing keyframe start code"))
            }
            let width = (Int(data[6]) | Int(data[7]) << 8) & 0x3FFF
            let height = (Int(data[8]) | Int(data[9]) << 8) & 0x3FFF
            guard width > 0, height > 0 else { return .failure(.invalid("zero frame size")) }
            header.width = width
            header.height = height
            headerSize = 10
        }
        // The first partition must fit in what follows the header (§9.1
        // places it right after; later partitions follow it).
        guard firstPartitionSize > 0 else { return .failure(.invalid("empty first partition")) }
        guard headerSize + firstPartitionSize <= data.count else { return .failure(.truncated) }
        return .success(header)
    }
}
