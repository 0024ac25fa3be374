import Foundation
import SDP
import Testing

@Suite struct SDPDocumentTests {
    static func fixture(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "sdp", subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test(arguments: ["aiortc-offer", "aiortc-answer", "chromium-offer", "chromium-answer", "firefox-style-offer"])
    func realDescriptionsSurviveAParseAndSerialiseByteForByte(_ name: String) throws {
        let text = try Self.fixture(name)
        let document = try SDPDocument(parsing: text)
        #expect(document.text == text)
        #expect(try SDPDocument(parsing: document.text) == document)
    }

    @Test func aiortcOfferReadsAsWebRTCUsesIt() throws {
        let offer = try SDPDocument(parsing: Self.fixture("aiortc-offer"))
        #expect(offer.bundleGroups == [["0", "1", "2"]])
        #expect(offer.media.map(\.kind) == ["audio", "video", "application"])
        #expect(offer.media.map(\.mid) == ["0", "1", "2"])

        let audio = offer.media[0]
        #expect(audio.mediaLine.proto == "UDP/TLS/RTP/SAVPF")
        #expect(audio.mediaLine.payloadTypes == [96, 9, 0, 8])
        #expect(audio.rtpMaps.first == RTPMap(payloadType: 96, encoding: "opus", clockRate: 48000, channels: 2))
        #expect(audio.direction == .sendrecv)
        #expect(audio.isRTCPMux)
        #expect(audio.setup == .actpass)
        #expect(audio.extensionMaps.map(\.uri).contains("urn:ietf:params:rtp-hdrext:sdes:mid"))
        #expect(audio.ssrcs.count == 1)
        #expect(audio.hasEndOfCandidates)
        let sha256 = try #require(audio.fingerprints.first { $0.algorithm == "sha-256" })
        #expect(sha256.bytes.count == 32)
        let credentials = try #require(offer.iceCredentials(of: audio))
        #expect(credentials.ufrag.count >= 4 && credentials.pwd.count >= 22)  // RFC 8839 §5.4 minimums
        #expect(!audio.candidates.isEmpty && audio.candidates.allSatisfy { $0.kind == .host && $0.component == 1 })

        let video = offer.media[1]
        #expect(video.rtpMaps.contains { $0.encoding == "VP8" && $0.clockRate == 90000 })
        let vp8 = try #require(video.rtpMaps.first { $0.encoding == "VP8" }).payloadType
        #expect(video.rtcpFeedback[vp8]?.contains("nack pli") == true)

        let data = offer.media[2]
        #expect(data.isDataChannel)
        #expect(data.mediaLine.formats == ["webrtc-datachannel"])
        #expect(data.sctpPort == 5000)
        #expect(data.hasMaxMessageSize && data.maxMessageSize == 262_144)  // aiortc advertises 256 KiB
    }

    @Test func chromiumOfferHidesHostAddressesBehindMDNSNames() throws {
        let offer = try SDPDocument(parsing: Self.fixture("chromium-offer"))
        #expect(offer.bundleGroups == [["0", "1", "2"]])
        let audio = offer.media[0]
        #expect(audio.rtpMaps.first == RTPMap(payloadType: 111, encoding: "opus", clockRate: 48000, channels: 2))
        #expect(audio.formatParameters[111]?.contains("useinbandfec=1") == true)
        #expect(!audio.candidates.isEmpty && audio.candidates.allSatisfy { $0.isMDNSName && $0.kind == .host })
        #expect(audio.candidates.allSatisfy { $0.extensions.contains(.init(name: "generation", value: "0")) })
        let video = offer.media[1]
        let vp8 = try #require(video.rtpMaps.first { $0.encoding == "VP8" })
        #expect(vp8.payloadType == 96)
        // Chromium offers RTX for VP8 as `apt=96`.
        #expect(video.formatParameters.values.contains("apt=96"))
        #expect(video.extensionMaps.contains { $0.uri == "urn:ietf:params:rtp-hdrext:sdes:mid" })
        let data = offer.media[2]
        #expect(data.isDataChannel && data.sctpPort == 5000 && data.maxMessageSize == 262_144)
        #expect(offer.media.allSatisfy { offer.setup(of: $0) == .actpass && offer.fingerprints(of: $0).count == 1 })
    }

    @Test(arguments: [("aiortc-offer", "aiortc-answer"), ("chromium-offer", "chromium-answer")])
    func answersChooseFromTheirOffer(_ pair: (String, String)) throws {
        let offer = try SDPDocument(parsing: Self.fixture(pair.0))
        let answer = try SDPDocument(parsing: Self.fixture(pair.1))
        #expect(answer.media.map(\.mid) == offer.media.map(\.mid))
        #expect(answer.media.allSatisfy { answer.setup(of: $0) == .active })
        for (offered, answered) in zip(offer.media, answer.media) {
            #expect(Set(answered.mediaLine.formats).isSubset(of: Set(offered.mediaLine.formats)))
        }
    }

    @Test func firefoxStyleKeepsFingerprintAtSessionLevelAndDirectionsOnExtmaps() throws {
        let offer = try SDPDocument(parsing: Self.fixture("firefox-style-offer"))
        let audio = offer.media[0]
        #expect(audio.fingerprints.isEmpty)
        #expect(offer.fingerprints(of: audio).first?.bytes.count == 32)
        #expect(audio.extensionMaps.contains(ExtensionMap(id: 2, direction: .recvonly, uri: "urn:ietf:params:rtp-hdrext:csrc-audio-level")))
        #expect(audio.formatParameters[109] == "maxplaybackrate=48000;stereo=1;useinbandfec=1")
        #expect(audio.rtpMaps.first { $0.payloadType == 109 }?.encoding == "opus")
        #expect(audio.msid?.stream == "{5d4f0f1a-1c2b-4d3e-9f8a-7b6c5d4e3f2a}")
        let video = offer.media[1]
        #expect(video.rtcpFeedback[120] == ["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"])
        #expect(video.isRTCPReducedSize)
        #expect(video.ssrcs == [1_396_138_203, 3_157_215_467])
        #expect(offer.media[2].maxMessageSize == 1_073_741_823)
    }

    @Test func legacyDataChannelSyntaxGivesTheSCTPPort() throws {
        let text = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=application 9 DTLS/SCTP 5000\r\nc=IN IP4 0.0.0.0\r\na=sctpmap:5000 webrtc-datachannel 1024\r\na=mid:data\r\n"
        let document = try SDPDocument(parsing: text)
        let data = document.media[0]
        #expect(data.isDataChannel)
        #expect(data.sctpPort == 5000)
        #expect(!data.hasMaxMessageSize && data.maxMessageSize == 65536)
        #expect(document.text == text)
    }

    @Test func unknownLinesAndAttributesAreKeptInPlace() throws {
        let text = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\nz=0 0\na=x-vendor-flag\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\na=sctp-init:AAEC\nb=AS:30\na=sctp-port:5000\n"
        let document = try SDPDocument(parsing: text)
        #expect(document.sessionLines.map(\.text).contains("z=0 0"))
        #expect(document.media[0].lines.map(\.text) == ["a=sctp-init:AAEC", "b=AS:30", "a=sctp-port:5000"])
        // LF in, CRLF out: the only change.
        #expect(document.text == text.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test func structuralFaultsAreErrorsNotCrashes() {
        #expect(throws: SDPParseError.empty) { try SDPDocument(parsing: "") }
        #expect(throws: SDPParseError.missingVersion) { try SDPDocument(parsing: "o=- 1 1 IN IP4 0.0.0.0\r\n") }
        #expect(throws: SDPParseError.malformedLine(number: 2, text: "garbage")) { try SDPDocument(parsing: "v=0\r\ngarbage\r\n") }
        #expect(throws: SDPParseError.malformedMediaLine(number: 2, text: "m=audio notaport RTP/AVP 0")) {
            try SDPDocument(parsing: "v=0\r\nm=audio notaport RTP/AVP 0\r\n")
        }
    }

    /// Random mutations of a real offer: every outcome is a document or an error, never a crash.
    @Test func mutatedInputNeverCrashes() throws {
        let base = Array(try Self.fixture("aiortc-offer").utf8)
        var rng = SplitMix64(seed: 0x5D9)
        var parsed = 0
        for _ in 0..<2000 {
            var bytes = base
            for _ in 0..<(1 + Int(rng.next() % 8)) {
                let i = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[i] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: i)
                default: bytes.insert(UInt8(ascii: [" ", ":", "\n", "=", "/"][Int(rng.next() % 5)]), at: i)
                }
            }
            if let document = try? SDPDocument(parsing: String(decoding: bytes, as: UTF8.self)) {
                parsed += 1
                for section in document.media {
                    _ = (section.rtpMaps, section.candidates, section.fingerprints, section.extensionMaps, section.sctpPort)
                }
            }
        }
        #expect(parsed > 0)
    }
}

/// A small deterministic generator so a failure reproduces from its seed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
