/// What `VIDIOC_QUERYCAP` reports about a device node.
public struct DeviceCapabilities: Sendable, Hashable {
    /// The driver's name (`driver`), e.g. `"uvcvideo"`.
    public var driver: String
    /// The device's name (`card`), e.g. `"HD Webcam C270"`.
    public var card: String
    /// Where it is attached (`bus_info`), e.g. `"usb-0000:00:14.0-1"`.
    public var busInfo: String
    /// Capabilities of the whole physical device (`capabilities`).
    public var capabilities: UInt32
    /// Capabilities of this node (`device_caps`), valid when
    /// `capabilities` has `V4L2_CAP_DEVICE_CAPS`.
    public var deviceCaps: UInt32

    // Values from linux/videodev2.h (checked against the C macros in the tests).
    static let videoCapture: UInt32 = 0x0000_0001 // V4L2_CAP_VIDEO_CAPTURE
    static let streaming: UInt32 = 0x0400_0000 // V4L2_CAP_STREAMING
    static let hasDeviceCaps: UInt32 = 0x8000_0000 // V4L2_CAP_DEVICE_CAPS

    public init(driver: String, card: String, busInfo: String, capabilities: UInt32, deviceCaps: UInt32) {
        self.driver = driver
        self.card = card
        self.busInfo = busInfo
        self.capabilities = capabilities
        self.deviceCaps = deviceCaps
    }

    /// The capabilities of this node. V4L2 API, VIDIOC_QUERYCAP: `device_caps`
    /// describes the opened node, `capabilities` the whole device (a UVC camera
    /// has a second, metadata-only node whose `capabilities` still say capture).
    var nodeCapabilities: UInt32 {
        capabilities & Self.hasDeviceCaps != 0 ? deviceCaps : capabilities
    }

    /// True when this node captures single-planar video with streaming I/O.
    public var isStreamingCaptureDevice: Bool {
        nodeCapabilities & Self.videoCapture != 0 && nodeCapabilities & Self.streaming != 0
    }
}
