@testable import Camera
import Foundation
import Testing

@Suite struct VideoDeviceListTests {
    @Test func noCamerasOnThisMachine() {
        #expect(VideoDeviceList.cameras() == [])
    }

    @Test func devicePathsInNumericOrder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("v4l2-list-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["video10", "video2", "video0", "videox", "media0", "video-1"] {
            _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: nil)
        }
        #expect(VideoDeviceList.devicePaths(in: directory) == ["video0", "video2", "video10"].map { directory + "/" + $0 })
        #expect(VideoDeviceList.devicePaths(in: directory + "/missing") == [])
    }

    @Test func listsCaptureNodesOnly() {
        let yuyv = FakeVideoDevice.Format(fourcc: CameraPixelFormat.yuyv.fourcc,
                                          sizes: [.discrete(FrameSize(width: 640, height: 480)),
                                                  .discrete(FrameSize(width: 1280, height: 720))])
        let yu12 = FakeVideoDevice.Format(fourcc: CameraPixelFormat.yuv420.fourcc,
                                          sizes: [.stepwise(minimum: FrameSize(width: 16, height: 16),
                                                            maximum: FrameSize(width: 1920, height: 1080),
                                                            step: FrameSize(width: 2, height: 2))],
                                          isEmulated: true)
        let fake = FakeVideoDevice(nodes: [
            "/dev/video0": .init(capabilities: FakeVideoDevice.captureCaps, formats: [yuyv, yu12]),
            "/dev/video1": .init(capabilities: FakeVideoDevice.metadataCaps, formats: []),
            "/dev/video2": .init(capabilities: FakeVideoDevice.captureCaps, formats: [yuyv]),
        ])
        fake.openErrors["/dev/video2"] = EACCES
        let cameras = VideoDeviceList.cameras(io: fake, paths: ["/dev/video0", "/dev/video1", "/dev/video2", "/dev/video3"])
        #expect(cameras.count == 1)
        let camera = cameras.first
        #expect(camera?.path == "/dev/video0" && camera?.name == "Fake Camera")
        #expect(camera?.driver == "fake" && camera?.bus == "platform:fake")
        #expect(camera?.formats.map(\.name) == ["YUYV", "YU12"])
        #expect(camera?.formats.first?.sizes.count == 2)
        #expect(camera?.formats.last?.isEmulated == true)
        #expect(fake.opened == fake.closed)
    }
}
