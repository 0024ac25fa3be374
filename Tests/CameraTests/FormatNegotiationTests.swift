@testable import Camera
import Testing

@Suite struct FormatNegotiationTests {
    static func sizes(_ list: [(Int, Int)]) -> [FrameSizeOption] {
        list.map { .discrete(FrameSize(width: $0.0, height: $0.1)) }
    }

    @Test func exactSizeWhenOffered() {
        let options = Self.sizes([(320, 240), (640, 480), (1280, 720)])
        #expect(FormatNegotiation.size(from: options, target: FrameSize(width: 640, height: 480)) == FrameSize(width: 640, height: 480))
    }

    /// Rule: closest area first. 640x480 is 307200 pixels; 800x600 is 172800 away,
    /// 320x240 230400 away, 1280x720 614400 away.
    @Test func closestAreaOtherwise() {
        let options = Self.sizes([(320, 240), (800, 600), (1280, 720)])
        #expect(FormatNegotiation.size(from: options, target: FrameSize(width: 640, height: 480)) == FrameSize(width: 800, height: 600))
        // Area beats aspect: 720x480 (3:2) is 38400 pixels away, 320x240 (4:3) 230400.
        let wide = Self.sizes([(320, 240), (720, 480)])
        #expect(FormatNegotiation.size(from: wide, target: FrameSize(width: 640, height: 480)) == FrameSize(width: 720, height: 480))
    }

    /// Equal areas: the closer aspect wins. Target 400x400 (aspect 1); 500x300
    /// and 300x500 are both 150000 pixels; aspects 1.67 and 0.6, so 300x500.
    @Test func closestAspectBreaksAreaTie() {
        let options = Self.sizes([(500, 300), (300, 500)])
        #expect(FormatNegotiation.size(from: options, target: FrameSize(width: 400, height: 400)) == FrameSize(width: 300, height: 500))
    }

    @Test func stepwiseSizeSnapsToTheGrid() {
        let options: [FrameSizeOption] = [.stepwise(minimum: FrameSize(width: 16, height: 16),
                                                    maximum: FrameSize(width: 1920, height: 1080),
                                                    step: FrameSize(width: 8, height: 8))]
        #expect(FormatNegotiation.size(from: options, target: FrameSize(width: 641, height: 479)) == FrameSize(width: 640, height: 480))
        #expect(FormatNegotiation.size(from: options, target: FrameSize(width: 4000, height: 4)) == FrameSize(width: 1920, height: 16))
    }

    @Test func noSizesGivesNil() {
        #expect(FormatNegotiation.size(from: [], target: FrameSize(width: 640, height: 480)) == nil)
        #expect(FormatNegotiation.size(from: Self.sizes([(0, 0)]), target: FrameSize(width: 640, height: 480)) == nil)
    }

    @Test func closestRateHigherOnTie() {
        let options: [FrameIntervalOption] = [15, 30, 60].map { .discrete(FrameInterval(numerator: 1, denominator: $0)) }
        #expect(FormatNegotiation.interval(from: options, framesPerSecond: 30)?.framesPerSecond == 30)
        #expect(FormatNegotiation.interval(from: options, framesPerSecond: 25)?.framesPerSecond == 30)
        #expect(FormatNegotiation.interval(from: options, framesPerSecond: 45)?.framesPerSecond == 60)
        #expect(FormatNegotiation.interval(from: options, framesPerSecond: 1)?.framesPerSecond == 15)
        let range: [FrameIntervalOption] = [.stepwise(minimum: FrameInterval(numerator: 1, denominator: 60),
                                                      maximum: FrameInterval(numerator: 1, denominator: 5))]
        #expect(FormatNegotiation.interval(from: range, framesPerSecond: 30) == FrameInterval(numerator: 1, denominator: 30))
        #expect(FormatNegotiation.interval(from: range, framesPerSecond: 100)?.framesPerSecond == 60)
        #expect(FormatNegotiation.interval(from: range, framesPerSecond: 2)?.framesPerSecond == 5)
        #expect(FormatNegotiation.interval(from: [.discrete(FrameInterval(numerator: 0, denominator: 0))], framesPerSecond: 30) == nil)
    }

    @Test func formatPreference() {
        func offered(_ codes: [String]) -> [PixelFormatDescription] {
            codes.map { PixelFormatDescription(fourcc: CameraPixelFormat.fourcc($0), description: $0) }
        }
        #expect(FormatNegotiation.pixelFormats(offered: offered(["MJPG", "YUYV", "YU12"])).first == .yuv420)
        #expect(FormatNegotiation.pixelFormats(offered: offered(["MJPG", "YUYV", "RGB3"])).first == .yuyv)
        #expect(FormatNegotiation.pixelFormats(offered: offered(["MJPG", "BGR3"])) == [.bgr24])
        #expect(FormatNegotiation.pixelFormats(offered: offered(["MJPG", "H264"])).isEmpty)
    }
}
