#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pseudo-terminal for driving `Curses` in tests: ncurses gets the slave
/// side as its terminal, the test types into and reads from the master side.
final class PseudoTerminal {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let master: Int32
    private let slave: Int32
    /// Streams on the slave side, for `newterm`.
    let output: UnsafeMutablePointer<FILE>
    let input: UnsafeMutablePointer<FILE>

    init(columns: Int, rows: Int) throws {
        // posix_openpt/grantpt/unlockpt/ptsname are hidden from Swift's Glibc
        // module (they need _XOPEN_SOURCE), so do what they do on Linux:
        // open the multiplexer, unlock the slave, ask its number.
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard master >= 0,
              ioctl(master, Self.setLock, &unlock) == 0,
              ioctl(master, Self.getNumber, &number) == 0
        else {
            throw Failure(description: "no pseudo-terminal: errno \(errno)")
        }
        slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        guard slave >= 0, let output = fdopen(dup(slave), "w"), let input = fdopen(dup(slave), "r") else {
            throw Failure(description: "cannot open the pseudo-terminal's slave: errno \(errno)")
        }
        self.output = output
        self.input = input
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
        resize(columns: columns, rows: rows)
    }

    /// TIOCSPTLCK and TIOCGPTN (`_IOW('T', 0x31, int)`, `_IOR('T', 0x30, unsigned)`):
    /// function-like macros, which do not import.
    private static let setLock: UInt = 0x4004_5431
    private static let getNumber: UInt = 0x8004_5430

    deinit {
        fclose(output)
        fclose(input)
        Glibc.close(slave)
        Glibc.close(master)
    }

    /// Sets the size the slave reports (TIOCGWINSZ). The caller raises
    /// SIGWINCH: this process is not the pty's foreground process group.
    func resize(columns: Int, rows: Int) {
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
    }

    /// Sends bytes as if typed on the terminal.
    func type(_ text: String) {
        var bytes = Array(text.utf8)
        _ = write(master, &bytes, bytes.count)
    }

    /// What was written to the terminal since the last call, waiting until
    /// nothing more arrives for `quietMilliseconds`.
    func drain(quietMilliseconds: Int32 = 150) -> String {
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, quietMilliseconds) > 0 else { break }
            let count = read(master, &buffer, buffer.count)
            guard count > 0 else { break }
            collected += buffer[0..<count]
        }
        return String(decoding: collected, as: UTF8.self)
    }
}
