/// One `m=` section and the lines that follow it up to the next `m=`.
public struct MediaSection: Sendable, Hashable {
    public var mediaLine: MediaLine
    /// Every line after `m=`, in order (`c=`, `b=`, `a=` and anything unknown).
    public var lines: [SDPLine]

    public init(mediaLine: MediaLine, lines: [SDPLine] = []) {
        self.mediaLine = mediaLine
        self.lines = lines
    }

    public var kind: String { mediaLine.kind }
    public var mid: String? { lines.firstAttribute("mid").map(String.init) }

    /// The direction attribute, `sendrecv` when absent (RFC 8866 §6.7).
    public var direction: MediaDirection {
        for line in lines {
            if let attribute = line.attribute, attribute.value == nil,
                let direction = MediaDirection(rawValue: String(attribute.name))
            {
                return direction
            }
        }
        return .sendrecv
    }

    public var iceUfrag: String? { lines.firstAttribute("ice-ufrag").map(String.init) }
    public var icePwd: String? { lines.firstAttribute("ice-pwd").map(String.init) }
    public var iceOptions: [String] {
        lines.attributeValues("ice-options").flatMap { $0.split(separator: " ").map(String.init) }
    }
    public var fingerprints: [Fingerprint] { lines.attributeValues("fingerprint").compactMap(Fingerprint.init(parsing:)) }
    public var setup: DTLSSetup? { lines.firstAttribute("setup").flatMap { DTLSSetup(rawValue: String($0)) } }
    public var isRTCPMux: Bool { lines.hasAttribute("rtcp-mux") }
    public var isRTCPReducedSize: Bool { lines.hasAttribute("rtcp-rsize") }

    public var rtpMaps: [RTPMap] { lines.attributeValues("rtpmap").compactMap(RTPMap.init(parsing:)) }

    /// `a=fmtp:<pt> <parameters>` by payload type.
    public var formatParameters: [Int: String] {
        var result: [Int: String] = [:]
        for value in lines.attributeValues("fmtp") {
            let parts = value.split(separator: " ", maxSplits: 1)
            if parts.count == 2, let pt = Int(parts[0]) { result[pt] = String(parts[1]) }
        }
        return result
    }

    /// `a=rtcp-fb:<pt|*> <type> [<subtype>]` by payload type (`nil` key for `*`).
    public var rtcpFeedback: [Int?: [String]] {
        var result: [Int?: [String]] = [:]
        for value in lines.attributeValues("rtcp-fb") {
            let parts = value.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key: Int? = parts[0] == "*" ? nil : Int(parts[0])
            guard key != nil || parts[0] == "*" else { continue }
            result[key, default: []].append(String(parts[1]))
        }
        return result
    }

    public var extensionMaps: [ExtensionMap] { lines.attributeValues("extmap").compactMap(ExtensionMap.init(parsing:)) }
    public var ssrcAttributes: [SSRCAttribute] { lines.attributeValues("ssrc").compactMap(SSRCAttribute.init(parsing:)) }
    public var ssrcs: [UInt32] {
        var seen: [UInt32] = []
        for attribute in ssrcAttributes where !seen.contains(attribute.ssrc) { seen.append(attribute.ssrc) }
        return seen
    }
    /// `a=msid:<stream id> [<track id>]` (RFC 8830).
    public var msid: (stream: String, track: String?)? {
        guard let value = lines.firstAttribute("msid") else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard let stream = parts.first else { return nil }
        return (String(stream), parts.count == 2 ? String(parts[1]) : nil)
    }

    public var candidates: [CandidateAttribute] {
        lines.compactMap { line in
            guard let attribute = line.attribute, attribute.name == "candidate", let value = attribute.value else { return nil }
            return CandidateAttribute(parsing: value)
        }
    }
    public var hasEndOfCandidates: Bool { lines.hasAttribute("end-of-candidates") }

    // MARK: Data channels (RFC 8841)

    /// True for `m=application ... UDP/DTLS/SCTP webrtc-datachannel` and the legacy `DTLS/SCTP <port>`.
    public var isDataChannel: Bool { mediaLine.kind == "application" && mediaLine.proto.uppercased().hasSuffix("SCTP") }

    /// `a=sctp-port`, or the port from a legacy `a=sctpmap:<port> webrtc-datachannel <streams>`.
    public var sctpPort: Int? {
        if let value = lines.firstAttribute("sctp-port") { return Int(value) }
        if let value = lines.firstAttribute("sctpmap"), let port = value.split(separator: " ").first { return Int(port) }
        if mediaLine.proto.uppercased() == "DTLS/SCTP", let first = mediaLine.formats.first { return Int(first) }
        return nil
    }

    /// `a=max-message-size`; RFC 8841 §6 says to assume 64 KiB when absent.
    public var maxMessageSize: Int { lines.firstAttribute("max-message-size").flatMap { Int($0) } ?? 65536 }

    /// Whether `a=max-message-size` was given at all (0 means "no limit").
    public var hasMaxMessageSize: Bool { lines.hasAttribute("max-message-size") }
}
