@testable import Camera
import Glibc
import Media
import Testing

@Suite struct CameraCaptureTests {
    static func format(_ pixel: CameraPixelFormat, _ sizes: [(Int, Int)], fps: [UInt32] = [30]) -> FakeVideoDevice.Format {
        FakeVideoDevice.Format(fourcc: pixel.fourcc, sizes: sizes.map { .discrete(FrameSize(width: $0.0, height: $0.1)) },
                               intervals: fps.map { .discrete(FrameInterval(numerator: 1, denominator: $0)) })
    }

    static let mjpeg = FakeVideoDevice.Format(fourcc: CameraPixelFormat.fourcc("MJPG"),
                                              sizes: [.discrete(FrameSize(width: 640, height: 480))])

    // MARK: Negotiation

    @Test func exactSizeAndRate() throws {
        let fake = FakeVideoDevice(formats: [Self.format(.yuv420, [(320, 240), (640, 480), (1280, 720)], fps: [15, 30])])
        let camera = try CameraCapture(io: fake)
        #expect(camera.negotiated.width == 640 && camera.negotiated.height == 480)
        #expect(camera.negotiated.fps == 30 && camera.negotiated.pixelFormat == .yuv420)
        #expect(fake.setFormatRequests.last == CaptureFormat(fourcc: CameraPixelFormat.yuv420.fourcc, width: 640, height: 480))
        #expect(fake.intervalRequests == [FrameInterval(numerator: 1, denominator: 30)])
    }

    @Test func nearestSizeAndRate() throws {
        let fake = FakeVideoDevice(formats: [Self.format(.yuyv, [(320, 240), (800, 600), (1920, 1080)], fps: [10, 20])])
        let camera = try CameraCapture(width: 640, height: 480, fps: 30, io: fake)
        #expect(camera.negotiated.width == 800 && camera.negotiated.height == 600)
        #expect(camera.negotiated.fps == 20)
    }

    @Test func rateTheDriverChoseIsReported() throws {
        let fake = FakeVideoDevice(formats: [Self.format(.yuyv, [(640, 480)], fps: [30])])
        fake.intervalAnswer = { _ in FrameInterval(numerator: 1, denominator: 25) }
        #expect(try CameraCapture(io: fake).negotiated.fps == 25)
        // A driver without V4L2_CAP_TIMEPERFRAME: we report the rate we chose.
        let fixed = FakeVideoDevice(formats: [Self.format(.yuyv, [(640, 480)], fps: [15])])
        fixed.intervalAnswer = { _ in nil }
        #expect(try CameraCapture(io: fixed).negotiated.fps == 15)
    }

    @Test func prefersYU12ThenYUYVThenOthers() throws {
        let all = FakeVideoDevice(formats: [Self.mjpeg, Self.format(.yuyv, [(640, 480)]), Self.format(.yuv420, [(640, 480)])])
        #expect(try CameraCapture(io: all).negotiated.pixelFormat == .yuv420)
        let noYU12 = FakeVideoDevice(formats: [Self.mjpeg, Self.format(.rgb24, [(640, 480)]), Self.format(.yuyv, [(640, 480)])])
        #expect(try CameraCapture(io: noYU12).negotiated.pixelFormat == .yuyv)
        let other = FakeVideoDevice(formats: [Self.mjpeg, Self.format(.nv12, [(640, 480)])])
        #expect(try CameraCapture(io: other).negotiated.pixelFormat == .nv12)
    }

    /// Only MJPEG listed: we still ask for YU12 (libv4l2 converts); a driver
    /// that answers MJPEG anyway leaves nothing we can use.
    @Test func onlyUnusableFormats() {
        let fake = FakeVideoDevice(formats: [Self.mjpeg])
        #expect(throws: CameraError.noUsableFormat) { try CameraCapture(io: fake) }
        #expect(fake.setFormatRequests.map(\.fourcc) == [CameraPixelFormat.yuv420.fourcc])
        #expect(fake.closed == 1 && fake.openDescriptors == 0)
    }

    @Test func driverAnswersAnotherFormat() throws {
        let fake = FakeVideoDevice(formats: [Self.format(.yuv420, [(64, 48)])])
        fake.formatOverride = { answer in
            var changed = answer
            changed.fourcc = CameraPixelFormat.yuyv.fourcc
            changed.bytesPerLine = 128
            changed.sizeImage = 128 * 48
            return changed
        }
        let camera = try CameraCapture(width: 64, height: 48, io: fake)
        #expect(camera.negotiated.pixelFormat == .yuyv)
        #expect(try camera.nextFrame(timeout: .seconds(1)).width == 64)
    }

    /// A driver that answers an odd size with a padded pitch: frames come out that size.
    @Test func oddSizeFromTheDriver() throws {
        let fake = FakeVideoDevice(formats: [Self.format(.yuyv, [(640, 480)])])
        fake.formatOverride = { answer in
            CaptureFormat(fourcc: answer.fourcc, width: 33, height: 25, bytesPerLine: 80, sizeImage: 80 * 25)
        }
        let camera = try CameraCapture(io: fake)
        #expect(camera.negotiated.width == 33 && camera.negotiated.height == 25)
        let frame = try camera.nextFrame(timeout: .seconds(1))
        #expect(frame.width == 33 && frame.height == 25 && frame.u.count == 17 * 13)
    }

    @Test func oddDriverAnswersAreRefused() {
        let zero = FakeVideoDevice(formats: [Self.format(.yuyv, [(640, 480)])])
        zero.formatOverride = { var a = $0; a.width = 0; return a }
        #expect(throws: CameraError.noUsableFormat) { try CameraCapture(io: zero) }
        let narrow = FakeVideoDevice(formats: [Self.format(.yuyv, [(640, 480)])])
        narrow.formatOverride = { var a = $0; a.bytesPerLine = 100; return a }
        #expect(throws: CameraError.noUsableFormat) { try CameraCapture(io: narrow) }
        let noBuffers = FakeVideoDevice(formats: [Self.format(.yuyv, [(640, 480)])])
        noBuffers.grantedBuffers = 0
        #expect(throws: CameraError.deviceMisbehaved("it allocated 0 buffers")) { try CameraCapture(io: noBuffers) }
        #expect(noBuffers.closed == 1)
    }

    // MARK: Buffer cycling and frames

    @Test func hundredFramesThroughFourBuffers() throws {
        let fake = FakeVideoDevice(formats: [Self.format(.yuyv, [(32, 24)])])
        let camera = try CameraCapture(width: 32, height: 24, io: fake)
        #expect(fake.mapped == 4 && fake.queue.count == 4 && fake.streamOns == 1)
        for n in 0..<100 {
            let frame = try camera.nextFrame(timeout: .seconds(1))
            // The fake fills every byte with the frame number: Y, U and V all equal it.
            #expect(frame.y[0] == UInt8(n) && frame.u[0] == UInt8(n))
            #expect(fake.queue.count == 4, "buffer not requeued after frame \(n)")
        }
        #expect(fake.dequeued == 100 && fake.queueCalls == 104)
    }

    @Test func fewerBuffersThanAskedStillCycle() throws {
        let fake = FakeVideoDevice(formats: [Self.format(.yuyv, [(32, 24)])])
        fake.grantedBuffers = 2
        let camera = try CameraCapture(width: 32, height: 24, io: fake)
        for _ in 0..<10 { _ = try camera.nextFrame(timeout: .seconds(1)) }
        camera.close()
        #expect(fake.mapped == 2 && fake.unmapped == 2)
    }

    /// The fake sends Media's test pattern; what comes out is the same I420
    /// picture and its stamp decodes to the frame number.
    @Test(arguments: [CameraPixelFormat.yuyv, .yuv420, .nv12, .rgb24])
    func testPatternSurvives(format: CameraPixelFormat) throws {
        let pattern = TestPatternSource(width: 320, height: 180)
        let fake = FakeVideoDevice(formats: [Self.format(format, [(320, 180)])])
        fake.produce = { sequence, _ in
            TestEncoding.encode(pattern.frame(number: UInt32(sequence), captureMilliseconds: 1000 + UInt64(sequence)), as: format)
        }
        let camera = try CameraCapture(width: 320, height: 180, io: fake)
        for n in 0..<3 {
            let frame = try camera.nextFrame(timeout: .seconds(1))
            let stamp = try #require(FrameStampCode.decode(frame))
            #expect(stamp.frameNumber == UInt32(n) && stamp.captureMilliseconds == 1000 + UInt32(n))
            if format != .rgb24 {
                #expect(frame == pattern.frame(number: UInt32(n), captureMilliseconds: 1000 + UInt64(n)))
            }
        }
    }

    // MARK: Failures

    @Test func eagainAndEintrAreRetried() throws {
        let fake = FakeVideoDevice(formats: [Self.format(.yuyv, [(32, 24)])])
        let camera = try CameraCapture(width: 32, height: 24, io: fake)
        fake.script = [.pollError(EINTR), .dequeueError(EAGAIN), .dequeueError(EINTR), .dequeueError(EAGAIN)]
        _ = try camera.nextFrame(timeout: .seconds(5))
        #expect(fake.script.isEmpty && fake.dequeued == 1)
    }

    @Test func timeout() throws {
        let fake = FakeVideoDevice(formats: [Self.format(.yuyv, [(32, 24)])])
        let camera = try CameraCapture(width: 32, height: 24, io: fake)
        fake.script = [.pollTimeout]
        #expect(throws: CameraError.timeout) { try camera.nextFrame(timeout: .milliseconds(10)) }
        // EAGAIN with no time left is a timeout, not a spin.
        fake.script = [.dequeueError(EAGAIN)]
        #expect(throws: CameraError.timeout) { try camera.nextFrame(timeout: .zero) }
        _ = try camera.nextFrame(timeout: .seconds(1))
    }

    @Test func shortAndOversizedBuffers() throws {
        let fake = FakeVideoDevice(formats: [Self.format(.yuyv, [(32, 24)])])
        let camera = try CameraCapture(width: 32, height: 24, io: fake)
        fake.script = [.bytesUsed(10)]
        #expect(throws: CameraError.shortFrame(expected: 32 * 24 * 2, received: 10)) { try camera.nextFrame(timeout: .seconds(1)) }
        #expect(fake.queue.count == 4)
        fake.script = [.bytesUsed(1 << 30)] // more than the buffer holds: read only the buffer
        #expect(try camera.nextFrame(timeout: .seconds(1)).width == 32)
        fake.script = [.bytesUsed(-5)]
        #expect(throws: CameraError.shortFrame(expected: 32 * 24 * 2, received: 0)) { try camera.nextFrame(timeout: .seconds(1)) }
        _ = try camera.nextFrame(timeout: .seconds(1))
    }

    @Test func bufferIndexWeDoNotOwn() throws {
        let fake = FakeVideoDevice(formats: [Self.format(.yuyv, [(32, 24)])])
        let camera = try CameraCapture(width: 32, height: 24, io: fake)
        fake.script = [.badIndex(7)]
        #expect(throws: CameraError.deviceMisbehaved("it returned buffer 7, which it did not hold")) {
            try camera.nextFrame(timeout: .seconds(1))
        }
        fake.script = [.badIndex(-1)]
        #expect(throws: CameraError.self) { try camera.nextFrame(timeout: .seconds(1)) }
        _ = try camera.nextFrame(timeout: .seconds(1))
    }

    @Test(arguments: [ENODEV, EIO])
    func unpluggedMidStreamReleasesEverything(code: Int32) throws {
        let fake = FakeVideoDevice(formats: [Self.format(.yuyv, [(32, 24)])])
        let camera = try CameraCapture(width: 32, height: 24, io: fake)
        for _ in 0..<3 { _ = try camera.nextFrame(timeout: .seconds(1)) }
        fake.script = [.dequeueError(code)]
        #expect(throws: CameraError.unplugged) { try camera.nextFrame(timeout: .seconds(1)) }
        #expect(fake.unmapped == 4 && fake.unknownUnmaps == 0 && fake.closed == 1 && fake.openDescriptors == 0)
        #expect(fake.streamOffs == 1)
        #expect(throws: CameraError.unplugged) { try camera.nextFrame(timeout: .seconds(1)) }
        camera.close()
        #expect(fake.closed == 1 && fake.unmapped == 4)
        #expect(CameraError.unplugged.description == "The camera was unplugged or stopped responding.")
    }

    @Test func requeueFailureOnUnplug() throws {
        let fake = FakeVideoDevice(formats: [Self.format(.yuyv, [(32, 24)])])
        let camera = try CameraCapture(width: 32, height: 24, io: fake)
        fake.script = [.queueError(ENODEV)]
        #expect(throws: CameraError.unplugged) { try camera.nextFrame(timeout: .seconds(1)) }
        #expect(fake.closed == 1 && fake.unmapped == 4)
    }

    @Test func notACaptureDevice() {
        let fake = FakeVideoDevice(nodes: ["/dev/video1": .init(capabilities: FakeVideoDevice.metadataCaps, formats: [])])
        #expect(throws: CameraError.notACaptureDevice) { try CameraCapture(device: "/dev/video1", io: fake) }
        #expect(fake.opened == 1 && fake.closed == 1)
    }

    @Test func openFailures() {
        let fake = FakeVideoDevice(formats: [Self.format(.yuyv, [(32, 24)])])
        #expect(throws: CameraError.notFound("/dev/video9")) { try CameraCapture(device: "/dev/video9", io: fake) }
        fake.openErrors["/dev/video0"] = EBUSY
        #expect(throws: CameraError.busy) { try CameraCapture(io: fake) }
        fake.openErrors["/dev/video0"] = EACCES
        #expect(throws: CameraError.permissionDenied("/dev/video0")) { try CameraCapture(io: fake) }
        fake.openErrors["/dev/video0"] = nil
        fake.setFormatError = EBUSY // another program is streaming
        #expect(throws: CameraError.busy) { try CameraCapture(io: fake) }
        #expect(fake.opened == fake.closed)
    }

    @Test func closeTwiceAndDeinit() throws {
        let fake = FakeVideoDevice(formats: [Self.format(.yuyv, [(32, 24)])])
        let camera = try CameraCapture(width: 32, height: 24, io: fake)
        camera.close()
        camera.close()
        #expect(fake.closed == 1 && fake.unmapped == 4 && fake.streamOffs == 1)
        #expect(throws: CameraError.closed) { try camera.nextFrame(timeout: .seconds(1)) }

        let other = FakeVideoDevice(formats: [Self.format(.yuyv, [(32, 24)])])
        do { _ = try CameraCapture(width: 32, height: 24, io: other) }
        #expect(other.closed == 1 && other.unmapped == 4)
    }

    @Test func silentSizesAndRatesAreClamped() throws {
        let fake = FakeVideoDevice(formats: [Self.format(.yuyv, [(32, 24)], fps: [])])
        let camera = try CameraCapture(width: -5, height: 0, fps: 0, io: fake)
        #expect(camera.negotiated.width == 32 && camera.negotiated.fps == 1)
    }

    @Test func noCameraOnThisMachine() {
        #expect(throws: CameraError.notFound("/dev/video0")) { try CameraCapture() }
    }

    @Test func errorSentences() {
        #expect(CameraError.busy.description == "The camera is in use by another program.")
        #expect(CameraError.system(call: "VIDIOC_S_FMT", errno: EINVAL).description == "VIDIOC_S_FMT failed: Invalid argument (errno 22).")
        #expect(CameraError.notFound("/dev/video3").description == "No video device at /dev/video3.")
    }
}
