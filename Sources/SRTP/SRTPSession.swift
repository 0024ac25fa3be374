import CSRTP

/// Why an SRTP or SRTCP packet could not be protected or unprotected.
public enum SRTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libsrtp2 could not be initialised or a session could not be created.
    case setup(String)
    /// The packet is too short or its header does not parse (RFC 3550 §5.1, §6.4).
    case malformed(String)
    /// The authentication tag did not verify (tampered, wrong key, or not for us).
    case authenticationFailed
    /// The packet index was seen before or is behind the replay window (RFC 3711 §3.3.2).
    case replay
    /// Any other libsrtp2 status code.
    case library(operation: String, status: Int32)

    public var description: String {
        switch self {
        case .setup(let why): "SRTP setup failed: \(why)"
        case .malformed(let why): "malformed packet: \(why)"
        case .authenticationFailed: "SRTP authentication failed"
        case .replay: "SRTP replay detected"
        case .library(let operation, let status): "\(operation) failed with libsrtp status \(status)"
        }
    }

    init(operation: String, status: srtp_err_status_t) {
        switch status {
        case srtp_err_status_auth_fail: self = .authenticationFailed
        case srtp_err_status_replay_fail, srtp_err_status_replay_old: self = .replay
        default: self = .library(operation: operation, status: Int32(bitPattern: status.rawValue))
        }
    }
}

/// `srtp_init` once per process; a global `let` is initialised exactly once, thread-safely.
private let srtpInitStatus: srtp_err_status_t = srtp_init()

/// One SRTP session pair for one DTLS-SRTP association (RFC 5764 §4.2): an
/// outbound context keyed with our local master key and salt (any SSRC we send),
/// and an inbound context keyed with the peer's (any SSRC we receive).
/// With BUNDLE and rtcp-mux every stream of the call shares it.
///
/// Not thread-safe (libsrtp2 contexts are not): one owner serialises calls.
public final class SRTPSession {
    private let outbound: srtp_t
    private let inbound: srtp_t
    public let profile: SRTPProfile

    /// Replay window for inbound streams (RFC 3711 §3.3.2 asks for at least 64; video bursts want more).
    public static let replayWindow = 1024

    /// Runs libsrtp's one-time setup now. It takes about 20 ms here (Debian's libsrtp2
    /// sets up NSS), which the first session would otherwise wait for, once DTLS is up.
    public static func prepare() {
        _ = srtpInitStatus
    }

    public init(keys: SRTPKeyingMaterial) throws {
        guard srtpInitStatus == srtp_err_status_ok else {
            throw SRTPError.setup("srtp_init returned \(srtpInitStatus.rawValue)")
        }
        let profile = keys.profile
        guard keys.localKey.count == profile.keyLength, keys.remoteKey.count == profile.keyLength,
            keys.localSalt.count == profile.saltLength, keys.remoteSalt.count == profile.saltLength
        else {
            throw SRTPError.setup("\(profile) needs a \(profile.keyLength)-byte key and a \(profile.saltLength)-byte salt")
        }
        self.profile = profile
        outbound = try Self.makeContext(profile: profile, key: keys.localKey + keys.localSalt, ssrcType: ssrc_any_outbound)
        do {
            inbound = try Self.makeContext(profile: profile, key: keys.remoteKey + keys.remoteSalt, ssrcType: ssrc_any_inbound)
        } catch {
            srtp_dealloc(outbound)
            throw error
        }
    }

    deinit {
        srtp_dealloc(outbound)
        srtp_dealloc(inbound)
    }

    private static func makeContext(profile: SRTPProfile, key: [UInt8], ssrcType: srtp_ssrc_type_t) throws -> srtp_t {
        var policy = srtp_policy_t()
        switch profile {
        case .aes128CmHmacSha1_80:
            // RFC 5764 §4.1.2: AES-128 counter mode, HMAC-SHA1 with an 80-bit tag, for SRTP and SRTCP.
            srtp_crypto_policy_set_rtp_default(&policy.rtp)  // the _aes_cm_128_hmac_sha1_80 setter is a macro for this
            srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        case .aeadAes128Gcm:
            // RFC 7714 §14.2: AEAD_AES_128_GCM, 16-byte tag.
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp)
        case .aeadAes256Gcm:
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp)
        }
        policy.ssrc.type = ssrcType
        policy.ssrc.value = 0
        policy.window_size = UInt(replayWindow)
        policy.allow_repeat_tx = 0
        policy.next = nil
        var keyCopy = key
        var session: srtp_t?
        let status = keyCopy.withUnsafeMutableBufferPointer { buffer -> srtp_err_status_t in
            policy.key = buffer.baseAddress
            return srtp_create(&session, &policy)
        }
        // srtp_create derives session keys and keeps no pointer to ours; wipe the copy.
        for index in keyCopy.indices { keyCopy[index] = 0 }
        guard status == srtp_err_status_ok, let session else {
            throw SRTPError.setup("srtp_create(\(profile)) returned \(status.rawValue)")
        }
        return session
    }

    // MARK: - RTP

    public func protectRTP(_ packet: [UInt8]) throws -> [UInt8] {
        try Self.checkRTP(packet)
        return try run(packet, context: outbound, grow: true, operation: "srtp_protect", srtp_protect)
    }

    /// Auth failure or replay throws; malformed input throws; nothing here traps.
    public func unprotectRTP(_ packet: [UInt8]) throws -> [UInt8] {
        try Self.checkRTP(packet)
        return try run(packet, context: inbound, grow: false, operation: "srtp_unprotect", srtp_unprotect)
    }

    // MARK: - RTCP

    public func protectRTCP(_ packet: [UInt8]) throws -> [UInt8] {
        try Self.checkRTCP(packet, protected: false)
        return try run(packet, context: outbound, grow: true, operation: "srtp_protect_rtcp", srtp_protect_rtcp)
    }

    public func unprotectRTCP(_ packet: [UInt8]) throws -> [UInt8] {
        try Self.checkRTCP(packet, protected: true)
        return try run(packet, context: inbound, grow: false, operation: "srtp_unprotect_rtcp", srtp_unprotect_rtcp)
    }

    // MARK: - Internals

    private func run(
        _ packet: [UInt8], context: srtp_t, grow: Bool, operation: String,
        _ function: (srtp_t?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> srtp_err_status_t
    ) throws -> [UInt8] {
        guard packet.count <= Int(Int32.max) - 1024 else { throw SRTPError.malformed("packet too large") }
        var buffer = packet
        // libsrtp writes the tag (and for SRTCP the index word) in place after the packet.
        if grow { buffer.append(contentsOf: repeatElement(0, count: Int(call_SRTP_MAX_TRAILER_LEN()) + 4)) }
        var length = Int32(packet.count)
        let status = buffer.withUnsafeMutableBytes { raw in function(context, raw.baseAddress, &length) }
        guard status == srtp_err_status_ok else { throw SRTPError(operation: operation, status: status) }
        guard length >= 0, Int(length) <= buffer.count else { throw SRTPError.library(operation: operation, status: -1) }
        buffer.removeLast(buffer.count - Int(length))
        return buffer
    }

    /// RFC 3550 §5.1: V=2, 12-byte fixed header, CSRC list, optional extension; all within the packet.
    static func checkRTP(_ packet: [UInt8]) throws {
        guard packet.count >= 12 else { throw SRTPError.malformed("RTP packet shorter than its 12-byte header") }
        guard packet[0] >> 6 == 2 else { throw SRTPError.malformed("RTP version is not 2") }
        var headerLength = 12 + 4 * Int(packet[0] & 0x0F)
        if packet[0] & 0x10 != 0 {
            guard packet.count >= headerLength + 4 else { throw SRTPError.malformed("RTP header extension truncated") }
            let words = Int(packet[headerLength + 2]) << 8 | Int(packet[headerLength + 3])
            headerLength += 4 + 4 * words
        }
        guard packet.count >= headerLength else { throw SRTPError.malformed("RTP header longer than the packet") }
    }

    /// RFC 3550 §6.4 common header: V=2 and at least the 8-byte header;
    /// a protected packet also carries the 4-byte E|index word (RFC 3711 §3.4).
    static func checkRTCP(_ packet: [UInt8], protected: Bool) throws {
        guard packet.count >= (protected ? 12 : 8) else { throw SRTPError.malformed("RTCP packet too short") }
        guard packet[0] >> 6 == 2 else { throw SRTPError.malformed("RTCP version is not 2") }
    }
}
