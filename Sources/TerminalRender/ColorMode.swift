/// How many colours the terminal can show, which decides the SGR sequences
/// we write and whether colours are quantised.
public enum ColorMode: Sendable, Hashable, CaseIterable {
    /// 24-bit `38;2;r;g;b`.
    case truecolor
    /// xterm's 256 colours (`38;5;n`): 6x6x6 cube plus 24 greys.
    case palette256
    /// The 16 ANSI colours (`30-37`, `90-97`).
    case palette16

    /// Picks the mode the way most terminal programs do. In order: an explicit
    /// override (`truecolor`/`24bit`, `256`, `16`); `COLORTERM=truecolor|24bit`;
    /// the terminfo entry's `RGB`/`Tc` flag (`terminfoDirectColor`: this module
    /// does not read terminfo, the caller does); a `TERM` of a direct-colour
    /// entry (`*-direct`) or one of the terminals known to do 24-bit;
    /// `TERM` containing `256color`; otherwise 16.
    public static func detect(environment: [String: String], override: String? = nil,
                              terminfoDirectColor: Bool = false) -> ColorMode {
        if let override, let mode = ColorMode(name: override) { return mode }
        let colorTerm = (environment["COLORTERM"] ?? "").lowercased()
        if colorTerm == "truecolor" || colorTerm == "24bit" || terminfoDirectColor { return .truecolor }
        let term = (environment["TERM"] ?? "").lowercased()
        if term.hasSuffix("-direct") || term.hasPrefix("xterm-kitty") || term.hasPrefix("alacritty")
            || term.hasPrefix("wezterm") || term.hasPrefix("foot") || term.hasPrefix("xterm-ghostty") {
            return .truecolor
        }
        if term.contains("256color") { return .palette256 }
        return .palette16
    }

    /// Parses a user's name for a mode: `truecolor`/`24bit`/`rgb`, `256`, `16`.
    public init?(name: String) {
        switch name.lowercased() {
        case "truecolor", "24bit", "rgb", "direct": self = .truecolor
        case "256", "256color", "palette256": self = .palette256
        case "16", "16color", "palette16", "ansi": self = .palette16
        default: return nil
        }
    }
}
