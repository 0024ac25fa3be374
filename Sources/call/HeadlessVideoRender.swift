import Foundation
import Glibc
import Media
import Signaling
import Synchronization
import TerminalRender

/// `CALL_HEADLESS_RENDER=PATH` in headless mode: the peer's video is drawn as
/// the screen would draw it (TerminalVideoWriter, half blocks, truecolor, into a
/// 160x45 pane) and the bytes written to PATH (`/dev/null` will do), so a
/// benchmark counts the cost of drawing without a terminal. Each frame drawn is a
/// `frameDrawn` event: wall-clock times in milliseconds (`seenMs` when the frame
/// was picked up, `drawnMs` after its bytes were written), `bytes`, and when the
/// frame carries a test-pattern stamp its `frame` number and `latencyMs`
/// (drawn minus the stamp's capture time: both processes read the same clock).
final class HeadlessVideoRender: Sendable {
    static let environmentKey = "CALL_HEADLESS_RENDER"
    static let pane = CellRect(x: 0, y: 0, width: 160, height: 45)
    /// How long the thread sleeps without a new frame before it looks whether it should stop.
    static let idleWait: Duration = .milliseconds(100)

    private let running = Atomic<Bool>(true)

    /// Starts the drawing thread; nil (and an `error` event) when PATH cannot be opened.
    static func start(frames: LatestFrame, path: String) -> HeadlessVideoRender? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            HeadlessFrontEnd.printLine(["event": "error", "message": .string(
                "\(environmentKey): cannot open \(path): \(String(cString: strerror(errno)))")])
            return nil
        }
        let render = HeadlessVideoRender()
        let thread = Thread { [render] in
            nameThisThread("call-render")
            render.loop(frames: frames, descriptor: descriptor)
            close(descriptor)
        }
        thread.start()
        return render
    }

    func stop() { running.store(false, ordering: .relaxed) }

    private func loop(frames: LatestFrame, descriptor: Int32) {
        var writer = TerminalVideoWriter(options: RenderOptions())
        var bytes: [UInt8] = []
        var drawn: UInt64?
        while running.load(ordering: .relaxed) {
            // The mailbox's numbers start again at 1 after it is cleared (a new call).
            if frames.newest == nil { drawn = nil }
            guard let newest = frames.waitForFrame(after: drawn, timeout: Self.idleWait) else { continue }
            let seen = Self.wallMilliseconds()
            drawn = newest.number
            bytes.removeAll(keepingCapacity: true)
            writer.render(.i420(newest.frame), in: Self.pane, appendingTo: &bytes)
            Self.writeAll(bytes, to: descriptor)
            let done = Self.wallMilliseconds()
            var event: [String: JSONValue] = ["event": "frameDrawn", "seenMs": .number(seen), "drawnMs": .number(done),
                                              "bytes": .number(Double(bytes.count))]
            if let stamp = FrameStampCode.decode(newest.frame) {
                event["frame"] = .number(Double(stamp.frameNumber))
                event["latencyMs"] = .number(Self.since(stamp.captureMilliseconds, now: done))
            }
            HeadlessFrontEnd.printLine(.object(event))
        }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                offset += n
            }
        }
    }

    static func wallMilliseconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1_000_000
    }

    /// Milliseconds from a stamp's capture time (wall clock truncated to 32 bits) to `now`.
    static func since(_ capture: UInt32, now: Double) -> Double {
        let whole = now.rounded(.down)
        let low = UInt32(truncatingIfNeeded: Int64(whole))
        return Double(Int32(bitPattern: low &- capture)) + (now - whole)
    }
}

/// Names the calling thread for top and /proc (a benchmark reads CPU per thread there).
/// Foundation's `Thread.name` does not reach the kernel here, and `pthread_setname_np`
/// does not import into Swift on Glibc.
private func nameThisThread(_ name: String) {
    let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    _ = Array(name.utf8.prefix(15)).withUnsafeBytes { write(descriptor, $0.baseAddress!, $0.count) }
    close(descriptor)
}
