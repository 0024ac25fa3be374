import Foundation

/// Finds the cameras on this machine (for `call devices`).
public enum VideoDeviceList {
    /// `/dev/video*` nodes in `directory`, in numeric order (video2 before video10).
    public static func devicePaths(in directory: String = "/dev") -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let numbered = names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix("video"), let number = Int(name.dropFirst(5)), number >= 0 else { return nil }
            return (number, name)
        }
        return numbered.sorted { $0.0 < $1.0 }.map { directory + "/" + $0.1 }
    }

    /// The capture devices among `paths`, with their formats and sizes.
    /// Metadata and output nodes are skipped (their node capabilities lack
    /// `V4L2_CAP_VIDEO_CAPTURE`), and so are nodes that fail to open or answer.
    /// Empty when there is no camera: the caller says "no camera found; using the test pattern".
    public static func cameras(io: any VideoDeviceIO = LibV4L2DeviceIO(),
                               paths: [String] = devicePaths()) -> [CameraInfo] {
        paths.compactMap { path in
            guard let fd = try? io.open(path: path) else { return nil }
            defer { io.close(fd) }
            guard let caps = try? io.queryCapabilities(fd), caps.isStreamingCaptureDevice else { return nil }
            let formats = ((try? DeviceEnumeration.formats(io, fd)) ?? []).map { format in
                CameraInfo.Format(fourcc: format.fourcc, name: CameraPixelFormat.fourccString(format.fourcc),
                                  description: format.description, isEmulated: format.isEmulated,
                                  sizes: (try? DeviceEnumeration.frameSizes(io, fd, fourcc: format.fourcc)) ?? [])
            }
            return CameraInfo(path: path, name: caps.card, driver: caps.driver, bus: caps.busInfo, formats: formats)
        }
    }
}
