import DTLS
import SRTP
import Testing

/// Keys from a real handshake, SRTP from libsrtp2 at both ends.
@Suite struct SRTPAcrossEndsTests {
    static func rtpPacket(sequence: UInt16, ssrc: UInt32 = 0x1234_5678, payload: [UInt8] = Array("an RTP payload, VP8 or Opus".utf8)) -> [UInt8] {
        // RFC 3550 §5.1: V=2, no padding/extension/CSRC, M=0, PT=96.
        var packet: [UInt8] = [0x80, 96, UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
        let timestamp = UInt32(sequence) * 3000
        packet += [UInt8(timestamp >> 24), UInt8(timestamp >> 16 & 0xFF), UInt8(timestamp >> 8 & 0xFF), UInt8(timestamp & 0xFF)]
        packet += [UInt8(ssrc >> 24), UInt8(ssrc >> 16 & 0xFF), UInt8(ssrc >> 8 & 0xFF), UInt8(ssrc & 0xFF)]
        return packet + payload
    }

    static func rtcpReceiverReport(ssrc: UInt32 = 0x0BAD_CAFE) -> [UInt8] {
        // RFC 3550 §6.4.2: RR with no report blocks: V=2, RC=0, PT=201, length=1.
        [0x80, 201, 0, 1, UInt8(ssrc >> 24), UInt8(ssrc >> 16 & 0xFF), UInt8(ssrc >> 8 & 0xFF), UInt8(ssrc & 0xFF)]
    }

    /// Forces `profile` by letting the server accept only that one while the client offers all three.
    @Test(arguments: SRTPProfile.allCases)
    func protectOnOneEndUnprotectOnTheOther(profile: SRTPProfile) throws {
        let (link, _, _) = try SimulatedLink.make(serverProfiles: [profile])
        link.start()
        #expect(link.run { link.bothConnected })
        let clientKeys = try #require(SimulatedLink.keys(link.clientEvents))
        let serverKeys = try #require(SimulatedLink.keys(link.serverEvents))
        #expect(clientKeys.profile == profile && serverKeys.profile == profile)
        #expect(clientKeys.localKey.count == profile.keyLength && clientKeys.localSalt.count == profile.saltLength)

        let client = try SRTPSession(keys: clientKeys)
        let server = try SRTPSession(keys: serverKeys)
        for sequence in UInt16(1)...5 {
            let packet = Self.rtpPacket(sequence: sequence)
            let protected = try client.protectRTP(packet)
            #expect(protected.count > packet.count)
            #expect(Array(protected.prefix(12)) == Array(packet.prefix(12)))  // header stays clear
            #expect(protected[12...] != packet[12...])
            #expect(try server.unprotectRTP(protected) == packet)
        }
        // The other direction uses the other key.
        let back = Self.rtpPacket(sequence: 900, ssrc: 0xCAFE_F00D)
        #expect(try client.unprotectRTP(try server.protectRTP(back)) == back)

        // A flipped bit fails authentication.
        var tampered = try client.protectRTP(Self.rtpPacket(sequence: 10))
        tampered[14] ^= 0x01
        #expect(throws: SRTPError.authenticationFailed) { try server.unprotectRTP(tampered) }
        // A replayed packet is refused.
        let once = try client.protectRTP(Self.rtpPacket(sequence: 11))
        _ = try server.unprotectRTP(once)
        #expect(throws: SRTPError.replay) { try server.unprotectRTP(once) }
        // A packet protected with our own outbound key is not valid for us inbound.
        #expect(throws: SRTPError.self) { try client.unprotectRTP(try client.protectRTP(Self.rtpPacket(sequence: 12, ssrc: 7))) }

        // RTCP too.
        let report = Self.rtcpReceiverReport()
        let protectedReport = try server.protectRTCP(report)
        #expect(protectedReport.count > report.count + 4)
        #expect(try client.unprotectRTCP(protectedReport) == report)
        #expect(throws: SRTPError.replay) { try client.unprotectRTCP(protectedReport) }
        var tamperedReport = try server.protectRTCP(report)
        tamperedReport[5] ^= 0x80
        #expect(throws: SRTPError.authenticationFailed) { try client.unprotectRTCP(tamperedReport) }
    }

    /// RFC 5764 §4.1.1: a server with no common profile leaves use_srtp out and the
    /// handshake still completes; the caller sees `.connected(nil)` and decides (a call
    /// with media must then end).
    @Test func noCommonProfileConnectsWithoutKeys() throws {
        let (link, _, _) = try SimulatedLink.make(clientProfiles: [.aes128CmHmacSha1_80], serverProfiles: [.aeadAes128Gcm])
        link.start()
        #expect(link.run { link.bothConnected })
        #expect(link.clientEvents.first == .connected(nil) && link.serverEvents.first == .connected(nil))
    }

    @Test func dataChannelOnlyAssociationHasNoKeys() throws {
        let (link, _, _) = try SimulatedLink.make(clientProfiles: [], serverProfiles: [])
        link.start()
        #expect(link.run { link.bothConnected })
        #expect(link.clientEvents.first == .connected(nil))
    }
}
