import COpenSSL

/// The two hashes STUN needs, from OpenSSL (already linked for DTLS).
public enum STUNCrypto {
    /// HMAC-SHA1, the MESSAGE-INTEGRITY function (RFC 8489 §14.5).
    public static func hmacSHA1(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        var length: UInt32 = 0
        _ = key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                HMAC(EVP_sha1(), k.baseAddress, Int32(k.count), m.baseAddress, m.count, &out, &length)
            }
        }
        return out
    }

    /// The long-term credential key MD5(username ":" realm ":" password) (RFC 8489 §9.2.2).
    /// The OpaqueString profile (RFC 8265) is not applied: ASCII credentials, as TURN servers use, are unaffected.
    public static func longTermKey(username: String, realm: String, password: String) -> [UInt8] {
        let input = Array("\(username):\(realm):\(password)".utf8)
        var out = [UInt8](repeating: 0, count: 16)
        var length: UInt32 = 0
        _ = input.withUnsafeBufferPointer { i in EVP_Digest(i.baseAddress, i.count, &out, &length, EVP_md5(), nil) }
        return out
    }

    /// The short-term credential key is the password itself (RFC 8489 §9.1.1); ICE uses the peer's ice-pwd.
    public static func shortTermKey(password: String) -> [UInt8] { Array(password.utf8) }
}
