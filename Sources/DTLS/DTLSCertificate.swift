import COpenSSL

/// A fresh ECDSA P-256 self-signed certificate for DTLS (RFC 8827 §6.5,
/// RFC 8122): WebRTC authenticates it by the fingerprint in `a=fingerprint`,
/// not by a chain, so a new one per process is what browsers do too.
public final class DTLSCertificate: @unchecked Sendable {
    // Immutable after init; OpenSSL objects are only read (and freed in deinit).
    let key: OpaquePointer
    let certificate: OpaquePointer

    /// SHA-256 of the DER certificate, as `a=fingerprint:sha-256` carries it.
    public let sha256Fingerprint: [UInt8]

    public enum Failure: Error, CustomStringConvertible {
        case openSSL(String)
        public var description: String { "cannot make a DTLS certificate: \(self.step) (\(Self.lastError()))" }
        var step: String { if case .openSSL(let s) = self { s } else { "" } }

        static func lastError() -> String {
            let code = ERR_get_error()
            guard code != 0 else { return "no OpenSSL error queued" }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Generates the key and the certificate (valid from a day ago for 30 days,
    /// so clock skew between peers does not matter).
    public init(commonName: String = "call") throws(Failure) {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nil) else { throw .openSSL("EVP_PKEY_CTX_new_id") }
        defer { EVP_PKEY_CTX_free(context) }
        var generated: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1,
            EVP_PKEY_CTX_set_ec_paramgen_curve_nid(context, NID_X9_62_prime256v1) == 1,
            EVP_PKEY_keygen(context, &generated) == 1, let key = generated
        else { throw .openSSL("P-256 key generation") }
        guard let certificate = X509_new() else {
            EVP_PKEY_free(key)
            throw .openSSL("X509_new")
        }
        var serial: UInt64 = 0
        withUnsafeMutableBytes(of: &serial) { _ = RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), 8) }
        let subject = X509_get_subject_name(certificate)
        guard X509_set_version(certificate, 2) == 1,
            ASN1_INTEGER_set(X509_get_serialNumber(certificate), Int(serial & 0x7FFF_FFFF)) == 1,
            X509_gmtime_adj(X509_getm_notBefore(certificate), -86_400) != nil,
            X509_gmtime_adj(X509_getm_notAfter(certificate), 30 * 86_400) != nil,
            X509_set_pubkey(certificate, key) == 1,
            X509_NAME_add_entry_by_txt(subject, "CN", call_MBSTRING_ASC(), commonName, -1, -1, 0) == 1,
            X509_set_issuer_name(certificate, subject) == 1,
            X509_sign(certificate, key, EVP_sha256()) > 0
        else {
            X509_free(certificate)
            EVP_PKEY_free(key)
            throw .openSSL("signing the certificate")
        }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(certificate, EVP_sha256(), &digest, &length) == 1 else {
            X509_free(certificate)
            EVP_PKEY_free(key)
            throw .openSSL("X509_digest")
        }
        self.key = key
        self.certificate = certificate
        sha256Fingerprint = Array(digest.prefix(Int(length)))
    }

    deinit {
        X509_free(certificate)
        EVP_PKEY_free(key)
    }

    /// The certificate in PEM, for logs and for checking with other tools.
    public var pem: String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard PEM_write_bio_X509(bio, certificate) == 1 else { return "" }
        var data: UnsafeMutablePointer<CChar>?
        let count = call_BIO_get_mem_data(bio, &data)
        guard let data, count > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
    }
}
