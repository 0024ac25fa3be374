@testable import Camera
import Glibc
import Testing

/// The real libv4l2 path, as far as a machine without a camera allows.
@Suite struct LibV4L2DeviceIOTests {
    @Test func nonV4L2NodeIsNotACaptureDevice() {
        #expect(throws: CameraError.notACaptureDevice) { try CameraCapture(device: "/dev/null") }
        #expect(VideoDeviceList.cameras(paths: ["/dev/null", "/dev/video0"]) == [])
    }

    @Test func queryCapabilitiesOnNonV4L2Node() throws {
        let io = LibV4L2DeviceIO()
        #expect(throws: V4L2CallError(call: "open", errno: ENOTTY)) { try io.open(path: "/dev/null") }
        // v4l2_ioctl passes a descriptor libv4l2 did not open straight to ioctl.
        let fd = Glibc.open("/dev/null", O_RDWR)
        #expect(fd >= 0)
        defer { _ = Glibc.close(fd) }
        #expect(throws: V4L2CallError(call: "VIDIOC_QUERYCAP", errno: ENOTTY)) { try io.queryCapabilities(fd) }
        #expect(try io.enumerateFormat(fd, index: 0) == nil)
    }

    @Test func waitReadableOnAPipe() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { _ = Glibc.close(ends[0]); _ = Glibc.close(ends[1]) }
        let io = LibV4L2DeviceIO()
        #expect(try io.waitReadable(ends[0], timeout: .milliseconds(5)) == false)
        var byte: UInt8 = 1
        #expect(write(ends[1], &byte, 1) == 1)
        #expect(try io.waitReadable(ends[0], timeout: .seconds(1)) == true)
        #expect(throws: V4L2CallError(call: "open", errno: ENOENT)) { try io.open(path: "/nonexistent/video0") }
    }
}
