#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import TerminalUI

/// Real ncurses on a pseudo-terminal: what reaches the terminal, keys typed
/// into it, a resize, and giving the terminal back. Serialized because
/// ncurses is process-global.
@Suite(.serialized) struct CursesPseudoTerminalTests {
    static let bob = UserRow(id: "1002", nickname: "bob")

    static func model() -> RoomScreenModel {
        RoomScreenModel(
            selfUser: UserRow(id: "1001", nickname: "alice"), room: "10012", server: "127.0.0.1:18080",
            users: [bob, UserRow(id: "1003", nickname: "carol")], selectedUserID: "1002",
            callLine: .ringingIn(bob), connection: .connected
        )
    }

    @Test func drawsReadsKeysResizesAndRestores() throws {
        let terminal = try PseudoTerminal(columns: 100, rows: 30)
        let curses = try Curses(terminalType: "xterm-256color", output: terminal.output, input: terminal.input)
        #expect(curses.size == TerminalSize(columns: 100, rows: 30))
        let screen = RoomScreen(curses: curses)
        #expect(screen.layout == RoomScreenLayout(size: TerminalSize(columns: 100, rows: 30)))

        // First paint: alternate screen, the banner, the users.
        #expect(screen.render(Self.model()))
        let first = terminal.drain()
        #expect(first.contains("\u{1B}[?1049h"))
        #expect(first.contains("incoming call from bob"))
        #expect(first.contains("carol (1003)"))
        // The same model again writes nothing.
        #expect(!screen.render(Self.model()))
        #expect(terminal.drain(quietMilliseconds: 50).isEmpty)
        // A changed model sends only what changed.
        var model = Self.model()
        model.callLine = .inCall(Self.bob, elapsedSeconds: 7)
        #expect(screen.render(model))
        let update = terminal.drain()
        #expect(update.contains("00:07"))
        #expect(!update.contains("carol"))
        #expect(update.utf8.count < first.utf8.count / 2)

        screen.bell()
        #expect(terminal.drain().contains("\u{07}"))

        // Keys, with keypad mode on (arrows arrive as SS3 sequences).
        terminal.type("\u{1B}OB")
        #expect(screen.readCommand(timeoutMilliseconds: 1000) == .selectNext)
        terminal.type("k")
        #expect(screen.readCommand(timeoutMilliseconds: 1000) == .selectPrevious)
        #expect(screen.readCommand(timeoutMilliseconds: 30) == nil)  // nothing typed: times out
        terminal.type("v")
        #expect(screen.readCommand(timeoutMilliseconds: 1000) == .toggleVideo)

        // Chat: Tab focuses, wide characters type, Backspace (DEL) deletes, Enter sends.
        terminal.type("\t世界\u{7F}é\r")
        #expect(screen.readCommand(timeoutMilliseconds: 1000) == .sendChat("世é"))
        #expect(screen.isTypingChat)
        _ = terminal.drain()
        terminal.type("x")
        #expect(screen.readCommand(timeoutMilliseconds: 1000) == nil)
        #expect(screen.chatDraft == "x")
        #expect(terminal.drain().contains("x"))
        terminal.type("\u{1B}")  // Esc alone, after ncurses' short escape delay
        #expect(screen.readCommand(timeoutMilliseconds: 1000) == nil)
        #expect(!screen.isTypingChat)

        // Ctrl-L repaints from scratch: the terminal is cleared and redrawn.
        terminal.type("\u{0C}")
        #expect(screen.readCommand(timeoutMilliseconds: 1000) == .redraw)
        let repaint = terminal.drain()
        #expect(repaint.contains("\u{1B}[H\u{1B}[2J"))
        #expect(repaint.contains("carol (1003)"))

        // Resize to too small and back.
        terminal.resize(columns: 50, rows: 12)
        kill(getpid(), SIGWINCH)
        #expect(screen.readCommand(timeoutMilliseconds: 1000) == .resize)
        #expect(screen.layout == .tooSmall(TerminalSize(columns: 50, rows: 12)))
        #expect(!screen.videoIsVisible)
        #expect(terminal.drain().contains("terminal too small (need 60x18)"))
        terminal.resize(columns: 90, rows: 26)
        kill(getpid(), SIGWINCH)
        #expect(screen.readCommand(timeoutMilliseconds: 1000) == .resize)
        #expect(screen.layout.remoteVideo == RoomScreenLayout(size: TerminalSize(columns: 90, rows: 26)).remoteVideo)
        #expect(screen.videoIsVisible)
        #expect(terminal.drain().contains("carol (1003)"))

        terminal.type("q")
        #expect(screen.readCommand(timeoutMilliseconds: 1000) == .quit)

        // Closing leaves the alternate screen and shows the cursor; twice is harmless.
        screen.close()
        let last = terminal.drain()
        #expect(last.contains("\u{1B}[?1049l"))
        #expect(last.contains("\u{1B}[?25h"))
        #expect(curses.isClosed)
        screen.close()
        curses.close()
        #expect(screen.readCommand(timeoutMilliseconds: 10) == nil)
        #expect(!screen.render(Self.model()))
    }

    /// In this suite because loading an entry swaps ncurses' global `cur_term` for a moment.
    @Test func terminfoDirectColourFlag() {
        // xterm-direct (ncurses-term) declares RGB; xterm-256color declares neither RGB nor Tc.
        #expect(Terminfo.declaresDirectColor(term: "xterm-direct"))
        #expect(!Terminfo.declaresDirectColor(term: "xterm-256color"))
        #expect(!Terminfo.declaresDirectColor(term: "no-such-terminal-here"))
    }
}
