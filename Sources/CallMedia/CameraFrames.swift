import Camera
import Foundation
import Media
import Synchronization

/// A camera as a frame source: its own capture thread (V4L2 reads block until the
/// camera delivers, DESIGN.md) keeps the newest frame; the sender takes it at its
/// own pace. A camera that goes away mid-call ends the source with the reason.
final class CameraFrames: FrameSource {
    /// What the capture thread and the sender share.
    private final class Shared: Sendable {
        let latest = LatestFrame()
        let failure = Mutex<String?>(nil)
        let running = Atomic<Bool>(true)
    }

    /// Hands the (non-Sendable) capture to its thread, which alone uses it from then on.
    private final class CaptureHandoff: @unchecked Sendable {
        let capture: CameraCapture
        init(_ capture: CameraCapture) { self.capture = capture }
    }

    private let shared = Shared()

    init(path: String, width: Int, height: Int, fps: Int) throws {
        let handoff = CaptureHandoff(try CameraCapture(device: path, width: width, height: height, fps: fps))
        let thread = Thread { [shared] in
            // Named from inside: on Linux a name set before start() never reaches the kernel.
            Thread.current.name = "call-camera"
            let capture = handoff.capture
            defer { capture.close() }
            while shared.running.load(ordering: .relaxed) {
                do throws(CameraError) {
                    shared.latest.put(try capture.nextFrame(timeout: .seconds(1)))
                } catch {
                    switch error {
                    case .timeout, .shortFrame: continue
                    default:
                        shared.failure.withLock { $0 = "\(path): \(error)" }
                        return
                    }
                }
            }
        }
        thread.start()
    }

    deinit { shared.running.store(false, ordering: .relaxed) }

    var failure: String? { shared.failure.withLock { $0 } }

    func nextFrame(number: UInt32, wallMilliseconds: UInt64) -> I420Frame? {
        if failure != nil { return nil }
        // Before the camera's first frame, a small black one keeps the stream going.
        return shared.latest.newest?.frame ?? .black(width: 320, height: 240)
    }
}
