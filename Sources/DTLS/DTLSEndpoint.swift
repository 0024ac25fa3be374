import COpenSSL
import SRTP

// MARK: - How OpenSSL's timer maps onto the sans-IO deadline
//
// RFC 6347 §4.2.4 retransmits a flight when a timer expires. OpenSSL keeps that
// timer itself (d1->next_timeout, read from gettimeofday), so it cannot simply be
// driven with simulated time. We handle it like this:
//
// 1. `DTLS_set_timer_cb` installs `timerCallback`: OpenSSL calls it with 0 when it
//    arms the timer for a new flight and with the previous value after each timeout.
//    We keep our own back-off there (1 s initial, doubling, 60 s cap, RFC 6347
//    §4.2.4.1) and return to OpenSSL a duration of one hour, so its wall clock
//    never expires by itself during a handshake.
// 2. OpenSSL announces every (re)start and stop of its timer to the read BIO with
//    BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT (that is how BIO_s_datagram learns it). Our
//    BIO sees it: running -> deadline = the `now` of the current call + back-off;
//    stopped (all zero) -> no deadline. `pollTimeout()` returns that deadline.
// 3. When `handleTimeout(now:)` passes the deadline we call `DTLSv1_handle_timeout`.
//    OpenSSL only acts if its own clock says the timer expired, so first we mark its
//    timer expired: in OpenSSL 1.1.1 to 3.1 the ctrl above passes the address of
//    d1->next_timeout itself (ssl/d1_lib.c, dtls1_start_timer), and we set it to a
//    time in the past just before the call. This is the one place we touch OpenSSL's
//    state behind its API; it is gated on the runtime version (3.2 changed the
//    field to OSSL_TIME and passes a copy).
// Where the clock still leaks in: on OpenSSL >= 3.2 (or < 1.1.1) we cannot steer it,
// so we return the real back-off to OpenSSL and it retransmits only once the wall
// clock agrees; in that mode `handleTimeout` re-arms the deadline with OpenSSL's own
// remaining time (DTLSv1_get_timeout), and simulated-time tests of retransmission
// would need real waiting. In the steered mode no wall clock is involved in any
// decision; OpenSSL still calls gettimeofday to fill a value we then overwrite.

/// Initial retransmission timeout and cap (RFC 6347 §4.2.4.1).
private let initialRetransmissionTimeout: Duration = .seconds(1)
private let maximumRetransmissionTimeout: Duration = .seconds(60)
/// What OpenSSL is told in steered mode: long enough never to expire on its own.
private let opensslTimerMicroseconds: UInt32 = 3_600_000_000

/// Whether `BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT` hands us OpenSSL's own `struct timeval`.
private let canSteerOpenSSLTimer: Bool = {
    let version = OpenSSL_version_num()
    return version >= 0x1010_1000 && version < 0x3020_0000
}()

/// The C callbacks' view of one endpoint: datagram queues and timer state.
/// Reached from C through `SSL_get_app_data` / `BIO_get_data` (unretained; the
/// endpoint keeps it alive and frees the SSL first).
final class DTLSGlue {
    var mtu: Int
    /// Datagrams for OpenSSL to read; one at a time, so one BIO_read = one datagram.
    var inbound: [[UInt8]] = []
    /// Finished outgoing datagrams.
    var outbound: [[UInt8]] = []
    /// The datagram being filled by OpenSSL's record writes (closed on BIO_flush,
    /// when the next record would overflow the MTU, or at the end of each call).
    var current: [UInt8] = []

    var now: Duration = .zero
    var backoff: Duration = initialRetransmissionTimeout
    var timerRunning = false
    var deadline: Duration?
    var opensslTimer: UnsafeMutablePointer<timeval>?

    let expectedFingerprint: DTLSFingerprint
    var fingerprintMismatch = false
    var receivedFatalAlert: String?
    var sentFatalAlert: String?

    init(mtu: Int, expectedFingerprint: DTLSFingerprint) {
        self.mtu = mtu
        self.expectedFingerprint = expectedFingerprint
    }

    func closeDatagram() {
        if !current.isEmpty {
            outbound.append(current)
            current = []
        }
    }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> DTLSGlue? {
        guard let pointer else { return nil }
        return Unmanaged<DTLSGlue>.fromOpaque(pointer).takeUnretainedValue()
    }
}

/// A BIO that is both ends of the datagram "socket": BIO_read pops one queued
/// datagram, BIO_write appends one record to the datagram being built.
nonisolated(unsafe) private let datagramBIOMethod: OpaquePointer? = {
    guard let method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "call-dtls-datagram") else { return nil }
    _ = BIO_meth_set_create(method) { bio in
        BIO_set_init(bio, 1)
        return 1
    }
    _ = BIO_meth_set_destroy(method) { bio in
        BIO_set_data(bio, nil)
        return 1
    }
    _ = BIO_meth_set_write(method) { bio, data, length in
        guard let bio, let data, length >= 0, let glue = DTLSGlue.from(BIO_get_data(bio)) else { return -1 }
        call_BIO_clear_retry_flags(bio)
        let count = Int(length)
        if !glue.current.isEmpty && glue.current.count + count > glue.mtu { glue.closeDatagram() }
        glue.current.append(contentsOf: UnsafeRawBufferPointer(start: data, count: count))
        return length
    }
    _ = BIO_meth_set_read(method) { bio, buffer, size in
        guard let bio, let buffer, size > 0, let glue = DTLSGlue.from(BIO_get_data(bio)) else { return -1 }
        call_BIO_clear_retry_flags(bio)
        guard !glue.inbound.isEmpty else {
            call_BIO_set_retry_read(bio)
            return -1
        }
        let datagram = glue.inbound.removeFirst()
        // Datagram semantics: what does not fit the buffer is lost, as with recv().
        let count = min(datagram.count, Int(size))
        datagram.withUnsafeBytes { raw in
            UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress!, byteCount: count)
        }
        return Int32(count)
    }
    _ = BIO_meth_set_ctrl(method) { bio, command, _, pointer in
        guard let bio, let glue = DTLSGlue.from(BIO_get_data(bio)) else { return 0 }
        switch command {
        case BIO_CTRL_FLUSH:
            glue.closeDatagram()
            return 1
        case BIO_CTRL_WPENDING:
            // OpenSSL packs handshake fragments into the room left in this datagram (dtls1_do_write).
            return glue.current.count
        case BIO_CTRL_PENDING:
            return glue.inbound.first?.count ?? 0
        case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
            return 0  // our MTU already counts only the UDP payload
        case BIO_CTRL_DGRAM_QUERY_MTU, BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
            return glue.mtu
        case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
            guard let pointer else { return 0 }
            let timer = pointer.assumingMemoryBound(to: timeval.self)
            let running = timer.pointee.tv_sec != 0 || timer.pointee.tv_usec != 0
            glue.timerRunning = running
            glue.deadline = running ? glue.now + glue.backoff : nil
            glue.opensslTimer = canSteerOpenSSLTimer ? timer : nil
            return 1
        default:
            return 0
        }
    }
    return method
}()

/// One DTLS 1.2 association for DTLS-SRTP (RFC 5764) and the data channel
/// (RFC 8261), sans-IO: no sockets, threads or clocks. Feed it datagrams and
/// timeouts, drain datagrams, events and the next deadline. Not thread-safe; the
/// driver serialises access.
///
/// - The peer is authenticated by `a=fingerprint`, not by a chain (RFC 8827 §6.5,
///   RFC 5763 §5): the verify callback accepts a self-signed certificate only
///   when its digest matches `remoteFingerprint`, and the match is checked again
///   after the handshake. A mismatch fails the handshake with bad_certificate.
/// - Each `pollTransmit()` datagram is at most `mtu` bytes: handshake flights are
///   fragmented by OpenSSL (SSL_OP_NO_QUERY_MTU + DTLS_set_link_mtu) and several
///   records share a datagram when they fit (RFC 6347 §4.1.1); `send` refuses a
///   record that would not fit.
public final class DTLSEndpoint {
    public let role: DTLSRole
    public let mtu: Int
    public let remoteFingerprint: DTLSFingerprint
    public private(set) var state: DTLSState = .new
    public private(set) var counters = DTLSCounters()
    /// The SRTP keys, once connected with use_srtp negotiated.
    public private(set) var keyingMaterial: SRTPKeyingMaterial?
    /// Why the association failed, once `state == .failed`.
    public private(set) var failureReason: String?

    private let context: OpaquePointer
    private let ssl: OpaquePointer
    private let glue: DTLSGlue
    private var events: [DTLSEvent] = []
    private var readBuffer = [UInt8](repeating: 0, count: 16_384 + 2_048)
    private let certificate: DTLSCertificate  // the key and certificate SSL_CTX refers to

    /// The exporter label of RFC 5764 §4.2.
    public static let exporterLabel = "EXTRACTOR-dtls_srtp"
    /// ECDHE ciphers a browser offers for DTLS 1.2, ECDSA first (our certificate is ECDSA P-256).
    public static let cipherList =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
        + "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:"
        + "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA"
    public static let groups = "X25519:P-256"

    public convenience init(role: DTLSRole, certificate: DTLSCertificate, remoteFingerprint: DTLSFingerprint, mtu: Int = 1200) throws {
        try self.init(role: role, certificate: certificate, remoteFingerprint: remoteFingerprint, mtu: mtu, srtpProfiles: SRTPProfile.preferred)
    }

    /// `srtpProfiles` is what we offer (client) or accept (server) in use_srtp, in order of preference;
    /// empty means no use_srtp at all (a data-channel-only association).
    public init(
        role: DTLSRole, certificate: DTLSCertificate, remoteFingerprint: DTLSFingerprint, mtu: Int = 1200,
        srtpProfiles: [SRTPProfile]
    ) throws {
        guard (256...65_507).contains(mtu) else { throw DTLSSetupError("an MTU of \(mtu) bytes is outside 256...65507") }
        guard remoteFingerprint.digest != nil, DTLSFingerprint.digestLengths[remoteFingerprint.algorithm] == remoteFingerprint.bytes.count
        else { throw DTLSSetupError("cannot check a fingerprint of type \(remoteFingerprint.algorithm) with \(remoteFingerprint.bytes.count) bytes") }
        guard let method = datagramBIOMethod else { throw DTLSSetupError("cannot create the datagram BIO method") }
        self.role = role
        self.mtu = mtu
        self.remoteFingerprint = remoteFingerprint
        self.certificate = certificate
        ERR_clear_error()

        guard let context = SSL_CTX_new(DTLS_method()) else { throw DTLSSetupError("SSL_CTX_new: \(Self.openSSLError())") }
        func fail(_ step: String) -> DTLSSetupError {
            let error = DTLSSetupError("\(step): \(Self.openSSLError())")
            SSL_CTX_free(context)
            return error
        }
        // DTLS 1.2 only (RFC 8827 §6.5 requires at least 1.2); no tickets, no renegotiation.
        guard call_SSL_CTX_set_min_proto_version(context, DTLS1_2_VERSION) == 1 else { throw fail("DTLS 1.2 minimum") }
        _ = SSL_CTX_set_options(context, call_SSL_OP_NO_TICKET() | call_SSL_OP_NO_QUERY_MTU() | call_SSL_OP_NO_RENEGOTIATION())
        guard SSL_CTX_set_cipher_list(context, Self.cipherList) == 1 else { throw fail("cipher list") }
        guard call_SSL_CTX_set1_groups_list(context, Self.groups) == 1 else { throw fail("groups X25519:P-256") }
        guard SSL_CTX_use_certificate(context, certificate.certificate) == 1,
            SSL_CTX_use_PrivateKey(context, certificate.key) == 1,
            SSL_CTX_check_private_key(context) == 1
        else { throw fail("certificate and key") }
        // RFC 5764 §4.1.1: use_srtp. Note the inverted convention: 0 is success.
        if !srtpProfiles.isEmpty {
            let names = srtpProfiles.map(\.dtlsName).joined(separator: ":")
            guard SSL_CTX_set_tlsext_use_srtp(context, names) == 0 else { throw fail("use_srtp \(names)") }
        }
        guard let ssl = SSL_new(context) else { throw fail("SSL_new") }
        guard let bio = BIO_new(method) else {
            SSL_free(ssl)
            throw fail("BIO_new")
        }
        let glue = DTLSGlue(mtu: mtu, expectedFingerprint: remoteFingerprint)
        let unmanaged = Unmanaged.passUnretained(glue).toOpaque()
        BIO_set_data(bio, unmanaged)
        SSL_set_bio(ssl, bio, bio)  // one reference, used for both directions
        _ = call_SSL_set_app_data(ssl, unmanaged)

        // MTU: the UDP payload; with no BIO overhead OpenSSL fragments to exactly this.
        guard call_DTLS_set_link_mtu(ssl, mtu) == 1, call_SSL_set_mtu(ssl, mtu) > 0 else {  // SSL_set_mtu returns the MTU itself
            SSL_free(ssl)
            throw fail("MTU \(mtu)")
        }
        // Ask for the peer's certificate and accept it by fingerprint (RFC 8827 §6.5, RFC 8122).
        SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT) { _, store in
            guard let store,
                let sslPointer = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()),
                let glue = DTLSGlue.from(call_SSL_get_app_data(OpaquePointer(sslPointer))),
                let leaf = X509_STORE_CTX_get0_cert(store)
            else { return 0 }
            if glue.expectedFingerprint.matches(certificate: leaf) { return 1 }
            glue.fingerprintMismatch = true
            X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED)  // -> alert bad_certificate
            return 0
        }
        SSL_set_info_callback(ssl) { ssl, kind, value in
            guard kind & SSL_CB_ALERT != 0, let glue = DTLSGlue.from(call_SSL_get_app_data(ssl)) else { return }
            guard value >> 8 == SSL3_AL_FATAL else { return }
            let text = String(cString: SSL_alert_desc_string_long(value))
            if kind & SSL_CB_READ != 0 { glue.receivedFatalAlert = text } else { glue.sentFatalAlert = text }
        }
        DTLS_set_timer_cb(ssl) { ssl, previous in
            guard let glue = DTLSGlue.from(call_SSL_get_app_data(ssl)) else { return 1_000_000 }
            // 0: a new flight; otherwise a timeout happened: double (RFC 6347 §4.2.4.1).
            glue.backoff = previous == 0 ? initialRetransmissionTimeout : min(glue.backoff * 2, maximumRetransmissionTimeout)
            if canSteerOpenSSLTimer { return opensslTimerMicroseconds }
            let (seconds, attoseconds) = glue.backoff.components
            return UInt32(seconds) * 1_000_000 + UInt32(attoseconds / 1_000_000_000_000)
        }
        switch role {
        case .client: SSL_set_connect_state(ssl)
        case .server: SSL_set_accept_state(ssl)
        }
        self.context = context
        self.ssl = ssl
        self.glue = glue
    }

    deinit {
        SSL_free(ssl)  // frees the BIO; no callback touches the glue after this
        SSL_CTX_free(context)
    }

    // MARK: - Input

    /// Client: sends the ClientHello. Server: starts waiting for one.
    public func start(now: Duration) {
        guard state == .new else { return }
        state = .connecting
        glue.now = now
        drive()
    }

    /// One UDP datagram that RFC 7983 §7 classifies as DTLS (first byte 20...63).
    /// Malformed datagrams are dropped and counted, never passed to OpenSSL.
    public func handle(datagram: [UInt8], now: Duration) {
        counters.datagramsReceived += 1
        counters.bytesReceived += datagram.count
        if state == .new && role == .server { start(now: now) }
        guard state == .connecting || state == .connected,
            Self.isWellFormed(datagram, minimumProtectedLength: minimumProtectedRecordLength())
        else {
            counters.datagramsDropped += 1
            return
        }
        glue.now = now
        glue.inbound = [datagram]
        drive()
        glue.inbound.removeAll()
    }

    /// Call when `now` has reached `pollTimeout()`; retransmits the last flight (RFC 6347 §4.2.4).
    public func handleTimeout(now: Duration) {
        guard state == .connecting || state == .connected else { return }
        glue.now = now
        guard let deadline = glue.deadline, now >= deadline, glue.timerRunning else { return }
        let steered = glue.opensslTimer
        let saved = steered?.pointee
        // "Expired" for dtls1_is_timer_expired; see the top of this file.
        steered?.pointee = timeval(tv_sec: 1, tv_usec: 0)
        ERR_clear_error()
        let result = call_DTLSv1_handle_timeout(ssl)
        // Never leave OpenSSL's timer expired behind its back: its read path would retransmit on its own.
        if result == 0, let steered, let saved { steered.pointee = saved }
        if result > 0 {
            counters.retransmissionTimeouts += 1
        } else if result < 0 {
            fail(
                state == .connecting
                    ? "the DTLS handshake timed out: no answer from the peer after \(counters.retransmissionTimeouts) retransmissions"
                    : "DTLS retransmission failed: \(Self.openSSLError())")
        } else {
            // Not steered: OpenSSL's wall clock has not expired yet; come back when it says.
            var left = timeval()
            if call_DTLSv1_get_timeout(ssl, &left) == 1 {
                glue.deadline = now + .seconds(left.tv_sec) + .microseconds(left.tv_usec)
            } else {
                glue.deadline = nil
                glue.timerRunning = false
            }
        }
        if state == .connecting { drive() }
        glue.closeDatagram()
    }

    // MARK: - Output

    /// When `handleTimeout(now:)` should next be called, on the caller's time line.
    public func pollTimeout() -> Duration? {
        guard state == .connecting || state == .connected, glue.timerRunning else { return nil }
        return glue.deadline
    }

    /// The next datagram to send (at most `mtu` bytes).
    public func pollTransmit() -> [UInt8]? {
        glue.closeDatagram()
        guard !glue.outbound.isEmpty else { return nil }
        let datagram = glue.outbound.removeFirst()
        counters.datagramsSent += 1
        counters.bytesSent += datagram.count
        return datagram
    }

    public func pollEvent() -> DTLSEvent? {
        events.isEmpty ? nil : events.removeFirst()
    }

    /// The largest `send` payload that fits one datagram with the negotiated cipher.
    public var maximumApplicationDataSize: Int? {
        guard state == .connected else { return nil }
        return Int(DTLS_get_data_mtu(ssl))
    }

    /// Sends one application data record (one SCTP packet) in one datagram.
    public func send(_ bytes: [UInt8]) throws(DTLSSendError) {
        switch state {
        case .new, .connecting: throw .notConnected
        case .closed, .failed: throw .closed
        case .connected: break
        }
        let limit = Int(DTLS_get_data_mtu(ssl))
        guard bytes.count <= limit else { throw .tooLarge(limit: limit) }
        guard !bytes.isEmpty else { return }  // a zero-length SSL_write means nothing
        ERR_clear_error()
        glue.closeDatagram()
        let written = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
        glue.closeDatagram()
        guard written == Int32(bytes.count) else {
            let reason = Self.openSSLError()
            throw .failed(reason)
        }
        counters.applicationRecordsSent += 1
    }

    /// Sends close_notify (RFC 5246 §7.2.1) and stops; further datagrams are dropped.
    public func close() {
        guard state == .connecting || state == .connected || state == .new else { return }
        if state == .connected {
            ERR_clear_error()
            _ = SSL_shutdown(ssl)
            glue.closeDatagram()
        }
        state = .closed
        glue.timerRunning = false
        glue.deadline = nil
    }

    // MARK: - The machine

    private func drive() {
        if state == .connecting {
            ERR_clear_error()
            let result = SSL_do_handshake(ssl)
            if result == 1 {
                handshakeFinished()
            } else {
                let error = SSL_get_error(ssl, result)
                if error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE {
                    fail(handshakeFailureReason())
                }
            }
        }
        if state == .connected { readApplicationData() }
        glue.closeDatagram()
    }

    private func handshakeFinished() {
        // RFC 5763 §5 / RFC 8842 §5: the certificate must match a=fingerprint. The verify
        // callback already enforced it; check once more on the certificate OpenSSL kept.
        guard let peer = SSL_get1_peer_certificate(ssl) else {
            fail("the peer sent no certificate, so it cannot be checked against a=fingerprint")
            return
        }
        defer { X509_free(peer) }
        guard remoteFingerprint.matches(certificate: peer) else {
            fail(Self.mismatchSentence)
            return
        }
        var keys: SRTPKeyingMaterial?
        if let selected = SSL_get_selected_srtp_profile(ssl) {
            guard let profile = SRTPProfile(protectionProfileID: UInt16(truncatingIfNeeded: selected.pointee.id)) else {
                fail("the peer chose an SRTP profile we did not offer (0x\(String(selected.pointee.id, radix: 16)))")
                return
            }
            // RFC 5764 §4.2: 2 * (key + salt) bytes from the exporter, no context.
            var exported = [UInt8](repeating: 0, count: 2 * (profile.keyLength + profile.saltLength))
            let label = Self.exporterLabel
            let ok = SSL_export_keying_material(ssl, &exported, exported.count, label, label.utf8.count, nil, 0, 0)
            guard ok == 1, let material = SRTPKeyingMaterial(profile: profile, exported: exported, weAreClient: role == .client) else {
                fail("cannot export the SRTP keying material: \(Self.openSSLError())")
                return
            }
            keys = material
        }
        keyingMaterial = keys
        state = .connected
        events.append(.connected(keys))
    }

    private func readApplicationData() {
        while state == .connected {
            ERR_clear_error()
            let count = readBuffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            if count > 0 {
                counters.applicationRecordsReceived += 1
                events.append(.data(Array(readBuffer[0..<Int(count)])))
                continue
            }
            let error = SSL_get_error(ssl, count)
            switch error {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return
            case SSL_ERROR_ZERO_RETURN:
                // close_notify from the peer: answer with ours and stop (RFC 5246 §7.2.1).
                ERR_clear_error()
                _ = SSL_shutdown(ssl)
                state = .closed
                glue.timerRunning = false
                glue.deadline = nil
                events.append(.closed)
                return
            default:
                if let alert = glue.receivedFatalAlert {
                    fail("the peer ended DTLS with a fatal alert: \(alert)")
                } else {
                    fail("DTLS failed: \(Self.openSSLError())" + (glue.sentFatalAlert.map { " (we sent the fatal alert \"\($0)\")" } ?? " (SSL_get_error \(error))"))
                }
                return
            }
        }
    }

    private func fail(_ reason: String) {
        guard state != .failed && state != .closed else { return }
        state = .failed
        failureReason = reason
        glue.timerRunning = false
        glue.deadline = nil
        events.append(.failed(reason))
    }

    static let mismatchSentence = "the peer's certificate does not match a=fingerprint (man in the middle?)"

    private func handshakeFailureReason() -> String {
        let detail = Self.openSSLError()
        if glue.fingerprintMismatch { return Self.mismatchSentence }
        if let alert = glue.receivedFatalAlert { return "the DTLS handshake failed: the peer sent the fatal alert \"\(alert)\"" }
        if let alert = glue.sentFatalAlert { return "the DTLS handshake failed: \(detail) (we sent the fatal alert \"\(alert)\")" }
        return "the DTLS handshake failed: \(detail)"
    }

    /// The oldest queued OpenSSL error as a phrase, and the queue cleared.
    static func openSSLError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "no OpenSSL error queued" }
        if let reason = ERR_reason_error_string(code) { return String(cString: reason) }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The shortest ciphertext a protected (epoch > 0) record can have with the
    /// negotiated cipher. OpenSSL 3.0 answers a shorter AEAD record with a fatal
    /// internal_error alert instead of discarding it, so anyone on the path could
    /// end the association with one small spoofed datagram; we drop those first.
    private func minimumProtectedRecordLength() -> Int {
        guard let cipher = SSL_get_current_cipher(ssl) else { return 0 }
        switch SSL_CIPHER_get_cipher_nid(cipher) {
        case NID_aes_128_gcm, NID_aes_256_gcm: return 8 + 16  // explicit nonce + tag (RFC 5288 §3)
        case NID_chacha20_poly1305: return 16  // tag (RFC 7905)
        case NID_aes_128_cbc, NID_aes_256_cbc: return 16 + 32  // IV + one block holding MAC and padding, SHA-1 MAC (RFC 5246 §6.2.3.2)
        default: return 16
        }
    }

    /// RFC 6347 §4.1: a datagram is one or more whole records, each a 13-byte header
    /// (type, version, epoch, sequence number, length) and its fragment. We accept
    /// the record types DTLS 1.2 uses (change_cipher_spec, alert, handshake,
    /// application_data) and versions 1.0 (0xFEFF, seen in early ClientHellos) and 1.2 (0xFEFD).
    static func isWellFormed(_ datagram: [UInt8], minimumProtectedLength: Int = 0) -> Bool {
        guard let first = datagram.first, (20...63).contains(first) else { return false }  // RFC 7983 §7
        var offset = 0
        while offset < datagram.count {
            guard datagram.count - offset >= 13 else { return false }
            let type = datagram[offset]
            guard (20...23).contains(type), datagram[offset + 1] == 0xFE,
                datagram[offset + 2] == 0xFF || datagram[offset + 2] == 0xFD
            else { return false }
            let length = Int(datagram[offset + 11]) << 8 | Int(datagram[offset + 12])
            guard length <= 16_384 + 2_048, datagram.count - offset - 13 >= length else { return false }
            let epoch = Int(datagram[offset + 3]) << 8 | Int(datagram[offset + 4])
            if epoch != 0 && length < minimumProtectedLength { return false }
            offset += 13 + length
        }
        return true
    }
}
