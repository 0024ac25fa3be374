import Foundation
import SDP
import TestSupport
import Testing

@Suite struct SessionDescriptionBuilderTests {
    static let builder = SessionDescriptionBuilder(
        sessionID: 4_242_424_242,
        transport: .init(iceUfrag: "UfRg", icePwd: "pwdpwdpwdpwdpwdpwdpwdpwd",
                         fingerprint: Fingerprint(algorithm: "sha-256", bytes: Array(0..<32)),
                         candidates: [CandidateAttribute(parsing: "candidate:1 1 udp 2130706431 192.0.2.1 5000 typ host")!]),
        streams: .init(cname: "call-cname", streamID: "call-stream", audioSSRC: 1111, videoSSRC: 2222, videoRTXSSRC: 3333))

    @Test func ourOfferReadsBackAsOneBundledTransport() throws {
        let offer = try SDPDocument(parsing: Self.builder.offer().text)
        #expect(offer.bundleGroups == [["0", "1", "2"]])
        #expect(offer.media.map(\.kind) == ["audio", "video", "application"])
        for section in offer.media {
            #expect(offer.setup(of: section) == .actpass)
            #expect(offer.iceCredentials(of: section)?.ufrag == "UfRg")
            #expect(offer.fingerprints(of: section).first?.bytes == Array(0..<32))
            #expect(section.candidates.count == 1)
        }
        #expect(offer.media[0].rtpMaps == [RTPMap(payloadType: 111, encoding: "opus", clockRate: 48000, channels: 2)])
        #expect(offer.media[1].formatParameters[97] == "apt=96")
        #expect(offer.media[1].ssrcs == [2222, 3333])
        #expect(offer.media[2].sctpPort == 5000 && offer.media[2].maxMessageSize == 262_144)
    }

    @Test func stereoIsAskedForInOffersAndAnswersOnlyWhenWanted() throws {
        var stereo = Self.builder
        stereo.stereo = true
        let chromium = try SDPDocument(parsing: SDPDocumentTests.fixture("chromium-offer"))
        // RFC 7587 §7.1: stereo=1 asks the peer to send stereo, sprop-stereo=1 says we may.
        for document in [stereo.offer(), try stereo.answer(to: chromium)] {
            let fmtp = try #require(document.media[0].formatParameters[document.media[0].rtpMaps[0].payloadType])
            #expect(fmtp == "minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1")
        }
        #expect(Self.builder.offer().media[0].formatParameters[111] == "minptime=10;useinbandfec=1")
    }

    @Test func anAudioOnlyBuilderOffersNoVideoAndRejectsAnOfferedOne() throws {
        var audioOnly = Self.builder
        audioOnly.video = false
        let offer = try SDPDocument(parsing: audioOnly.offer().text)
        #expect(offer.media.map(\.kind) == ["audio", "application"])
        #expect(offer.bundleGroups == [["0", "2"]])
        let chromium = try SDPDocument(parsing: SDPDocumentTests.fixture("chromium-offer"))
        let answer = try SDPDocument(parsing: try audioOnly.answer(to: chromium).text)
        // RFC 8829 §5.3.1: the rejected m-line stays, port 0, and leaves the BUNDLE group.
        #expect(answer.media.map(\.kind) == ["audio", "video", "application"])
        #expect(answer.media.map(\.mediaLine.port) == [9, 0, 9])
        #expect(answer.bundleGroups == [["0", "2"]])
    }

    @Test func answeringChromiumUsesItsPayloadTypesAndTakesTheDTLSClientRole() throws {
        let offer = try SDPDocument(parsing: SDPDocumentTests.fixture("chromium-offer"))
        let answer = try SDPDocument(parsing: try Self.builder.answer(to: offer).text)
        #expect(answer.bundleGroups == [["0", "1", "2"]])
        #expect(answer.media.map(\.mid) == ["0", "1", "2"])
        #expect(answer.media.allSatisfy { $0.setup == .active && $0.mediaLine.port == 9 })
        #expect(answer.media[0].mediaLine.formats == ["111"])
        let video = answer.media[1]
        #expect(video.mediaLine.formats.first == "96")
        let rtx = try #require(video.rtpMaps.first { $0.encoding == "rtx" })
        #expect(offer.media[1].formatParameters[rtx.payloadType] == "apt=96")
        #expect(video.rtcpFeedback[96] == ["nack", "nack pli", "ccm fir", "goog-remb"])
        let offeredMid = try #require(offer.media[1].extensionMaps.first { $0.uri == SessionDescriptionBuilder.midExtension })
        #expect(video.extensionMaps == [ExtensionMap(id: offeredMid.id, uri: SessionDescriptionBuilder.midExtension)])
        #expect(answer.media[2].isDataChannel && answer.media[2].sctpPort == 5000)
    }

    @Test func answeringFirefoxStylePicksPayloadTypes109And120() throws {
        let offer = try SDPDocument(parsing: SDPDocumentTests.fixture("firefox-style-offer"))
        let answer = try Self.builder.answer(to: offer)
        #expect(answer.media[0].mediaLine.formats == ["109"])
        #expect(answer.media[1].mediaLine.formats == ["120", "124"])
        // transport-cc is offered but not ours yet: we answer only what both sides do.
        #expect(answer.media[1].rtcpFeedback[120] == ["nack", "nack pli", "ccm fir", "goog-remb"])
    }

    @Test func aLegacyDataChannelOfferGetsALegacyAnswer() throws {
        let offer = try SDPDocument(parsing:
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE data\r\nm=application 9 DTLS/SCTP 5000\r\nc=IN IP4 0.0.0.0\r\na=mid:data\r\na=sctpmap:5000 webrtc-datachannel 1024\r\na=setup:actpass\r\n")
        let answer = try Self.builder.answer(to: offer)
        #expect(answer.media[0].mediaLine.proto == "DTLS/SCTP" && answer.media[0].sctpPort == 5000)
    }

    @Test func codecsWeLackAreRejectedAndUnbundledOffersRefused() throws {
        let h264Only = try SDPDocument(parsing:
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\nm=video 9 UDP/TLS/RTP/SAVPF 102\r\na=mid:0\r\na=rtpmap:102 H264/90000\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:1\r\na=sctp-port:5000\r\n")
        let answer = try Self.builder.answer(to: h264Only)
        #expect(answer.media[0].mediaLine.port == 0 && answer.media[0].direction == .inactive)
        #expect(answer.bundleGroups == [["1"]])
        let unbundled = try SDPDocument(parsing: "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n")
        #expect(throws: SessionDescriptionBuilder.AnswerError.notBundled) { try Self.builder.answer(to: unbundled) }
    }

    /// aiortc (an independent stack) accepts our offer and answers it with our payload types.
    @Test func aiortcAcceptsOurOffer() async throws {
        let root = ChildProcess.repositoryRoot(fromTestFile: #filePath)
        let python = root.appendingPathComponent(".venv/bin/python")
        try #require(FileManager.default.isExecutableFile(atPath: python.path),
                     "missing \(python.path): run the README's test command (it makes the venv with aiortc)")
        let offer = Self.builder.offer().text
        let output = try await ChildProcess.offThePool { () throws -> String in
            let process = Process()
            process.executableURL = python
            process.arguments = [root.appendingPathComponent("Tests/interop/aiortc_answer.py").path]
            let input = Pipe(), output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            try input.fileHandleForWriting.write(contentsOf: Data(offer.utf8))
            try input.fileHandleForWriting.close()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        #expect(!output.hasPrefix("ERROR"), "aiortc refused our offer: \(output)")
        let answer = try SDPDocument(parsing: output)
        #expect(answer.media.map(\.mid) == ["0", "1", "2"])
        #expect(answer.media[0].rtpMaps.first?.payloadType == 111)
        #expect(answer.media[1].rtpMaps.first?.payloadType == 96)
        #expect(answer.media[2].sctpPort == 5000)
        #expect(answer.media.allSatisfy { answer.setup(of: $0) == .active || answer.setup(of: $0) == .passive })
    }
}
