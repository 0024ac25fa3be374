import Testing
@testable import Media

@Suite struct Y4MReaderTests {
    @Test func readsFramesUntilTheEnd() throws {
        // 4x2 frames: 8 luma bytes, 2 + 2 chroma bytes each.
        var file = Array("YUV4MPEG2 W4 H2 F25:1 Ip A1:1 C420jpeg\n".utf8)
        for n in 0..<2 {
            file += Array("FRAME\n".utf8) + [UInt8](repeating: UInt8(10 + n), count: 8) + [1, 2, 3, 4]
        }
        file += Array("FRAME\n".utf8) + [0, 0, 0]  // truncated
        var reader = try Y4MReader(bytes: file)
        #expect(reader.width == 4 && reader.height == 2 && reader.framesPerSecond == 25)
        let next = reader.nextFrame()
        let first = try #require(next)
        #expect(first.y == [UInt8](repeating: 10, count: 8) && first.u == [1, 2] && first.v == [3, 4])
        #expect(reader.nextFrame()?.y.first == 11)
        #expect(reader.nextFrame() == nil)
    }

    @Test func rejectsOtherFormats() {
        #expect(throws: Y4MReader.Failure.notY4M) { try Y4MReader(bytes: Array("P6 1 1 255\n".utf8)) }
        #expect(throws: Y4MReader.Failure.unsupportedColorspace("444")) {
            try Y4MReader(bytes: Array("YUV4MPEG2 W2 H2 C444\n".utf8))
        }
    }
}
