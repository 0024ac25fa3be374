import Foundation

/// Helpers for tests that run other programs (python peers, coturn).
///
/// Waiting for a child blocks, so it happens on a thread of its own: blocking
/// one of the few cooperative threads would stall every test running in parallel.
public enum ChildProcess {
    /// SIGTERM, then SIGKILL after 3 s, and reap. Not Process.waitUntilExit() or
    /// isRunning: off the main thread on Linux they may never see the exit.
    /// ECHILD means Foundation already reaped it.
    public static func stop(_ pid: pid_t) async {
        await offThePool {
            kill(pid, SIGTERM)
            var status: Int32 = 0
            for _ in 0..<300 {
                let reaped = waitpid(pid, &status, WNOHANG)
                if reaped == pid || (reaped == -1 && errno == ECHILD) { return }
                usleep(10_000)
            }
            kill(pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
        }
    }

    /// Runs blocking `work` on a new thread and waits for it without holding a cooperative thread.
    public static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    public static func offThePool(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { continuation in
            Thread {
                work()
                continuation.resume()
            }.start()
        }
    }

    /// The repository root, from a test file's `#filePath` (Tests/<Target>/<File>.swift).
    public static func repositoryRoot(fromTestFile path: String) -> URL {
        URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
