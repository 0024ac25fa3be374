import ArgumentParser
import Foundation
import Media
import TerminalRender
import TerminalUI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `call preview`: the local video source drawn full-screen with the terminal
/// renderer, no call. Keys: r symbol set, R colour mode, f fit/fill, q quit.
struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Show the local video source full-screen (r symbols, R colours, f fit/fill, q quit)."
    )

    @Option(name: .long, help: "Symbol set: half, quad, sextant or ascii.") var symbols: String = "half"
    @Option(name: .long, help: "Colours: truecolor, 256 or 16 (default: from COLORTERM, terminfo RGB/Tc and TERM).") var colors: String?
    @Flag(name: .long, help: "Ordered dithering in 256 and 16 colours.") var dither = false
    @Option(name: .long, help: "Frames per second.") var fps: Double = 30
    @Option(name: .long, help: "Stop after this many frames (default: until q).") var frames: Int?

    static let symbolNames: [(String, SymbolSet)] = [("half", .halfBlocks), ("quad", .quadrants),
                                                     ("sextant", .sextants), ("ascii", .ascii)]

    func validate() throws {
        guard Self.symbolNames.contains(where: { $0.0 == symbols }) else {
            throw ValidationError("--symbols must be half, quad, sextant or ascii")
        }
        if let colors, ColorMode(name: colors) == nil { throw ValidationError("--colors must be truecolor, 256 or 16") }
        guard fps > 0, fps <= 240 else { throw ValidationError("--fps must be in (0, 240]") }
    }

    func run() throws {
        guard isatty(0) == 1, isatty(1) == 1 else { throw ValidationError("preview needs a terminal on stdin and stdout") }
        var options = RenderOptions(
            symbols: Self.symbolNames.first { $0.0 == symbols }!.1,
            colors: ColorMode.detect(environment: ProcessInfo.processInfo.environment, override: colors,
                                    terminfoDirectColor: Terminfo.declaresDirectColor()),
            dithering: dither)
        let terminal = try PreviewTerminal()
        defer { terminal.restore() }

        let source = TestPatternSource(width: 640, height: 360)
        var writer = TerminalVideoWriter(options: options)
        var size = (columns: 0, rows: 0)
        var statusShown = ""
        let frameInterval = 1.0 / fps
        var next = Date().timeIntervalSince1970
        var number: UInt32 = 0
        var buffer: [UInt8] = []
        while frames.map({ Int(number) < $0 }) ?? true {
            let window = terminal.windowSize()
            if window.columns != size.columns || window.rows != size.rows {
                size = (window.columns, window.rows)
                options.cellPixelSize = CellPixelSize.fromWindow(
                    columns: window.columns, rows: window.rows, pixelWidth: window.pixelWidth, pixelHeight: window.pixelHeight)
                terminal.send(Array("\u{1B}[0m\u{1B}[2J".utf8))
                writer.invalidate()
                statusShown = ""
            }
            // The bottom row is the status line; the picture gets the rest.
            let rect = CellRect(x: 0, y: 0, width: size.columns, height: max(0, size.rows - 1))
            let now = Date().timeIntervalSince1970
            let milliseconds = UInt64(now * 1000)
            writer.options = options
            buffer.removeAll(keepingCapacity: true)
            writer.render(.i420(source.frame(number: number, captureMilliseconds: milliseconds)), in: rect,
                          appendingTo: &buffer)
            let status = Self.status(options, rect: rect)
            if status != statusShown, size.rows > 0 {
                statusShown = status
                buffer += Array("\u{1B}[\(size.rows);1H\u{1B}[0m\u{1B}[2K\(String(status.prefix(size.columns)))".utf8)
            }
            terminal.send(buffer)
            number &+= 1

            // Keys until the next frame is due.
            next += frameInterval
            if next < now { next = now }  // fell behind: do not try to catch up
            while true {
                let wait = next - Date().timeIntervalSince1970
                guard let key = terminal.readKey(timeoutMilliseconds: max(0, Int(wait * 1000))) else { break }
                switch key {
                case UInt8(ascii: "q"), 3, 4:  // q, Ctrl-C, Ctrl-D
                    return
                case UInt8(ascii: "r"):
                    let all = SymbolSet.allCases
                    options.symbols = all[(all.firstIndex(of: options.symbols)! + 1) % all.count]
                case UInt8(ascii: "R"):
                    let all = ColorMode.allCases
                    options.colors = all[(all.firstIndex(of: options.colors)! + 1) % all.count]
                case UInt8(ascii: "f"):
                    options.scaling = options.scaling == .fit ? .fill : .fit
                case 12:  // Ctrl-L
                    terminal.send(Array("\u{1B}[0m\u{1B}[2J".utf8))
                    writer.invalidate()
                    statusShown = ""
                default:
                    break
                }
            }
        }
    }

    static func status(_ options: RenderOptions, rect: CellRect) -> String {
        let symbols = symbolNames.first { $0.1 == options.symbols }!.0
        let colors = switch options.colors {
        case .truecolor: "truecolor"
        case .palette256: "256 colours"
        case .palette16: "16 colours"
        }
        let scaling = options.scaling == .fit ? "fit" : "fill"
        return " \(symbols) · \(colors) · \(scaling) · \(rect.width)x\(rect.height) cells   r symbols  R colours  f fit/fill  q quit"
    }
}

/// The terminal in raw mode on the alternate screen for the preview, put
/// back as it was by `restore()`.
private final class PreviewTerminal {
    private var original = termios()
    private var restored = false

    init() throws {
        guard tcgetattr(0, &original) == 0 else { throw ValidationError("cannot read the terminal settings") }
        var raw = original
        // No echo, no line editing, no signals from keys (Ctrl-C arrives as a
        // byte and quits cleanly, restoring the terminal), no CR/NL mapping.
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        tcsetattr(0, TCSAFLUSH, &raw)
        send(Array("\u{1B}[?1049h\u{1B}[?25l\u{1B}[2J".utf8))  // alternate screen, hide cursor
    }

    func restore() {
        guard !restored else { return }
        restored = true
        send(Array("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l".utf8))
        tcsetattr(0, TCSAFLUSH, &original)
    }

    deinit { restore() }

    func windowSize() -> (columns: Int, rows: Int, pixelWidth: Int, pixelHeight: Int) {
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0 else { return (80, 24, 0, 0) }
        return (Int(size.ws_col), Int(size.ws_row), Int(size.ws_xpixel), Int(size.ws_ypixel))
    }

    /// Writes all of `bytes` (one write(2) unless the terminal takes less).
    func send(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(1, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    return
                }
                offset += n
            }
        }
    }

    /// One byte from the keyboard, waiting up to the timeout; nil when none came.
    func readKey(timeoutMilliseconds: Int) -> UInt8? {
        var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(timeoutMilliseconds)) > 0 else { return nil }
        var byte: UInt8 = 0
        return read(0, &byte, 1) == 1 ? byte : nil
    }
}
