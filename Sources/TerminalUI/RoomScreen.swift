/// The room screen on a real terminal: paints models with ncurses and turns
/// key presses into commands.
///
/// Lives on the one UI thread (not Sendable). The loop the application runs:
/// `render(model)` whenever its model changes, `readCommand(timeoutMilliseconds:)`
/// to wait for keys, then (later) write video into `layout.remoteVideo` and
/// `layout.localPreview` after each paint, and repaint video whole after
/// `.redraw` or `.resize`.
///
/// Writing video next to ncurses: ncurses remembers where it left the cursor
/// and which attributes it last sent, and assumes nobody else moves them.
/// So a video writer, after `render` or `readCommand` returned (both end in
/// `doupdate()`, which flushes), wraps its bytes in save/restore cursor
/// (`ESC 7` ... `ESC 8`, which also restores SGR) inside synchronized output,
/// and does not draw while `videoIsVisible` is false.
public final class RoomScreen {
    private let curses: Curses
    private var keyMap = RoomKeyMap()
    private var model: RoomScreenModel?
    private var painted = false

    /// Where the panes are now; changes only when `.resize` is returned.
    public private(set) var layout: RoomScreenLayout

    public init(curses: Curses) {
        self.curses = curses
        layout = RoomScreenLayout(size: curses.size)
    }

    /// Whether typing goes to the chat input.
    public var isTypingChat: Bool { keyMap.focus == .chatInput }

    /// The chat line being typed.
    public var chatDraft: String { keyMap.draft.text }

    /// Whether video may be drawn now: false while the help overlay covers
    /// part of the video area, or when the terminal is too small.
    public var videoIsVisible: Bool {
        layout.remoteVideo != nil && model?.showHelp != true
    }

    /// Shows `model`. Does nothing when it equals the last one (so calling it
    /// every tick is cheap), or after `close()`. Returns whether the terminal
    /// was written.
    @discardableResult
    public func render(_ model: RoomScreenModel) -> Bool {
        guard !curses.isClosed, !painted || model != self.model else { return false }
        self.model = model
        paint()
        return true
    }

    /// Waits up to `timeoutMilliseconds` for a key that asks the application
    /// to do something. Editing the chat input and moving focus are handled
    /// here (and repainted) without returning a command; after such keys the
    /// call returns nil as soon as no more input is pending, so the caller's
    /// loop keeps its pace while the user types or pastes.
    ///
    /// `.resize` and `.redraw` have already been handled on screen when they
    /// are returned; they tell the caller to repaint video.
    public func readCommand(timeoutMilliseconds: Int) -> RoomScreenCommand? {
        var timeout = timeoutMilliseconds
        var inputChanged = false
        defer { if inputChanged { paint() } }
        while let key = curses.readKey(timeoutMilliseconds: timeout) {
            timeout = 0  // after the first key, only drain what is already there
            switch keyMap.handle(key) {
            case .ignored:
                continue
            case .inputChanged:
                inputChanged = true
            case .command(.resize):
                layout = RoomScreenLayout(size: curses.size)
                curses.invalidate()
                inputChanged = true
                return .resize
            case .command(.redraw):
                curses.invalidate()
                inputChanged = true
                return .redraw
            case .command(let command):
                return command
            }
        }
        return nil
    }

    /// Repaints every cell from the model, as Ctrl-L does: for when video written
    /// outside ncurses must be wiped (the peer's video stopped).
    public func repaintAll() {
        guard !curses.isClosed else { return }
        curses.invalidate()
        paint()
    }

    /// Rings the terminal bell; the application calls it once when a call
    /// starts ringing.
    public func bell() {
        curses.bell()
    }

    /// Gives the terminal back. Idempotent.
    public func close() {
        curses.close()
    }

    private func paint() {
        guard let model, !curses.isClosed else { return }
        var surface = curses
        let painter = RoomScreenPainter(model: model, keyMap: keyMap, layout: layout)
        if let cursor = painter.paint(on: &surface) {
            curses.placeCursor(row: cursor.row, column: cursor.column)
        } else {
            curses.hideCursor()
        }
        curses.update()
        painted = true
    }
}
