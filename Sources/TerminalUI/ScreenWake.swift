import Glibc

/// What the screen thread sleeps on between paints: the terminal's input, or a signal
/// that there is something to draw (a new frame, an update from the call). It wakes when
/// there is work instead of every few milliseconds to look for it.
public final class ScreenWake: Sendable {
    /// A non-blocking pipe (both -1 if none could be made: then only input and the timeout wake).
    private let readEnd: Int32
    private let writeEnd: Int32

    public init() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            (readEnd, writeEnd) = (-1, -1)
            return
        }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        (readEnd, writeEnd) = (ends[0], ends[1])
    }

    deinit {
        if readEnd >= 0 { close(readEnd) }
        if writeEnd >= 0 { close(writeEnd) }
    }

    /// From any thread: the next `wait` returns at once. (A full pipe already says so.)
    public func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Sleeps until `input` is readable, `signal` was called since the last wait, or
    /// `timeoutMilliseconds` pass.
    public func wait(orInputOn input: Int32, timeoutMilliseconds: Int) {
        var descriptors = [pollfd(fd: input, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)]
        _ = poll(&descriptors, nfds_t(descriptors.count), Int32(clamping: timeoutMilliseconds))
        var drained = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &drained, drained.count) > 0 {}
    }
}
