import COpenSSL
import SRTP

/// Which end of the DTLS handshake we are (RFC 5763 §5, RFC 8842 §5).
///
/// It comes from `a=setup`: the offer says `actpass`, the answer says `active`
/// or `passive`, and the side whose description says `active` is the DTLS client.
/// Our answers say `active`, so as answerer we are the client.
public enum DTLSRole: Sendable, Equatable {
    case client, server

    /// The role from the answer's `a=setup` value. `weAreAnswerer` tells whose answer it is.
    /// Returns nil for values an answer must not carry (`actpass`, `holdconn`, anything else).
    public init?(answerSetup: String, weAreAnswerer: Bool) {
        let answererIsClient: Bool
        switch answerSetup.lowercased() {
        case "active": answererIsClient = true
        case "passive": answererIsClient = false
        default: return nil
        }
        self = (answererIsClient == weAreAnswerer) ? .client : .server
    }

    /// What `a=setup` says for this role in an answer.
    public var answerSetupValue: String { self == .client ? "active" : "passive" }
}

/// A certificate fingerprint as `a=fingerprint` carries it (RFC 8122 §5).
public struct DTLSFingerprint: Sendable, Equatable, CustomStringConvertible {
    /// Lowercase hash function name from the IANA registry: "sha-256", also "sha-1", "sha-224", "sha-384", "sha-512".
    public var algorithm: String
    public var bytes: [UInt8]

    public init(algorithm: String, bytes: [UInt8]) {
        self.algorithm = algorithm.lowercased()
        self.bytes = bytes
    }

    /// Digest sizes for the hash functions we can compute.
    static let digestLengths: [String: Int] = ["sha-1": 20, "sha-224": 28, "sha-256": 32, "sha-384": 48, "sha-512": 64]

    /// Parses `sha-256 AB:CD:...` (the value after `a=fingerprint:`); hex is case-insensitive.
    public init?(sdpValue: String) {
        let parts = sdpValue.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2 else { return nil }
        let algorithm = parts[0].lowercased()
        guard let length = Self.digestLengths[algorithm] else { return nil }
        let groups = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard groups.count == length else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        for group in groups {
            guard group.count == 2, group.allSatisfy(\.isHexDigit), let byte = UInt8(group, radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.init(algorithm: algorithm, bytes: bytes)
    }

    /// `sha-256 AB:CD:...` with uppercase hex (RFC 8122 §5).
    public var sdpValue: String {
        let hex = "0123456789ABCDEF".map { $0 }
        let body = bytes.map { String([hex[Int($0 >> 4)], hex[Int($0 & 0x0F)]]) }.joined(separator: ":")
        return "\(algorithm) \(body)"
    }

    public var description: String { sdpValue }

    /// OpenSSL's digest for `algorithm`, nil when we do not know it.
    var digest: OpaquePointer? {
        switch algorithm {
        case "sha-1": EVP_sha1()
        case "sha-224": EVP_sha224()
        case "sha-256": EVP_sha256()
        case "sha-384": EVP_sha384()
        case "sha-512": EVP_sha512()
        default: nil
        }
    }

    /// Whether the DER certificate `x509` hashes to these bytes with this algorithm.
    func matches(certificate x509: OpaquePointer) -> Bool {
        guard let digest else { return false }
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(x509, digest, &output, &length) == 1 else { return false }
        let computed = output.prefix(Int(length))
        // Not secret, but compare without an early exit anyway.
        guard computed.count == bytes.count else { return false }
        return zip(computed, bytes).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension DTLSCertificate {
    /// This certificate's `a=fingerprint` (sha-256).
    public var fingerprint: DTLSFingerprint { DTLSFingerprint(algorithm: "sha-256", bytes: sha256Fingerprint) }
}

/// What happened, in order, drained with `DTLSEndpoint.pollEvent()`.
public enum DTLSEvent: Sendable, Equatable {
    /// Handshake done and the peer's certificate matched `a=fingerprint`; the SRTP keys when use_srtp was negotiated.
    case connected(SRTPKeyingMaterial?)
    /// One application data record (for WebRTC: one SCTP packet).
    case data([UInt8])
    /// The peer sent close_notify.
    case closed
    /// The association is over, with a sentence saying why.
    case failed(String)
}

public enum DTLSState: Sendable, Equatable {
    case new, connecting, connected, closed, failed
}

/// What the endpoint saw; dropped datagrams are the ones that never reached OpenSSL.
public struct DTLSCounters: Sendable, Equatable {
    /// Every datagram passed to `handle(datagram:now:)`.
    public var datagramsReceived = 0
    /// Datagrams dropped unread: not a well-formed sequence of DTLS 1.0/1.2 records
    /// (including protected records too short for the negotiated cipher), or arriving
    /// before `start`, after `close`, or after a failure. Well-framed records that fail
    /// authentication are discarded inside OpenSSL (RFC 6347 §4.1.2.7) and not counted here.
    public var datagramsDropped = 0
    /// Datagrams handed out by `pollTransmit()`.
    public var datagramsSent = 0
    public var bytesReceived = 0
    public var bytesSent = 0
    /// Retransmission timeouts that made OpenSSL resend its last flight (RFC 6347 §4.2.4).
    public var retransmissionTimeouts = 0
    public var applicationRecordsSent = 0
    public var applicationRecordsReceived = 0

    public init() {}
}

public enum DTLSSendError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The handshake has not finished (or the fingerprint check failed).
    case notConnected
    /// The association is closed or failed.
    case closed
    /// One record must fit one datagram of `mtu` bytes; `limit` is the largest payload that does.
    case tooLarge(limit: Int)
    /// OpenSSL refused the write.
    case failed(String)

    public var description: String {
        switch self {
        case .notConnected: "DTLS is not connected yet"
        case .closed: "DTLS is closed"
        case .tooLarge(let limit): "the message does not fit one DTLS record within the MTU (at most \(limit) bytes)"
        case .failed(let why): "DTLS write failed: \(why)"
        }
    }
}

/// Why an endpoint could not be set up.
public struct DTLSSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
