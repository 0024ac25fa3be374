/// A session description as WebRTC uses it: the session-level lines and the
/// media sections, each kept as its lines in order (RFC 8866, RFC 8829).
/// Parsing keeps unknown lines; serialising gives them back unchanged.
public struct SDPDocument: Sendable, Hashable {
    /// `v=`, `o=`, `s=`, `t=` and every other line before the first `m=`.
    public var sessionLines: [SDPLine]
    public var media: [MediaSection]

    public init(sessionLines: [SDPLine], media: [MediaSection]) {
        self.sessionLines = sessionLines
        self.media = media
    }

    /// Parses CRLF- or LF-separated text. Only structural faults throw; unknown
    /// line types and attributes are kept.
    public init(parsing text: String) throws(SDPParseError) {
        var sessionLines: [SDPLine] = []
        var media: [MediaSection] = []
        var number = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            let lineText = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if lineText.isEmpty { continue }  // a trailing newline, or a stray blank line
            guard lineText.count >= 2, let type = lineText.first, type.isLetter,
                lineText[lineText.index(after: lineText.startIndex)] == "="
            else { throw .malformedLine(number: number, text: String(lineText)) }
            let line = SDPLine(type: type, value: String(lineText.dropFirst(2)))
            if sessionLines.isEmpty && media.isEmpty && (type != "v" || line.value != "0") { throw .missingVersion }
            if type == "m" {
                guard let mediaLine = MediaLine(line.value) else {
                    throw .malformedMediaLine(number: number, text: String(lineText))
                }
                media.append(MediaSection(mediaLine: mediaLine))
            } else if media.isEmpty {
                sessionLines.append(line)
            } else {
                media[media.count - 1].lines.append(line)
            }
        }
        guard !sessionLines.isEmpty else { throw .empty }
        self.init(sessionLines: sessionLines, media: media)
    }

    /// The text, CRLF after every line (RFC 8866 §5).
    public var text: String {
        var out = ""
        for line in sessionLines { out += line.text + "\r\n" }
        for section in media {
            out += "m=" + section.mediaLine.value + "\r\n"
            for line in section.lines { out += line.text + "\r\n" }
        }
        return out
    }

    /// `a=group:BUNDLE 0 1 2` groups, as lists of mids (RFC 9143).
    public var bundleGroups: [[String]] {
        sessionLines.attributeValues("group").compactMap { value in
            let parts = value.split(separator: " ")
            guard parts.first == "BUNDLE" else { return nil }
            return parts.dropFirst().map(String.init)
        }
    }

    /// ICE credentials of a section, falling back to the session level where some stacks put them.
    public func iceCredentials(of section: MediaSection) -> (ufrag: String, pwd: String)? {
        let ufrag = section.iceUfrag ?? sessionLines.firstAttribute("ice-ufrag").map(String.init)
        let pwd = section.icePwd ?? sessionLines.firstAttribute("ice-pwd").map(String.init)
        guard let ufrag, let pwd else { return nil }
        return (ufrag, pwd)
    }

    /// Fingerprints of a section, falling back to the session level (Firefox writes them there).
    public func fingerprints(of section: MediaSection) -> [Fingerprint] {
        let own = section.fingerprints
        return own.isEmpty ? sessionLines.attributeValues("fingerprint").compactMap(Fingerprint.init(parsing:)) : own
    }

    /// `a=setup` of a section, falling back to the session level.
    public func setup(of section: MediaSection) -> DTLSSetup? {
        section.setup ?? sessionLines.firstAttribute("setup").flatMap { DTLSSetup(rawValue: String($0)) }
    }
}
