@testable import PeerConnection
import SDP
import Testing

@Suite struct RemoteTransportDescriptionTests {
    /// A Firefox-like answer: fingerprint and ICE credentials at session level, the
    /// audio m-line rejected, the data channel with its own max-message-size.
    static let answer = """
        v=0\r
        o=mozilla...THIS_IS_SDPARTA 1 0 IN IP4 0.0.0.0\r
        s=-\r
        t=0 0\r
        a=fingerprint:sha-256 01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F:20\r
        a=ice-ufrag:abcd\r
        a=ice-pwd:0123456789abcdef012345\r
        a=group:BUNDLE 1\r
        m=audio 0 UDP/TLS/RTP/SAVPF 111\r
        c=IN IP4 0.0.0.0\r
        a=mid:0\r
        a=candidate:9 1 udp 1 10.0.0.1 9 typ host\r
        m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r
        c=IN IP4 0.0.0.0\r
        a=mid:1\r
        a=setup:passive\r
        a=sctp-port:5000\r
        a=max-message-size:1073741823\r
        a=candidate:1 1 udp 2122252543 127.0.0.1 50000 typ host\r
        a=candidate:1 1 udp 2122252543 127.0.0.1 50000 typ host\r
        a=end-of-candidates\r

        """

    @Test func theBundledTransportIsReadWithSessionLevelFallbacks() throws {
        let description = try RemoteTransportDescription(SDPDocument(parsing: Self.answer))
        #expect(description.iceUfrag == "abcd" && description.icePwd == "0123456789abcdef012345")
        #expect(description.fingerprint.algorithm == "sha-256" && description.fingerprint.bytes == [UInt8](1...32))
        #expect(description.setup == .passive)
        // The rejected m-line's candidate is not ours to use; duplicates count once.
        #expect(description.candidates.map(\.address) == ["127.0.0.1"])
        #expect(description.endOfCandidates)
        #expect(description.sctpPort == 5000 && description.maxMessageSize == 1_073_741_823)
        // Offerer that sent actpass: the answer's passive makes us the DTLS client.
        #expect(try description.localDTLSRoleIsClient(weAreOfferer: true))
    }

    @Test func dtlsRolesFollowRFC5763() throws {
        var description = try RemoteTransportDescription(SDPDocument(parsing: Self.answer))
        description.setup = .active
        #expect(try description.localDTLSRoleIsClient(weAreOfferer: true) == false)
        description.setup = .actpass
        #expect(throws: RemoteTransportDescription.Invalid.self) { try description.localDTLSRoleIsClient(weAreOfferer: true) }
        // As answerer we always pick active (INTEROP.md 2), unless the offer already took it.
        #expect(try description.localDTLSRoleIsClient(weAreOfferer: false))
        description.setup = .active
        #expect(throws: RemoteTransportDescription.Invalid.self) { try description.localDTLSRoleIsClient(weAreOfferer: false) }
    }

    @Test func aDescriptionWithoutAFingerprintIsRefusedWithAReason() throws {
        // "\r\n" is one Character in Swift, so split on it whole.
        let text = Self.answer.split(separator: "\r\n").filter { !$0.hasPrefix("a=fingerprint") }.joined(separator: "\r\n")
        #expect {
            try RemoteTransportDescription(SDPDocument(parsing: text))
        } throws: { "\($0)".contains("a=fingerprint") }
    }
}
