/// What we put in offers and answers: one audio (Opus), one video (VP8, with
/// RTX), one data channel, all BUNDLEd on one transport with rtcp-mux
/// (RFC 8829 §5.2, §5.3; RFC 9143). Answers take the payload types the remote
/// offered (INTEROP.md: Chromium VP8 is often 96, Firefox 120).
public struct SessionDescriptionBuilder: Sendable {
    /// Our side of the transport, the same for every m-line because of BUNDLE.
    public struct Transport: Sendable, Equatable {
        public var iceUfrag: String
        public var icePwd: String
        public var fingerprint: Fingerprint
        public var candidates: [CandidateAttribute]
        public var endOfCandidates: Bool

        public init(iceUfrag: String, icePwd: String, fingerprint: Fingerprint, candidates: [CandidateAttribute] = [],
                    endOfCandidates: Bool = false) {
            self.iceUfrag = iceUfrag
            self.icePwd = icePwd
            self.fingerprint = fingerprint
            self.candidates = candidates
            self.endOfCandidates = endOfCandidates
        }
    }

    /// Our media streams: SSRCs and names for `a=ssrc` / `a=msid` (RFC 8830).
    public struct Streams: Sendable, Equatable {
        public var cname: String
        public var streamID: String
        public var audioSSRC: UInt32
        public var videoSSRC: UInt32
        public var videoRTXSSRC: UInt32

        public init(cname: String, streamID: String, audioSSRC: UInt32, videoSSRC: UInt32, videoRTXSSRC: UInt32) {
            self.cname = cname
            self.streamID = streamID
            self.audioSSRC = audioSSRC
            self.videoSSRC = videoSSRC
            self.videoRTXSSRC = videoRTXSSRC
        }
    }

    public static let opusParameters = "minptime=10;useinbandfec=1"
    public static let videoFeedback = ["nack", "nack pli", "ccm fir", "goog-remb"]
    public static let midExtension = "urn:ietf:params:rtp-hdrext:sdes:mid"
    public static let audioLevelExtension = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
    /// What we accept in one data channel message (INTEROP.md 5).
    public static let maxMessageSize = 262_144

    public var sessionID: UInt64
    public var transport: Transport
    public var streams: Streams
    /// Ask for stereo (`stereo=1`) and say we may send it (`sprop-stereo=1`), RFC 7587 §7.1.
    public var stereo = false
    /// Offer video and accept it; false (an audio-only call): no video m-line in our offers,
    /// and an offered one is rejected.
    public var video = true

    /// Our Opus fmtp.
    var opusFormatParameters: String { stereo ? "\(Self.opusParameters);stereo=1;sprop-stereo=1" : Self.opusParameters }

    public init(sessionID: UInt64, transport: Transport, streams: Streams) {
        self.sessionID = sessionID
        self.transport = transport
        self.streams = streams
    }

    // MARK: - Offer

    /// An offer with audio, video (unless `video` is false) and a data channel, mids 0, 1, 2,
    /// `a=setup:actpass`.
    public func offer() -> SDPDocument {
        let audio = MediaSection(
            mediaLine: MediaLine(kind: "audio", port: 9, proto: "UDP/TLS/RTP/SAVPF", formats: ["111"]),
            lines: transportLines(mid: "0", setup: .actpass)
                + [.attribute("extmap", "1 \(Self.midExtension)"), .attribute("extmap", "2 \(Self.audioLevelExtension)"),
                   .attribute("sendrecv"), .attribute("msid", "\(streams.streamID) audio"), .attribute("rtcp-mux"),
                   .attribute("rtpmap", "111 opus/48000/2"), .attribute("fmtp", "111 \(opusFormatParameters)"),
                   .attribute("ssrc", "\(streams.audioSSRC) cname:\(streams.cname)")])
        let video = MediaSection(
            mediaLine: MediaLine(kind: "video", port: 9, proto: "UDP/TLS/RTP/SAVPF", formats: ["96", "97"]),
            lines: transportLines(mid: "1", setup: .actpass)
                + [.attribute("extmap", "1 \(Self.midExtension)"), .attribute("sendrecv"),
                   .attribute("msid", "\(streams.streamID) video"), .attribute("rtcp-mux"), .attribute("rtcp-rsize"),
                   .attribute("rtpmap", "96 VP8/90000")]
                + Self.videoFeedback.map { .attribute("rtcp-fb", "96 \($0)") }
                + [.attribute("rtpmap", "97 rtx/90000"), .attribute("fmtp", "97 apt=96"),
                   .attribute("ssrc-group", "FID \(streams.videoSSRC) \(streams.videoRTXSSRC)"),
                   .attribute("ssrc", "\(streams.videoSSRC) cname:\(streams.cname)"),
                   .attribute("ssrc", "\(streams.videoRTXSSRC) cname:\(streams.cname)")])
        let data = MediaSection(
            mediaLine: MediaLine(kind: "application", port: 9, proto: "UDP/DTLS/SCTP", formats: ["webrtc-datachannel"]),
            lines: transportLines(mid: "2", setup: .actpass)
                + [.attribute("sctp-port", "5000"), .attribute("max-message-size", String(Self.maxMessageSize))])
        let media = self.video ? [audio, video, data] : [audio, data]
        return SDPDocument(sessionLines: sessionLines(mids: media.compactMap(\.mid)), media: media)
    }

    // MARK: - Answer

    public enum AnswerError: Error, Equatable, CustomStringConvertible {
        case notBundled
        case noUsableMedia

        public var description: String {
            switch self {
            case .notBundled: return "the offer does not BUNDLE its media; we need one transport for all of it"
            case .noUsableMedia: return "the offer has no Opus audio, VP8 video or data channel we can use"
            }
        }
    }

    /// An answer to `offer`: each m-line accepted with the remote's payload types when
    /// we share a codec, else rejected with port 0 (RFC 8829 §5.3.1); `a=setup:active`
    /// (we open DTLS, INTEROP.md 2).
    public func answer(to offer: SDPDocument) throws(AnswerError) -> SDPDocument {
        guard let bundle = offer.bundleGroups.first, !bundle.isEmpty else { throw .notBundled }
        var media: [MediaSection] = []
        var accepted: [String] = []
        for (index, offered) in offer.media.enumerated() {
            let mid = offered.mid ?? String(index)
            let section: MediaSection?
            switch offered.kind {
            case "audio": section = answerAudio(offered, mid: mid)
            case "video": section = video ? answerVideo(offered, mid: mid) : nil
            case "application" where offered.isDataChannel: section = answerData(offered, mid: mid)
            default: section = nil
            }
            if let section, bundle.contains(mid) {
                media.append(section)
                accepted.append(mid)
            } else {
                media.append(Self.rejected(offered, mid: mid))
            }
        }
        guard !accepted.isEmpty else { throw .noUsableMedia }
        return SDPDocument(sessionLines: sessionLines(mids: accepted), media: media)
    }

    private func answerAudio(_ offered: MediaSection, mid: String) -> MediaSection? {
        guard let opus = offered.rtpMaps.first(where: { $0.encoding.lowercased() == "opus" && $0.clockRate == 48000 }) else {
            return nil
        }
        let pt = opus.payloadType
        var lines = transportLines(mid: mid, setup: .active)
        lines += answeredExtensions(offered, supported: [Self.midExtension, Self.audioLevelExtension])
        lines += directionAndStream(offered, track: "audio")
        lines += [.attribute("rtcp-mux"), .attribute("rtpmap", "\(pt) opus/48000/2"), .attribute("fmtp", "\(pt) \(opusFormatParameters)")]
        return MediaSection(mediaLine: MediaLine(kind: "audio", port: 9, proto: offered.mediaLine.proto, formats: [String(pt)]),
                            lines: lines + ssrcLines([streams.audioSSRC], offered))
    }

    private func answerVideo(_ offered: MediaSection, mid: String) -> MediaSection? {
        guard let vp8 = offered.rtpMaps.first(where: { $0.encoding.uppercased() == "VP8" && $0.clockRate == 90000 }) else {
            return nil
        }
        let pt = vp8.payloadType
        // The RTX payload type the remote tied to its VP8 (`a=fmtp:<rtx> apt=<vp8>`).
        let rtx = offered.rtpMaps.first { map in
            map.encoding.lowercased() == "rtx" && offered.formatParameters[map.payloadType] == "apt=\(pt)"
        }?.payloadType
        let offeredFeedback = Set(offered.rtcpFeedback[pt] ?? []).union(offered.rtcpFeedback[nil] ?? [])
        var lines = transportLines(mid: mid, setup: .active)
        lines += answeredExtensions(offered, supported: [Self.midExtension])
        lines += directionAndStream(offered, track: "video")
        lines += [.attribute("rtcp-mux")]
        if offered.isRTCPReducedSize { lines.append(.attribute("rtcp-rsize")) }
        lines.append(.attribute("rtpmap", "\(pt) VP8/90000"))
        lines += Self.videoFeedback.filter(offeredFeedback.contains).map { .attribute("rtcp-fb", "\(pt) \($0)") }
        var formats = [String(pt)]
        var ssrcs = [streams.videoSSRC]
        if let rtx {
            formats.append(String(rtx))
            lines += [.attribute("rtpmap", "\(rtx) rtx/90000"), .attribute("fmtp", "\(rtx) apt=\(pt)")]
            ssrcs.append(streams.videoRTXSSRC)
            if offered.direction != .sendonly {
                lines.append(.attribute("ssrc-group", "FID \(streams.videoSSRC) \(streams.videoRTXSSRC)"))
            }
        }
        return MediaSection(mediaLine: MediaLine(kind: "video", port: 9, proto: offered.mediaLine.proto, formats: formats),
                            lines: lines + ssrcLines(ssrcs, offered))
    }

    private func answerData(_ offered: MediaSection, mid: String) -> MediaSection {
        var lines = transportLines(mid: mid, setup: .active)
        // Answer in the syntax we were offered (INTEROP.md 6).
        let legacy = offered.mediaLine.proto.uppercased() == "DTLS/SCTP"
        if legacy {
            lines.append(.attribute("sctpmap", "5000 webrtc-datachannel 1024"))
        } else {
            lines += [.attribute("sctp-port", "5000"), .attribute("max-message-size", String(Self.maxMessageSize))]
        }
        let mediaLine = legacy
            ? MediaLine(kind: "application", port: 9, proto: "DTLS/SCTP", formats: ["5000"])
            : MediaLine(kind: "application", port: 9, proto: "UDP/DTLS/SCTP", formats: ["webrtc-datachannel"])
        return MediaSection(mediaLine: mediaLine, lines: lines)
    }

    /// RFC 8829 §5.3.1: a rejected m-line keeps its kind and proto, port 0, and its mid.
    private static func rejected(_ offered: MediaSection, mid: String) -> MediaSection {
        var line = offered.mediaLine
        line.port = 0
        line.portCount = nil
        return MediaSection(mediaLine: line, lines: [SDPLine(type: "c", value: "IN IP4 0.0.0.0"), .attribute("mid", mid), .attribute("inactive")])
    }

    // MARK: - Shared pieces

    private func sessionLines(mids: [String]) -> [SDPLine] {
        [SDPLine(type: "v", value: "0"), SDPLine(type: "o", value: "- \(sessionID) 2 IN IP4 127.0.0.1"),
         SDPLine(type: "s", value: "-"), SDPLine(type: "t", value: "0 0"),
         .attribute("group", (["BUNDLE"] + mids).joined(separator: " ")), .attribute("extmap-allow-mixed"),
         .attribute("msid-semantic", " WMS \(streams.streamID)")]
    }

    private func transportLines(mid: String, setup: DTLSSetup) -> [SDPLine] {
        var lines: [SDPLine] = [SDPLine(type: "c", value: "IN IP4 0.0.0.0")]
        lines += transport.candidates.map { .attribute("candidate", String($0.attributeText.dropFirst("candidate:".count))) }
        if transport.endOfCandidates { lines.append(.attribute("end-of-candidates")) }
        lines += [.attribute("ice-ufrag", transport.iceUfrag), .attribute("ice-pwd", transport.icePwd),
                  .attribute("ice-options", "trickle"), .attribute("fingerprint", transport.fingerprint.attributeValue),
                  .attribute("setup", setup.rawValue), .attribute("mid", mid)]
        return lines
    }

    private func answeredExtensions(_ offered: MediaSection, supported: [String]) -> [SDPLine] {
        offered.extensionMaps.filter { supported.contains($0.uri) }.map {
            .attribute("extmap", ExtensionMap(id: $0.id, uri: $0.uri).attributeValue)
        }
    }

    /// The answer direction: what the offer allows, as seen from our side (RFC 3264 §6.1).
    private func directionAndStream(_ offered: MediaSection, track: String) -> [SDPLine] {
        let direction = offered.direction.reversed
        var lines: [SDPLine] = [.attribute(direction.rawValue)]
        if direction == .sendrecv || direction == .sendonly {
            lines.append(.attribute("msid", "\(streams.streamID) \(track)"))
        }
        return lines
    }

    /// `a=ssrc` lines, only when we send on this m-line.
    private func ssrcLines(_ ssrcs: [UInt32], _ offered: MediaSection) -> [SDPLine] {
        let direction = offered.direction.reversed
        guard direction == .sendrecv || direction == .sendonly else { return [] }
        return ssrcs.map { .attribute("ssrc", "\($0) cname:\(streams.cname)") }
    }
}
