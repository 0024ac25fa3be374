/// One capture device as `call devices` lists it.
public struct CameraInfo: Sendable, Hashable {
    /// One pixel format the device (or libv4l2 for it) offers, with its sizes.
    public struct Format: Sendable, Hashable {
        public var fourcc: UInt32
        /// The four characters, e.g. `"YUYV"`.
        public var name: String
        /// The driver's description, e.g. `"YUYV 4:2:2"`.
        public var description: String
        /// Converted in software by libv4l2.
        public var isEmulated: Bool
        public var sizes: [FrameSizeOption]
    }

    public var path: String
    /// The device's name (`card`).
    public var name: String
    public var driver: String
    public var bus: String
    public var formats: [Format]
}
