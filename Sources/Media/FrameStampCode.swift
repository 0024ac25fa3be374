/// What a sender stamps into a frame so a receiver can tell which frame it
/// got and when it was captured (for end-to-end latency: receive time minus
/// `captureMilliseconds`, both from the same clock, modulo 2^32).
public struct FrameStamp: Sendable, Hashable {
    public var frameNumber: UInt32
    /// Capture time in milliseconds, truncated to 32 bits (wraps every ~49 days).
    public var captureMilliseconds: UInt32

    public init(frameNumber: UInt32, captureMilliseconds: UInt32) {
        self.frameNumber = frameNumber
        self.captureMilliseconds = captureMilliseconds
    }
}

/// A machine-readable band along the top of a frame: a row of black and white
/// blocks spanning the full width. Two reference blocks (white, black) come
/// first, then 64 data bits (frame number, then capture time, most
/// significant first) and a CRC-8 over them.
///
/// Built to survive a video codec and scaling: every position is a fraction
/// of the frame size (so any resolution decodes), blocks are wide (74 across
/// the width, about 8.6 pixels at 640), the decoder reads only the middle of
/// each block and thresholds halfway between the two references measured in
/// the same frame, and the CRC rejects a misread instead of returning a wrong
/// number.
public enum FrameStampCode {
    static let referenceBlocks = 2
    static let dataBits = 64
    static let checkBits = 8
    public static let blockCount = referenceBlocks + dataBits + checkBits

    /// Height of the band: 1/18 of the frame (20 rows at 360), at least 4.
    public static func bandHeight(frameHeight: Int) -> Int { max(4, frameHeight / 18) }

    static func blockRange(_ index: Int, width: Int) -> Range<Int> {
        (index * width / blockCount)..<((index + 1) * width / blockCount)
    }

    static func bits(of stamp: FrameStamp) -> [Bool] {
        let payload = UInt64(stamp.frameNumber) << 32 | UInt64(stamp.captureMilliseconds)
        var bits = [true, false]
        for k in stride(from: 63, through: 0, by: -1) { bits.append(payload >> UInt64(k) & 1 == 1) }
        let crc = crc8(payload)
        for k in stride(from: 7, through: 0, by: -1) { bits.append(crc >> UInt8(k) & 1 == 1) }
        return bits
    }

    /// CRC-8, polynomial x^8 + x^2 + x + 1 (0x07), over the payload's 8 bytes
    /// most significant first.
    static func crc8(_ payload: UInt64) -> UInt8 {
        var crc: UInt8 = 0
        for byteIndex in stride(from: 7, through: 0, by: -1) {
            crc ^= UInt8(truncatingIfNeeded: payload >> UInt64(byteIndex * 8))
            for _ in 0..<8 { crc = crc & 0x80 != 0 ? (crc << 1) ^ 0x07 : crc << 1 }
        }
        return crc
    }

    /// Paints the band for `stamp` over the top of `frame`.
    public static func draw(_ stamp: FrameStamp, into frame: inout RGBFrame) {
        let band = bandHeight(frameHeight: frame.height)
        for (index, bit) in bits(of: stamp).enumerated() {
            let range = blockRange(index, width: frame.width)
            let v: UInt8 = bit ? 255 : 0
            frame.fill(x: range.lowerBound, y: 0, width: range.count, height: band, color: (v, v, v))
        }
    }

    /// Paints the band for `stamp` over the top of an I420 frame: luma 235
    /// and 16 (what RGB white and black convert to), neutral chroma under it.
    public static func draw(_ stamp: FrameStamp, into frame: inout I420Frame) {
        let band = bandHeight(frameHeight: frame.height)
        var row = [UInt8](repeating: 0, count: frame.width)
        for (index, bit) in bits(of: stamp).enumerated() {
            let value = YUV.luma(bit ? 255 : 0, bit ? 255 : 0, bit ? 255 : 0)
            for x in blockRange(index, width: frame.width) { row[x] = value }
        }
        let width = frame.width
        frame.y.withUnsafeMutableBufferPointer { y in
            for line in 0..<min(band, frame.height) {
                _ = UnsafeMutableBufferPointer(rebasing: y[(line * width)..<((line + 1) * width)]).update(fromContentsOf: row)
            }
        }
        // The chroma rows whose 2x2 blocks start in the band.
        let chroma = frame.chromaWidth * ((band + 1) / 2)
        for i in 0..<min(chroma, frame.u.count) { frame.u[i] = 128; frame.v[i] = 128 }
    }

    /// Reads the band from a frame's luma; nil when it is not there or does
    /// not check out.
    public static func decode(_ frame: I420Frame) -> FrameStamp? {
        decode(luma: frame.y, width: frame.width, height: frame.height)
    }

    /// Reads the band from an RGB frame (by its green channel, close enough
    /// to luma for black and white blocks).
    public static func decode(_ frame: RGBFrame) -> FrameStamp? {
        var green = [UInt8](repeating: 0, count: frame.width * frame.height)
        for i in 0..<green.count { green[i] = frame.pixels[3 * i + 1] }
        return decode(luma: green, width: frame.width, height: frame.height)
    }

    public static func decode(luma: [UInt8], width: Int, height: Int) -> FrameStamp? {
        guard width >= blockCount * 2, luma.count >= width * height else { return nil }
        let band = bandHeight(frameHeight: height)
        // The middle half of the band's height and of each block's width.
        let rows = (band / 4)..<max(band / 4 + 1, band - band / 4)
        func level(_ index: Int) -> Int {
            let range = blockRange(index, width: width)
            let inset = range.count / 4
            let columns = (range.lowerBound + inset)..<max(range.lowerBound + inset + 1, range.upperBound - inset)
            var sum = 0
            for y in rows { for x in columns { sum += Int(luma[y * width + x]) } }
            return sum / (rows.count * columns.count)
        }
        let white = level(0), black = level(1)
        guard white - black >= 48 else { return nil }
        let threshold = (white + black) / 2
        var payload: UInt64 = 0
        for k in 0..<dataBits { payload = payload << 1 | (level(referenceBlocks + k) > threshold ? 1 : 0) }
        var crc: UInt8 = 0
        for k in 0..<checkBits { crc = crc << 1 | (level(referenceBlocks + dataBits + k) > threshold ? 1 : 0) }
        guard crc == crc8(payload) else { return nil }
        return FrameStamp(frameNumber: UInt32(payload >> 32), captureMilliseconds: UInt32(truncatingIfNeeded: payload))
    }
}
