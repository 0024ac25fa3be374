/// One key press, decoded from ncurses' `get_wch` but independent of it so the
/// key handling can be table-tested without a terminal.
public enum KeyInput: Sendable, Hashable {
    /// A printable character (any script; combining marks arrive as their own scalar).
    case character(Unicode.Scalar)
    /// Ctrl plus a letter, as the lowercase letter: Ctrl-L is `.control("l")`.
    case control(Character)
    case up, down, left, right, home, end, pageUp, pageDown
    case enter, tab, backTab, escape, backspace, delete
    case resize
    /// A function key ncurses knows and we do not use (its `KEY_*` code).
    case unknown(Int32)

    /// Decodes one `wget_wch` result: `isKeyCode` is true when it returned
    /// `KEY_CODE_YES` (a `KEY_*` constant), false for a character.
    init(wideCharacter code: UInt32, isKeyCode: Bool) {
        if isKeyCode {
            self = Self.decodeKeyCode(Int32(bitPattern: code))
            return
        }
        switch code {
        case 9: self = .tab
        case 10, 13: self = .enter
        case 27: self = .escape
        case 8, 127: self = .backspace  // terminals send either for Backspace
        case 1...26: self = .control(Character(Unicode.Scalar(UInt8(code) + 0x60)))
        default:
            if let scalar = Unicode.Scalar(code), !scalar.properties.generalCategory.isControl {
                self = .character(scalar)
            } else {
                self = .unknown(Int32(bitPattern: code))
            }
        }
    }

    /// ncurses `KEY_*` codes (curses.h, octal there).
    static func decodeKeyCode(_ code: Int32) -> KeyInput {
        switch code {
        case 0o402: .down
        case 0o403: .up
        case 0o404: .left
        case 0o405: .right
        case 0o406: .home
        case 0o550: .end
        case 0o523: .pageUp
        case 0o522: .pageDown
        case 0o407: .backspace
        case 0o512: .delete
        case 0o527: .enter  // keypad Enter
        case 0o541: .backTab
        case 0o632: .resize
        default: .unknown(code)
        }
    }
}

extension Unicode.GeneralCategory {
    var isControl: Bool {
        switch self {
        // Format characters (ZWJ in emoji sequences) and private-use glyphs stay typeable.
        case .control, .surrogate, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}
