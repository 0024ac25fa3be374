@testable import Camera
import Media
import Testing

@Suite struct PixelConversionTests {
    /// A 4x2 YUYV image, two macropixels (Y0 U Y1 V) per row:
    ///   row 0: [10 100 20 150] [30 110 40 160]
    ///   row 1: [50 102 60 152] [70 113 80 161]
    /// Luma is the Y bytes in order: 10 20 30 40 / 50 60 70 80.
    /// I420 chroma is 2x1; each sample is the rounded mean of the two rows:
    ///   U = (100+102+1)/2 = 101, (110+113+1)/2 = 112
    ///   V = (150+152+1)/2 = 151, (160+161+1)/2 = 161
    @Test func yuyvFourByTwoKnownValues() throws {
        let bytes: [UInt8] = [10, 100, 20, 150, 30, 110, 40, 160,
                              50, 102, 60, 152, 70, 113, 80, 161]
        let frame = try #require(PixelConversion.i420(from: bytes, format: .yuyv, width: 4, height: 2))
        #expect(frame.y == [10, 20, 30, 40, 50, 60, 70, 80])
        #expect(frame.u == [101, 112])
        #expect(frame.v == [151, 161])
    }

    /// 3x3 YUYV with a pitch of 8 (two macropixels; the second's Y1 is padding, 99).
    ///   row 0: [1 10 2 20] [3 30 99 40]
    ///   row 1: [4 12 5 22] [6 33 99 43]
    ///   row 2: [7 50 8 60] [9 70 99 80]
    /// Luma: 1..9. Chroma is 2x2: row 0 averages rows 0 and 1,
    /// U (10+12+1)/2 = 11, (30+33+1)/2 = 32; V (20+22+1)/2 = 21, (40+43+1)/2 = 42.
    /// Row 1 has only image row 2: U 50 70, V 60 80.
    @Test func yuyvOddSize() throws {
        let bytes: [UInt8] = [1, 10, 2, 20, 3, 30, 99, 40,
                              4, 12, 5, 22, 6, 33, 99, 43,
                              7, 50, 8, 60, 9, 70, 99, 80]
        let frame = try #require(PixelConversion.i420(from: bytes, format: .yuyv, width: 3, height: 3, bytesPerLine: 8))
        #expect(frame.y == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(frame.u == [11, 32, 50, 70])
        #expect(frame.v == [21, 42, 60, 80])
    }

    /// YUYV rows padded to a pitch of 12 for a 4-pixel width: the padding is skipped.
    @Test func yuyvPaddedRows() throws {
        let bytes: [UInt8] = [10, 100, 20, 150, 30, 110, 40, 160, 0xEE, 0xEE, 0xEE, 0xEE,
                              50, 102, 60, 152, 70, 113, 80, 161, 0xEE, 0xEE, 0xEE, 0xEE]
        let frame = try #require(PixelConversion.i420(from: bytes, format: .yuyv, width: 4, height: 2, bytesPerLine: 12))
        #expect(frame.y == [10, 20, 30, 40, 50, 60, 70, 80])
        #expect(frame.u == [101, 112])
        #expect(frame.v == [151, 161])
    }

    /// NV12 4x2: Y plane 1..8, then one row of U V pairs: (100 200) (101 201).
    @Test func nv12FourByTwoKnownValues() throws {
        let bytes: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 100, 200, 101, 201]
        let frame = try #require(PixelConversion.i420(from: bytes, format: .nv12, width: 4, height: 2))
        #expect(frame.y == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(frame.u == [100, 101])
        #expect(frame.v == [200, 201])
    }

    /// NV12 3x3 with pitch 4 (the smallest that holds two U V pairs):
    /// Y rows [1 2 3 x] [4 5 6 x] [7 8 9 x], then UV rows [10 20 11 21] [12 22 13 23].
    @Test func nv12OddSize() throws {
        let bytes: [UInt8] = [1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0,
                              10, 20, 11, 21, 12, 22, 13, 23]
        let frame = try #require(PixelConversion.i420(from: bytes, format: .nv12, width: 3, height: 3, bytesPerLine: 4))
        #expect(frame.y == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(frame.u == [10, 11, 12, 13])
        #expect(frame.v == [20, 21, 22, 23])
    }

    /// YU12 with luma pitch 6 for width 4 (chroma pitch 3): padding skipped in all planes.
    @Test func yuv420WithPadding() throws {
        let bytes: [UInt8] = [1, 2, 3, 4, 0, 0, 5, 6, 7, 8, 0, 0,
                              100, 101, 0,
                              200, 201, 0]
        let frame = try #require(PixelConversion.i420(from: bytes, format: .yuv420, width: 4, height: 2, bytesPerLine: 6))
        #expect(frame.y == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(frame.u == [100, 101])
        #expect(frame.v == [200, 201])
        let swapped = try #require(PixelConversion.i420(from: bytes, format: .yvu420, width: 4, height: 2, bytesPerLine: 6))
        #expect(swapped.u == [200, 201] && swapped.v == [100, 101])
    }

    /// BT.601 limited range in Media's fixed point: white -> Y 235, U V 128;
    /// black -> 16; red (255, 0, 0) -> Y 16 + (66*255+128)>>8 = 82,
    /// U 128 + (-38*255+128)>>8 = 128 - 38 = 90, V 128 + (112*255+128)>>8 = 240.
    @Test func rgbAndBgrKnownValues() throws {
        // 2x1: red, white. One chroma sample: the mean (255, 128, 128) rounded.
        let rgb: [UInt8] = [255, 0, 0, 255, 255, 255]
        let frame = try #require(PixelConversion.i420(from: rgb, format: .rgb24, width: 2, height: 1))
        #expect(frame.y == [82, 235])
        let mean = YUV.chroma(255, 128, 128)
        #expect(frame.u == [mean.u] && frame.v == [mean.v])
        let bgr: [UInt8] = [0, 0, 255, 255, 255, 255]
        #expect(PixelConversion.i420(from: bgr, format: .bgr24, width: 2, height: 1) == frame)

        let red = try #require(PixelConversion.i420(from: [255, 0, 0], format: .rgb24, width: 1, height: 1))
        #expect(red.y == [82] && red.u == [90] && red.v == [240])
        let black = try #require(PixelConversion.i420(from: [0, 0, 0], format: .bgr24, width: 1, height: 1))
        #expect(black.y == [16] && black.u == [128] && black.v == [128])
    }

    @Test(arguments: CameraPixelFormat.allCases)
    func roundTripOddAndEvenSizes(format: CameraPixelFormat) throws {
        for (w, h) in [(1, 1), (3, 5), (4, 4), (7, 2), (16, 9)] {
            let frame = Self.ramp(width: w, height: h)
            let bytes = TestEncoding.encode(frame, as: format)
            let back = try #require(PixelConversion.i420(from: bytes, format: format, width: w, height: h))
            #expect(back.width == w && back.height == h)
            if format != .rgb24 && format != .bgr24 { #expect(back == frame, "\(format) \(w)x\(h)") }
        }
    }

    @Test func badInputGivesNil() {
        let bytes = [UInt8](repeating: 7, count: 100)
        #expect(PixelConversion.i420(from: bytes, format: .yuyv, width: 0, height: 2) == nil)
        #expect(PixelConversion.i420(from: bytes, format: .yuyv, width: 4, height: -1) == nil)
        #expect(PixelConversion.i420(from: bytes, format: .yuyv, width: 40, height: 40) == nil) // short
        #expect(PixelConversion.i420(from: bytes, format: .yuyv, width: 4, height: 2, bytesPerLine: 6) == nil) // pitch < 8
        #expect(PixelConversion.i420(from: bytes, format: .nv12, width: 3, height: 3, bytesPerLine: 3) == nil)
        #expect(PixelConversion.i420(from: [], format: .rgb24, width: 1, height: 1) == nil)
        #expect(PixelConversion.i420(from: bytes, format: .rgb24, width: 1 << 20, height: 1) == nil)
    }

    /// Random sizes, pitches and lengths: never a crash; nil exactly when the
    /// pitch or the data is too small.
    @Test func randomSizesNeverCrash() {
        var rng = SplitMix(seed: 42)
        for _ in 0..<1500 {
            let format = CameraPixelFormat.allCases[Int(rng.next() % 6)]
            let w = Int(rng.next() % 37) + 1, h = Int(rng.next() % 29) + 1
            let minimum = format.minimumBytesPerLine(width: w)
            let pitch = Int(rng.next() % 3) == 0 ? Int(rng.next() % UInt64(minimum + 1)) : minimum + Int(rng.next() % 9)
            let effective = pitch == 0 ? minimum : pitch
            let needed = format.minimumImageSize(width: w, height: h, bytesPerLine: effective)
            let count = max(0, needed + Int(rng.next() % 21) - 10)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let frame = PixelConversion.i420(from: bytes, format: format, width: w, height: h, bytesPerLine: pitch)
            let shouldWork = effective >= minimum && count >= needed
            #expect((frame != nil) == shouldWork, "\(format) \(w)x\(h) pitch \(pitch) count \(count)")
        }
    }

    static func ramp(width: Int, height: Int) -> I420Frame {
        let cw = (width + 1) / 2, ch = (height + 1) / 2
        return I420Frame(width: width, height: height,
                         y: (0..<(width * height)).map { UInt8(truncatingIfNeeded: $0 * 7 + 16) },
                         u: (0..<(cw * ch)).map { UInt8(truncatingIfNeeded: $0 * 13 + 40) },
                         v: (0..<(cw * ch)).map { UInt8(truncatingIfNeeded: $0 * 29 + 90) })
    }
}
