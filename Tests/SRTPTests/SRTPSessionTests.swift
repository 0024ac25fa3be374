import SRTP
import Testing

@Suite struct SRTPSessionTests {
    static func material(_ profile: SRTPProfile) -> SRTPKeyingMaterial {
        SRTPKeyingMaterial(
            profile: profile,
            localKey: (0..<profile.keyLength).map { UInt8($0) },
            localSalt: (0..<profile.saltLength).map { UInt8(0x40 + $0) },
            remoteKey: (0..<profile.keyLength).map { UInt8(0x80 + $0) },
            remoteSalt: (0..<profile.saltLength).map { UInt8(0xC0 + $0) })
    }

    static let rtp: [UInt8] = [0x80, 0x6F, 0x00, 0x01, 0, 0, 0x03, 0xE8, 0xDE, 0xAD, 0xBE, 0xEF] + Array("opus frame".utf8)

    @Test(arguments: SRTPProfile.allCases)
    func mirroredSessionsTalk(profile: SRTPProfile) throws {
        let a = try SRTPSession(keys: Self.material(profile))
        let b = try SRTPSession(keys: Self.material(profile).mirrored)
        let protected = try a.protectRTP(Self.rtp)
        // AES-CM-80 adds a 10-byte tag; GCM a 16-byte tag (RFC 7714 §7.2).
        #expect(protected.count == Self.rtp.count + (profile == .aes128CmHmacSha1_80 ? 10 : 16))
        #expect(try b.unprotectRTP(protected) == Self.rtp)
        let rtcp: [UInt8] = [0x80, 201, 0, 1, 1, 2, 3, 4]
        #expect(try a.unprotectRTCP(try b.protectRTCP(rtcp)) == rtcp)
    }

    @Test func exporterSplitFollowsRFC5764() throws {
        // client key | server key | client salt | server salt
        let exported = (0..<60).map { UInt8($0) }
        let client = try #require(SRTPKeyingMaterial(profile: .aes128CmHmacSha1_80, exported: exported, weAreClient: true))
        let server = try #require(SRTPKeyingMaterial(profile: .aes128CmHmacSha1_80, exported: exported, weAreClient: false))
        #expect(client.localKey == Array(0..<16) && client.remoteKey == Array(16..<32))
        #expect(client.localSalt == Array(32..<46) && client.remoteSalt == Array(46..<60))
        #expect(server == client.mirrored)
        #expect(SRTPKeyingMaterial(profile: .aeadAes256Gcm, exported: exported, weAreClient: true) == nil)  // needs 88
        #expect(SRTPProfile(protectionProfileID: 0x0007) == .aeadAes128Gcm)
        #expect(SRTPProfile(protectionProfileID: 0x0002) == nil)
    }

    @Test func wrongKeyLengthsAreRefused() {
        var keys = Self.material(.aeadAes256Gcm)
        keys.localKey.removeLast()
        #expect(throws: SRTPError.self) { try SRTPSession(keys: keys) }
    }

    /// Garbage never traps: short, wrong version, lying CSRC count or extension length, random bytes.
    @Test(arguments: SRTPProfile.allCases)
    func garbageIsAnErrorNotACrash(profile: SRTPProfile) throws {
        let session = try SRTPSession(keys: Self.material(profile))
        var generator = SystemRandomNumberGenerator()
        let fixed: [[UInt8]] = [
            [], [0x80], Array(Self.rtp.prefix(11)), [0x40] + Self.rtp.dropFirst(),
            [0x8F] + Self.rtp.dropFirst(),  // 15 CSRCs that are not there
            [0x90] + Self.rtp.dropFirst(11).prefix(1) + [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0xFF, 0xFF],  // extension longer than the packet
            Self.rtp,  // clear RTP: no valid tag
        ]
        for packet in fixed {
            #expect(throws: SRTPError.self) { try session.unprotectRTP(packet) }
            #expect(throws: SRTPError.self) { try session.unprotectRTCP(packet) }
        }
        for _ in 0..<2_000 {
            let count = Int.random(in: 0...300, using: &generator)
            var packet = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if !packet.isEmpty && Bool.random(using: &generator) { packet[0] = 0x80 | (packet[0] & 0x3F) }
            _ = try? session.unprotectRTP(packet)
            _ = try? session.unprotectRTCP(packet)
        }
        // And it still works after all that.
        let peer = try SRTPSession(keys: Self.material(profile).mirrored)
        #expect(try session.unprotectRTP(try peer.protectRTP(Self.rtp)) == Self.rtp)
    }

    @Test func protectRefusesMalformedRTP() throws {
        let session = try SRTPSession(keys: Self.material(.aes128CmHmacSha1_80))
        #expect(throws: SRTPError.self) { try session.protectRTP([0x80, 0, 0]) }
        #expect(throws: SRTPError.self) { try session.protectRTCP([0x80]) }
    }
}
