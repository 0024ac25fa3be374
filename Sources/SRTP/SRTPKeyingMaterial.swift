/// An SRTP protection profile negotiated by the DTLS `use_srtp` extension
/// (RFC 5764 §4.1.2; the AEAD ones from RFC 7714 §14.2).
///
/// These types live in the SRTP module so SRTP does not depend on DTLS;
/// DTLS depends on SRTP and fills them in from the handshake.
public enum SRTPProfile: Sendable, Equatable, Hashable, CaseIterable, CustomStringConvertible {
    case aes128CmHmacSha1_80
    case aeadAes128Gcm
    case aeadAes256Gcm

    /// Our order of preference (AEAD first, as Chromium and Firefox offer).
    public static let preferred: [SRTPProfile] = [.aeadAes128Gcm, .aeadAes256Gcm, .aes128CmHmacSha1_80]

    /// The name OpenSSL's `SSL_set_tlsext_use_srtp` expects.
    public var dtlsName: String {
        switch self {
        case .aes128CmHmacSha1_80: "SRTP_AES128_CM_SHA1_80"
        case .aeadAes128Gcm: "SRTP_AEAD_AES_128_GCM"
        case .aeadAes256Gcm: "SRTP_AEAD_AES_256_GCM"
        }
    }

    /// The two-byte SRTPProtectionProfile value on the wire (RFC 5764 §4.1.2, RFC 7714 §14.2).
    public var protectionProfileID: UInt16 {
        switch self {
        case .aes128CmHmacSha1_80: 0x0001
        case .aeadAes128Gcm: 0x0007
        case .aeadAes256Gcm: 0x0008
        }
    }

    public init?(protectionProfileID: UInt16) {
        guard let profile = Self.allCases.first(where: { $0.protectionProfileID == protectionProfileID }) else { return nil }
        self = profile
    }

    /// Master key length in bytes.
    public var keyLength: Int {
        switch self {
        case .aes128CmHmacSha1_80, .aeadAes128Gcm: 16
        case .aeadAes256Gcm: 32
        }
    }

    /// Master salt length in bytes (RFC 3711 uses 112 bits, RFC 7714 §12 uses 96 bits).
    public var saltLength: Int {
        switch self {
        case .aes128CmHmacSha1_80: 14
        case .aeadAes128Gcm, .aeadAes256Gcm: 12
        }
    }

    public var description: String { dtlsName }
}

/// The SRTP master keys and salts exported from a DTLS-SRTP handshake
/// (RFC 5764 §4.2), already assigned to this end: `local*` protects what we
/// send, `remote*` unprotects what we receive.
public struct SRTPKeyingMaterial: Sendable, Equatable {
    public var profile: SRTPProfile
    public var localKey: [UInt8]
    public var localSalt: [UInt8]
    public var remoteKey: [UInt8]
    public var remoteSalt: [UInt8]

    public init(profile: SRTPProfile, localKey: [UInt8], localSalt: [UInt8], remoteKey: [UInt8], remoteSalt: [UInt8]) {
        self.profile = profile
        self.localKey = localKey
        self.localSalt = localSalt
        self.remoteKey = remoteKey
        self.remoteSalt = remoteSalt
    }

    /// Splits the exporter output `client key | server key | client salt | server salt`
    /// (RFC 5764 §4.2) by our DTLS role.
    public init?(profile: SRTPProfile, exported: [UInt8], weAreClient: Bool) {
        let k = profile.keyLength, s = profile.saltLength
        guard exported.count == 2 * (k + s) else { return nil }
        let clientKey = Array(exported[0..<k])
        let serverKey = Array(exported[k..<(2 * k)])
        let clientSalt = Array(exported[(2 * k)..<(2 * k + s)])
        let serverSalt = Array(exported[(2 * k + s)..<(2 * k + 2 * s)])
        if weAreClient {
            self.init(profile: profile, localKey: clientKey, localSalt: clientSalt, remoteKey: serverKey, remoteSalt: serverSalt)
        } else {
            self.init(profile: profile, localKey: serverKey, localSalt: serverSalt, remoteKey: clientKey, remoteSalt: clientSalt)
        }
    }

    /// The same material seen from the other end (local and remote swapped).
    public var mirrored: SRTPKeyingMaterial {
        SRTPKeyingMaterial(profile: profile, localKey: remoteKey, localSalt: remoteSalt, remoteKey: localKey, remoteSalt: localSalt)
    }
}
