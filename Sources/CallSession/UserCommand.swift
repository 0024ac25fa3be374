import Foundation

/// What the person at the terminal (or a script in headless mode) asks for.
public enum UserCommand: Sendable, Equatable {
    case call(String)
    case accept
    case reject
    case hangUp
    case chat(String)
    case stats
    /// `m` / `mute on|off`: nil toggles.
    case mute(on: Bool?)
    /// `v` / `video on|off`: nil toggles.
    case video(on: Bool?)
    /// `c` / `source next`.
    case nextVideoSource
    /// `b`: 256 kbit/s, 1 Mbit/s, no cap, and round again; `bitrate KBPS|off` sets one.
    case bitrateCap(BitrateCapChange)
    /// `p` / `snapshot`: the peer's current frame to a file.
    case snapshot
    case quit

    /// Parses one headless command line: `call ID`, `accept`, `reject`, `hangup`,
    /// `chat TEXT`, `stats`, `video on|off`, `source next`, `mute on|off`, `bitrate KBPS|off`,
    /// `snapshot`, `quit`.
    public init?(commandLine line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard let verb = parts.first?.lowercased() else { return nil }
        let argument = parts.count > 1 ? String(parts[1]) : ""
        switch verb {
        case "call":
            let target = argument.trimmingCharacters(in: .whitespaces)
            guard !target.isEmpty, !target.contains(" ") else { return nil }
            self = .call(target)
        case "accept" where argument.isEmpty: self = .accept
        case "reject" where argument.isEmpty: self = .reject
        case "hangup" where argument.isEmpty: self = .hangUp
        case "quit" where argument.isEmpty: self = .quit
        case "chat":
            guard !argument.isEmpty else { return nil }
            self = .chat(argument)
        case "stats" where argument.isEmpty: self = .stats
        case "video" where ["on", "off"].contains(argument): self = .video(on: argument == "on")
        case "mute" where ["on", "off"].contains(argument): self = .mute(on: argument == "on")
        case "source" where argument == "next": self = .nextVideoSource
        case "snapshot" where argument.isEmpty: self = .snapshot
        case "bitrate" where argument == "off": self = .bitrateCap(.set(nil))
        case "bitrate":
            guard let kbps = Int(argument), (50...100_000).contains(kbps) else { return nil }
            self = .bitrateCap(.set(kbps))
        default: return nil
        }
    }
}

public enum BitrateCapChange: Sendable, Equatable {
    case next
    case set(Int?)

    /// The seed page's steps (kbit/s): 256, 1000, none.
    public static let steps: [Int?] = [256, 1000, nil]
}
