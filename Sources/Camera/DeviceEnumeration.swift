/// Walks the V4L2 enumeration ioctls (index 0, 1, ... until the driver says
/// `EINVAL`, which `VideoDeviceIO` turns into nil), with a bound so a buggy
/// driver that never ends the list cannot hang us.
enum DeviceEnumeration {
    static let limit = 256

    static func formats(_ io: any VideoDeviceIO, _ fd: Int32) throws(V4L2CallError) -> [PixelFormatDescription] {
        var all: [PixelFormatDescription] = []
        for index in 0..<limit {
            guard let entry = try io.enumerateFormat(fd, index: index) else { break }
            all.append(entry)
        }
        return all
    }

    static func frameSizes(_ io: any VideoDeviceIO, _ fd: Int32, fourcc: UInt32) throws(V4L2CallError) -> [FrameSizeOption] {
        var all: [FrameSizeOption] = []
        for index in 0..<limit {
            guard let entry = try io.enumerateFrameSize(fd, fourcc: fourcc, index: index) else { break }
            all.append(entry)
            if case .stepwise = entry { break } // V4L2 API: a range is the only entry
        }
        return all
    }

    static func frameIntervals(_ io: any VideoDeviceIO, _ fd: Int32, fourcc: UInt32,
                               size: FrameSize) throws(V4L2CallError) -> [FrameIntervalOption] {
        var all: [FrameIntervalOption] = []
        for index in 0..<limit {
            guard let entry = try io.enumerateFrameInterval(fd, fourcc: fourcc, size: size, index: index) else { break }
            all.append(entry)
            if case .stepwise = entry { break }
        }
        return all
    }
}
