@testable import Camera
import CV4L2
import Testing

/// The Swift-side constants must match linux/videodev2.h.
@Suite struct ShimConstantTests {
    @Test func fourccsMatchTheHeader() {
        #expect(CameraPixelFormat.yuv420.fourcc == call_V4L2_PIX_FMT_YUV420())
        #expect(CameraPixelFormat.yvu420.fourcc == call_V4L2_PIX_FMT_YVU420())
        #expect(CameraPixelFormat.yuyv.fourcc == call_V4L2_PIX_FMT_YUYV())
        #expect(CameraPixelFormat.nv12.fourcc == call_V4L2_PIX_FMT_NV12())
        #expect(CameraPixelFormat.rgb24.fourcc == call_V4L2_PIX_FMT_RGB24())
        #expect(CameraPixelFormat.bgr24.fourcc == call_V4L2_PIX_FMT_BGR24())
        #expect(CameraPixelFormat.fourcc("MJPG") == call_V4L2_PIX_FMT_MJPEG())
        #expect(CameraPixelFormat.fourcc("ABCD") == call_v4l2_fourcc(65, 66, 67, 68))
        #expect(CameraPixelFormat.fourccString(call_V4L2_PIX_FMT_YUYV()) == "YUYV")
        #expect(CameraPixelFormat(fourcc: call_V4L2_PIX_FMT_MJPEG()) == nil)
    }

    @Test func capabilityBitsMatchTheHeader() {
        #expect(DeviceCapabilities.videoCapture == UInt32(V4L2_CAP_VIDEO_CAPTURE))
        #expect(DeviceCapabilities.streaming == UInt32(V4L2_CAP_STREAMING))
        #expect(DeviceCapabilities.hasDeviceCaps == UInt32(V4L2_CAP_DEVICE_CAPS))
        #expect(FakeVideoDevice.captureCaps.isStreamingCaptureDevice)
        #expect(!FakeVideoDevice.metadataCaps.isStreamingCaptureDevice)
        // Without V4L2_CAP_DEVICE_CAPS the whole-device capabilities count.
        let old = DeviceCapabilities(driver: "", card: "", busInfo: "", capabilities: 0x0400_0001, deviceCaps: 0)
        #expect(old.isStreamingCaptureDevice)
    }

    @Test func ioctlRequestsExist() {
        #expect(call_VIDIOC_ENUM_FRAMEINTERVALS() != 0 && call_VIDIOC_G_PARM() != 0)
    }
}
