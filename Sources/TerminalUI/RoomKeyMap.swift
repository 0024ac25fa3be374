/// The room screen's key handling as a pure state machine.
///
/// The state is which part of the screen takes typing (`focus`) and the chat
/// draft. In navigation focus single letters are commands; in chat focus
/// printable characters edit the draft and only non-printing keys (arrows,
/// Enter, Esc, Tab, Ctrl-L, resize) act.
public struct RoomKeyMap: Sendable, Equatable {
    public enum Focus: Sendable, Equatable {
        case navigation
        case chatInput
    }

    /// What one key press did.
    public enum Outcome: Sendable, Equatable {
        /// The application should act on this.
        case command(RoomScreenCommand)
        /// Only the focus or the draft changed: redraw the input, nothing else to do.
        case inputChanged
        /// The key means nothing here.
        case ignored
    }

    public private(set) var focus: Focus = .navigation
    public private(set) var draft = ChatDraft()

    public init() {}

    public mutating func handle(_ key: KeyInput) -> Outcome {
        // Keys that mean the same in both focuses.
        switch key {
        case .resize: return .command(.resize)
        case .control("l"): return .command(.redraw)
        case .up: return .command(.selectPrevious)
        case .down: return .command(.selectNext)
        case .pageUp: return .command(.scrollChat(.older))
        case .pageDown: return .command(.scrollChat(.newer))
        default: break
        }
        switch focus {
        case .navigation: return handleNavigation(key)
        case .chatInput: return handleChatInput(key)
        }
    }

    private mutating func handleNavigation(_ key: KeyInput) -> Outcome {
        switch key {
        case .enter: return .command(.callSelected)
        case .tab, .character("/"), .character("i"):
            focus = .chatInput
            return .inputChanged
        case .escape: return .command(.dismiss)
        case .character(let scalar):
            switch scalar {
            case "k": return .command(.selectPrevious)
            case "j": return .command(.selectNext)
            case "y": return .command(.accept)
            case "n": return .command(.reject)
            case "h": return .command(.hangup)
            case "q": return .command(.quit)
            case "?": return .command(.toggleHelp)
            case "r": return .command(.cycleSymbols)
            case "R": return .command(.cycleColors)
            case "f": return .command(.toggleFit)
            case "s": return .command(.showStats)
            case "v": return .command(.toggleVideo)
            case "m": return .command(.toggleMute)
            case "c": return .command(.nextVideoSource)
            case "b": return .command(.cycleBitrateCap)
            case "p": return .command(.snapshot)
            default:
                return .ignored
            }
        default:
            return .ignored
        }
    }

    private mutating func handleChatInput(_ key: KeyInput) -> Outcome {
        func edited(_ changed: Bool) -> Outcome { changed ? .inputChanged : .ignored }
        switch key {
        case .character(let scalar): return edited(draft.insert(scalar))
        case .backspace: return edited(draft.deleteBackward())
        case .delete, .control("d"): return edited(draft.deleteForward())
        case .left, .control("b"): return edited(draft.moveLeft())
        case .right, .control("f"): return edited(draft.moveRight())
        case .home, .control("a"): return edited(draft.moveToStart())
        case .end, .control("e"): return edited(draft.moveToEnd())
        case .control("u"): return edited(draft.deleteToStart())
        case .enter:
            let text = draft.text
            // A line of only spaces is not worth a message.
            guard text.contains(where: { !$0.isWhitespace }) else { return .ignored }
            draft.clear()
            return .command(.sendChat(text))
        case .escape, .tab, .backTab:
            // The draft stays, so leaving to answer a call loses nothing.
            focus = .navigation
            return .inputChanged
        default:
            return .ignored
        }
    }
}
