import SDP
import Testing
@testable import PeerConnection

/// The fmtp choices the peer's Opus line makes for what we send (RFC 7587 §6.1).
@Suite struct AudioNegotiationTests {
    static func negotiation(fmtp: String) throws -> AudioNegotiation? {
        let sdp = [
            "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:0", "a=sendrecv",
            "a=rtpmap:111 opus/48000/2", "a=fmtp:111 \(fmtp)", "a=ssrc:42 cname:peer", "",
        ].joined(separator: "\r\n")
        let document = try SDPDocument(parsing: sdp)
        return AudioNegotiation(answer: document, remote: document, localSSRC: 7, cname: "us")
    }

    @Test func chromiumsDefaultsAreMonoWithFECAndNoDTX() throws {
        let audio = try #require(try Self.negotiation(fmtp: "minptime=10;useinbandfec=1"))
        #expect(!audio.sendStereo && audio.inbandFEC && !audio.dtx)
        #expect(audio.payloadType == 111 && audio.remoteSSRC == 42 && audio.sends && audio.receives)
    }

    @Test func stereoAndDTXWhenThePeerAsksAndFECOffWhenItSaysSo() throws {
        let audio = try #require(try Self.negotiation(fmtp: "minptime=10; useinbandfec=0; stereo=1; usedtx=1"))
        #expect(audio.sendStereo && !audio.inbandFEC && audio.dtx)
    }
}
