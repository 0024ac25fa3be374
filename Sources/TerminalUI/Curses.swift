import CNcurses
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the terminal could not be taken over.
public enum CursesError: Error, Equatable, CustomStringConvertible {
    /// ncurses found no terminal description for `TERM` (or `TERM` is unset).
    case unknownTerminal(String?)

    public var description: String {
        switch self {
        case .unknownTerminal(let term): "cannot drive terminal type \(term.map { "'\($0)'" } ?? "(TERM unset)")"
        }
    }
}

/// The one Swift type around ncurses: owns the terminal from `init` until
/// `close()` (or deinit), draws cells, polls keys with a timeout.
///
/// Not Sendable on purpose: ncurses keeps global state and is not
/// thread-safe, so this lives on the one UI thread.
///
/// ncurses installs its own SIGWINCH handler (giving `KEY_RESIZE`) and, for
/// SIGINT/SIGTERM left at their defaults, a handler that restores the terminal
/// before exiting. An application that installs its own handlers must call
/// `close()` on the UI thread before exiting.
public final class Curses {
    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private let hasColours: Bool
    private var cursorVisible: Bool?
    public private(set) var isClosed = false

    /// Takes over the terminal on stdin/stdout.
    public convenience init() throws(CursesError) {
        try self.init(terminalType: nil) { call_newterm_stdio() }
    }

    /// Drives the terminal of type `terminalType` on the given streams, e.g. a
    /// pseudo-terminal in tests.
    convenience init(
        terminalType: String, output: UnsafeMutablePointer<FILE>, input: UnsafeMutablePointer<FILE>
    ) throws(CursesError) {
        try self.init(terminalType: terminalType) { newterm(terminalType, output, input) }
    }

    private init(terminalType: String?, openScreen: () -> OpaquePointer?) throws(CursesError) {
        // Without a UTF-8 locale ncursesw treats multibyte text as bytes and
        // cannot read wide characters; the screen is Unicode throughout, so
        // fall back to C.UTF-8 for character handling when the user's locale
        // is not UTF-8 (or unset).
        setlocale(LC_ALL, "")
        if !Self.localeIsUTF8 {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
        // Exported LINES/COLUMNS (GNU readline exports them, so shells and
        // Python programs pass them on) are a stale snapshot: ncurses would
        // prefer them to the terminal's real size and ignore every resize.
        unsetenv("LINES")
        unsetenv("COLUMNS")
        // newterm rather than initscr: initscr exits the process on an unknown TERM.
        guard let screen = openScreen() else {
            throw .unknownTerminal(terminalType ?? getenv("TERM").map { String(cString: $0) })
        }
        set_term(screen)
        self.screen = screen
        window = call_stdscr()
        cbreak()  // keys arrive at once; Ctrl-C still raises SIGINT
        noecho()
        keypad(window, true)  // arrows and KEY_RESIZE as single codes
        intrflush(window, false)
        // Esc is also the start of escape sequences; ncurses' default one-second
        // wait for the rest makes Esc feel broken.
        set_escdelay(25)
        hasColours = has_colors()
        if hasColours {
            start_color()
            use_default_colors()  // -1 below: keep the user's background
            for pair in ColourPair.allCases {
                init_pair(pair.rawValue, pair.foreground, pair.background)
            }
        }
        setCursorVisible(false)
    }

    deinit {
        close()
    }

    private static var localeIsUTF8: Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).lowercased()
        return name == "utf-8" || name == "utf8"
    }

    /// Gives the terminal back (endwin). Safe to call more than once.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        if cursorVisible != true { curs_set(1) }
        endwin()
        delscreen(screen)
    }

    /// The terminal size as ncurses knows it (updated when `KEY_RESIZE` arrives).
    public var size: TerminalSize {
        TerminalSize(columns: Int(call_getmaxx(window)), rows: Int(call_getmaxy(window)))
    }

    /// Rings the terminal bell (or flashes when it has none).
    public func bell() {
        guard !isClosed else { return }
        beep()
    }

    /// Waits up to `timeoutMilliseconds` (0 polls, negative blocks) for one key.
    func readKey(timeoutMilliseconds: Int) -> KeyInput? {
        guard !isClosed else { return nil }
        wtimeout(window, Int32(clamping: timeoutMilliseconds))
        var code: wint_t = 0
        let result = wget_wch(window, &code)
        if result == call_err() { return nil }
        return KeyInput(wideCharacter: UInt32(code), isKeyCode: result == call_key_code_yes())
    }

    /// Pushes what was drawn to the terminal, sending only changed cells.
    func update() {
        guard !isClosed else { return }
        wnoutrefresh(window)
        doupdate()
    }

    /// Makes the next `update()` repaint every cell (Ctrl-L, or after someone
    /// else wrote to the terminal).
    func invalidate() {
        guard !isClosed else { return }
        clearok(window, true)
    }

    func placeCursor(row: Int, column: Int) {
        wmove(window, Int32(row), Int32(column))
        setCursorVisible(true)
    }

    func hideCursor() {
        setCursorVisible(false)
    }

    private func setCursorVisible(_ visible: Bool) {
        guard cursorVisible != visible else { return }
        cursorVisible = visible
        curs_set(visible ? 1 : 0)
    }

    /// Colour pairs, numbered from 1 (pair 0 is the terminal default).
    private enum ColourPair: Int16, CaseIterable {
        case border = 1, title, selfSender, peerSender, banner, trouble, notice, focus, ringing

        var foreground: Int16 {
            switch self {
            case .border: Int16(COLOR_CYAN)
            case .title: Int16(COLOR_CYAN)
            case .selfSender: Int16(COLOR_GREEN)
            case .peerSender: Int16(COLOR_MAGENTA)
            case .banner: Int16(COLOR_BLACK)
            case .trouble: Int16(COLOR_WHITE)
            case .notice: Int16(COLOR_YELLOW)
            case .focus: Int16(COLOR_GREEN)
            case .ringing: Int16(COLOR_YELLOW)
            }
        }

        var background: Int16 {
            switch self {
            case .banner: Int16(COLOR_YELLOW)
            case .trouble: Int16(COLOR_RED)
            default: -1
            }
        }
    }

    /// ncurses attributes for a style; colour only when the terminal has it,
    /// with bold/reverse carrying the meaning on monochrome terminals.
    private func attributes(for style: CellStyle) -> attr_t {
        func pair(_ pair: ColourPair) -> attr_t {
            hasColours ? attr_t(truncatingIfNeeded: call_color_pair(Int32(pair.rawValue))) : 0
        }
        switch style {
        case .plain, .input: return call_a_normal()
        case .border: return pair(.border)
        case .focusedBorder: return pair(.focus) | call_a_bold()
        case .title: return pair(.title) | call_a_bold()
        case .selectedRow: return call_a_reverse() | call_a_bold()
        case .ringingTag: return pair(.ringing) | call_a_bold() | call_a_blink()
        case .dim: return call_a_dim()
        case .notice: return pair(.notice) | call_a_bold()
        case .ringingBanner: return hasColours ? pair(.banner) | call_a_bold() | call_a_blink() : call_a_reverse() | call_a_blink()
        case .status: return call_a_reverse()
        case .statusTrouble: return hasColours ? pair(.trouble) | call_a_bold() : call_a_reverse() | call_a_bold()
        case .selfSender: return pair(.selfSender) | call_a_bold()
        case .peerSender: return pair(.peerSender) | call_a_bold()
        case .helpKey: return pair(.title) | call_a_bold()
        }
    }
}

extension Curses: CellSurface {
    func erase() {
        werase(window)
    }

    func put(_ text: String, row: Int, column: Int, style: CellStyle) {
        guard !text.isEmpty else { return }
        call_attrset(window, attributes(for: style))
        // Writing the bottom-right cell returns ERR (the cursor cannot advance
        // past it) but the cell is drawn, so the result is not an error here.
        _ = call_mvwaddnstr(window, Int32(row), Int32(column), text, -1)
        call_attrset(window, call_a_normal())
    }

    func fill(_ rect: ScreenRect, style: CellStyle) {
        guard !rect.isEmpty else { return }
        let blanks = String(repeating: " ", count: rect.width)
        for y in rect.y..<rect.maxY {
            put(blanks, row: y, column: rect.x, style: style)
        }
    }

    func drawBox(_ rect: ScreenRect, style: CellStyle) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        call_attrset(window, attributes(for: style))
        let (top, bottom, left, right) = (Int32(rect.y), Int32(rect.maxY - 1), Int32(rect.x), Int32(rect.maxX - 1))
        call_mvwaddch(window, top, left, call_acs_ulcorner())
        call_mvwaddch(window, top, right, call_acs_urcorner())
        call_mvwaddch(window, bottom, left, call_acs_llcorner())
        call_mvwaddch(window, bottom, right, call_acs_lrcorner())
        call_mvwhline(window, top, left + 1, call_acs_hline(), Int32(rect.width - 2))
        call_mvwhline(window, bottom, left + 1, call_acs_hline(), Int32(rect.width - 2))
        call_mvwvline(window, top + 1, left, call_acs_vline(), Int32(rect.height - 2))
        call_mvwvline(window, top + 1, right, call_acs_vline(), Int32(rect.height - 2))
        call_attrset(window, call_a_normal())
    }

    func drawRule(across box: ScreenRect, row: Int, style: CellStyle) {
        guard box.width >= 2 else { return }
        call_attrset(window, attributes(for: style))
        call_mvwaddch(window, Int32(row), Int32(box.x), call_acs_ltee())
        call_mvwhline(window, Int32(row), Int32(box.x + 1), call_acs_hline(), Int32(box.width - 2))
        call_mvwaddch(window, Int32(row), Int32(box.maxX - 1), call_acs_rtee())
        call_attrset(window, call_a_normal())
    }
}

/// What the terminal's terminfo entry says about colour.
public enum Terminfo {
    /// Whether the entry for `term` (nil: `$TERM`) has the `RGB` or `Tc` flag
    /// (24-bit colour); false when there is no entry.
    public static func declaresDirectColor(term: String? = nil) -> Bool {
        if let term { return term.withCString { call_terminfo_direct_colour($0) } != 0 }
        return call_terminfo_direct_colour(nil) != 0
    }
}
