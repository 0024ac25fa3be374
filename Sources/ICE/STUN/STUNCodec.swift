/// Why bytes are not an acceptable STUN message. The ICE agent drops such
/// datagrams and counts them; nothing here traps on bad input.
public enum STUNDecodeError: Error, Equatable, CustomStringConvertible {
    case tooShort
    case notSTUN
    case lengthMismatch
    case truncatedAttribute
    case badFingerprint
    case fingerprintNotLast
    case malformedAttribute(type: UInt16)

    public var description: String {
        switch self {
        case .tooShort: return "shorter than a STUN header"
        case .notSTUN: return "not a STUN message (type bits or magic cookie)"
        case .lengthMismatch: return "STUN length field does not match the datagram"
        case .truncatedAttribute: return "STUN attribute runs past the end of the message"
        case .badFingerprint: return "STUN FINGERPRINT does not match"
        case .fingerprintNotLast: return "STUN FINGERPRINT is not the last attribute"
        case .malformedAttribute(let type): return "malformed STUN attribute 0x\(String(type, radix: 16))"
        }
    }
}

extension STUNMessage {
    /// RFC 8489 §14.7: FINGERPRINT is the CRC-32 of the message XOR this value.
    static let fingerprintXor: UInt32 = 0x5354_554E

    /// The wire bytes. With `integrityKey`, MESSAGE-INTEGRITY (HMAC-SHA1) is
    /// added; with `fingerprint`, FINGERPRINT follows it (RFC 8489 §14.5, §14.7).
    public func encode(integrityKey: [UInt8]? = nil, fingerprint: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        out.appendBigEndian(Self.typeField(method: method, messageClass: messageClass))
        out.appendBigEndian(UInt16(0))  // length, patched below
        out.appendBigEndian(Self.magicCookie)
        out += transactionID
        for attribute in attributes { attribute.append(to: &out, transactionID: transactionID) }
        if let integrityKey {
            // The length covers the MESSAGE-INTEGRITY attribute itself while hashing (§14.5).
            Self.patchLength(&out, to: out.count - Self.headerSize + 24)
            let mac = STUNCrypto.hmacSHA1(key: integrityKey, message: out)
            out.appendAttributeHeader(type: STUNAttribute.Code.messageIntegrity, length: 20)
            out += mac
        }
        if fingerprint {
            Self.patchLength(&out, to: out.count - Self.headerSize + 8)
            let crc = CRC32.checksum(out) ^ Self.fingerprintXor
            out.appendAttributeHeader(type: STUNAttribute.Code.fingerprint, length: 4)
            out.appendBigEndian(crc)
        }
        Self.patchLength(&out, to: out.count - Self.headerSize)
        return out
    }

    /// Parses and checks structure and FINGERPRINT. MESSAGE-INTEGRITY is not
    /// checked here: see `hasValidIntegrity(_:key:)`.
    public static func decode(_ bytes: [UInt8]) throws(STUNDecodeError) -> STUNMessage {
        guard bytes.count >= headerSize else { throw .tooShort }
        guard looksLikeSTUN(bytes) else { throw .notSTUN }
        let length = Int(bytes.readBigEndianUInt16(at: 2))
        guard length % 4 == 0, headerSize + length == bytes.count else { throw .lengthMismatch }
        let (method, messageClass) = split(typeField: bytes.readBigEndianUInt16(at: 0))
        let transactionID = Array(bytes[8..<20])
        var attributes: [STUNAttribute] = []
        var offset = headerSize
        var sawIntegrity = false
        while offset < bytes.count {
            guard offset + 4 <= bytes.count else { throw .truncatedAttribute }
            let type = bytes.readBigEndianUInt16(at: offset)
            let valueLength = Int(bytes.readBigEndianUInt16(at: offset + 2))
            let valueStart = offset + 4
            let next = valueStart + (valueLength + 3) / 4 * 4
            guard valueStart + valueLength <= bytes.count, next <= bytes.count else { throw .truncatedAttribute }
            let value = bytes[valueStart..<(valueStart + valueLength)]
            switch type {
            case STUNAttribute.Code.fingerprint:
                guard next == bytes.count else { throw .fingerprintNotLast }
                guard valueLength == 4 else { throw .malformedAttribute(type: type) }
                var prefix = Array(bytes[..<offset])
                patchLength(&prefix, to: offset - headerSize + 8)
                guard CRC32.checksum(prefix) ^ fingerprintXor == bytes.readBigEndianUInt32(at: valueStart) else {
                    throw .badFingerprint
                }
            case STUNAttribute.Code.messageIntegrity:
                guard valueLength == 20 else { throw .malformedAttribute(type: type) }
                sawIntegrity = true
            default:
                // RFC 8489 §14.5: attributes after MESSAGE-INTEGRITY (but FINGERPRINT) are ignored.
                if !sawIntegrity {
                    guard let attribute = STUNAttribute(type: type, value: value, transactionID: transactionID) else {
                        throw .malformedAttribute(type: type)
                    }
                    attributes.append(attribute)
                }
            }
            offset = next
        }
        return STUNMessage(method: method, messageClass: messageClass, transactionID: transactionID, attributes: attributes)
    }

    /// Whether `bytes` carry a MESSAGE-INTEGRITY that matches `key` (RFC 8489 §14.5).
    /// Call it on bytes that `decode` accepted.
    public static func hasValidIntegrity(_ bytes: [UInt8], key: [UInt8]) -> Bool {
        var offset = headerSize
        while offset + 4 <= bytes.count {
            let type = bytes.readBigEndianUInt16(at: offset)
            let valueLength = Int(bytes.readBigEndianUInt16(at: offset + 2))
            if type == STUNAttribute.Code.messageIntegrity {
                guard valueLength == 20, offset + 24 <= bytes.count else { return false }
                var prefix = Array(bytes[..<offset])
                patchLength(&prefix, to: offset - headerSize + 24)
                let expected = STUNCrypto.hmacSHA1(key: key, message: prefix)
                return constantTimeEqual(expected, bytes[(offset + 4)..<(offset + 24)])
            }
            offset += 4 + (valueLength + 3) / 4 * 4
        }
        return false
    }

    /// The message's attribute of the kind `pick` selects, if any.
    public func first<T>(_ pick: (STUNAttribute) -> T?) -> T? {
        for attribute in attributes { if let value = pick(attribute) { return value } }
        return nil
    }

    static func patchLength(_ bytes: inout [UInt8], to length: Int) {
        bytes[2] = UInt8(truncatingIfNeeded: length >> 8)
        bytes[3] = UInt8(truncatingIfNeeded: length)
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: ArraySlice<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}

extension STUNAttribute {
    init?(type: UInt16, value: ArraySlice<UInt8>, transactionID: [UInt8]) {
        let bytes = Array(value)
        switch type {
        case Code.mappedAddress:
            guard let a = Self.readAddress(bytes, xorWith: nil) else { return nil }
            self = .mappedAddress(a)
        case Code.xorMappedAddress, Code.xorPeerAddress, Code.xorRelayedAddress:
            guard let a = Self.readAddress(bytes, xorWith: transactionID) else { return nil }
            switch type {
            case Code.xorMappedAddress: self = .xorMappedAddress(a)
            case Code.xorPeerAddress: self = .xorPeerAddress(a)
            default: self = .xorRelayedAddress(a)
            }
        case Code.username, Code.realm, Code.nonce, Code.software:
            // RFC 8489 §14.3: USERNAME under 513 bytes; the others are bounded similarly.
            guard bytes.count <= 763, let text = String(validating: bytes, as: UTF8.self) else { return nil }
            switch type {
            case Code.username: self = .username(text)
            case Code.realm: self = .realm(text)
            case Code.nonce: self = .nonce(text)
            default: self = .software(text)
            }
        case Code.errorCode:
            guard bytes.count >= 4, let reason = String(validating: bytes[4...], as: UTF8.self) else { return nil }
            let hundreds = Int(bytes[2] & 0x07)
            let number = Int(bytes[3])
            guard (3...6).contains(hundreds), number < 100 else { return nil }
            self = .errorCode(code: hundreds * 100 + number, reason: reason)
        case Code.unknownAttributes:
            guard bytes.count % 2 == 0 else { return nil }
            self = .unknownAttributes(stride(from: 0, to: bytes.count, by: 2).map { bytes.readBigEndianUInt16(at: $0) })
        case Code.priority:
            guard bytes.count == 4 else { return nil }
            self = .priority(bytes.readBigEndianUInt32(at: 0))
        case Code.useCandidate:
            guard bytes.isEmpty else { return nil }
            self = .useCandidate
        case Code.iceControlled, Code.iceControlling:
            guard bytes.count == 8 else { return nil }
            let tieBreaker = UInt64(bytes.readBigEndianUInt32(at: 0)) << 32 | UInt64(bytes.readBigEndianUInt32(at: 4))
            self = type == Code.iceControlled ? .iceControlled(tieBreaker: tieBreaker) : .iceControlling(tieBreaker: tieBreaker)
        case Code.channelNumber:
            guard bytes.count == 4 else { return nil }
            self = .channelNumber(bytes.readBigEndianUInt16(at: 0))
        case Code.lifetime:
            guard bytes.count == 4 else { return nil }
            self = .lifetime(seconds: bytes.readBigEndianUInt32(at: 0))
        case Code.data:
            self = .data(bytes)
        case Code.requestedTransport:
            guard bytes.count == 4 else { return nil }
            self = .requestedTransport(bytes[0])
        case Code.dontFragment:
            guard bytes.isEmpty else { return nil }
            self = .dontFragment
        default:
            self = .unknown(type: type, value: bytes)
        }
    }

    func append(to out: inout [UInt8], transactionID: [UInt8]) {
        func put(_ type: UInt16, _ value: [UInt8]) {
            out.appendAttributeHeader(type: type, length: value.count)
            out += value
            out += [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
        }
        switch self {
        case .mappedAddress(let a): put(Code.mappedAddress, Self.addressBytes(a, xorWith: nil))
        case .xorMappedAddress(let a): put(Code.xorMappedAddress, Self.addressBytes(a, xorWith: transactionID))
        case .xorPeerAddress(let a): put(Code.xorPeerAddress, Self.addressBytes(a, xorWith: transactionID))
        case .xorRelayedAddress(let a): put(Code.xorRelayedAddress, Self.addressBytes(a, xorWith: transactionID))
        case .username(let s): put(Code.username, Array(s.utf8))
        case .realm(let s): put(Code.realm, Array(s.utf8))
        case .nonce(let s): put(Code.nonce, Array(s.utf8))
        case .software(let s): put(Code.software, Array(s.utf8))
        case .errorCode(let code, let reason):
            put(Code.errorCode, [0, 0, UInt8(code / 100), UInt8(code % 100)] + Array(reason.utf8))
        case .unknownAttributes(let types): put(Code.unknownAttributes, types.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        case .priority(let p): put(Code.priority, p.bigEndianBytes)
        case .useCandidate: put(Code.useCandidate, [])
        case .iceControlled(let t): put(Code.iceControlled, UInt32(t >> 32).bigEndianBytes + UInt32(t & 0xFFFF_FFFF).bigEndianBytes)
        case .iceControlling(let t): put(Code.iceControlling, UInt32(t >> 32).bigEndianBytes + UInt32(t & 0xFFFF_FFFF).bigEndianBytes)
        case .channelNumber(let n): put(Code.channelNumber, [UInt8(n >> 8), UInt8(n & 0xFF), 0, 0])
        case .lifetime(let s): put(Code.lifetime, s.bigEndianBytes)
        case .data(let d): put(Code.data, d)
        case .requestedTransport(let p): put(Code.requestedTransport, [p, 0, 0, 0])
        case .dontFragment: put(Code.dontFragment, [])
        case .unknown(let type, let value): put(type, value)
        }
    }

    /// RFC 8489 §14.1/§14.2: family, port and address, XOR-ed with the cookie (and the transaction ID for IPv6).
    static func readAddress(_ bytes: [UInt8], xorWith transactionID: [UInt8]?) -> TransportAddress? {
        guard bytes.count >= 4 else { return nil }
        let family = bytes[1]
        let length: Int
        switch family {
        case 0x01: length = 4
        case 0x02: length = 16
        default: return nil
        }
        guard bytes.count == 4 + length else { return nil }
        var port = bytes.readBigEndianUInt16(at: 2)
        var address = Array(bytes[4...])
        if let transactionID {
            port ^= UInt16(STUNMessage.magicCookie >> 16)
            let mask = STUNMessage.magicCookie.bigEndianBytes + transactionID
            for i in address.indices { address[i] ^= mask[i] }
        }
        return TransportAddress(address: address, port: port)
    }

    static func addressBytes(_ a: TransportAddress, xorWith transactionID: [UInt8]?) -> [UInt8] {
        var port = a.port
        var address = a.address
        if let transactionID {
            port ^= UInt16(STUNMessage.magicCookie >> 16)
            let mask = STUNMessage.magicCookie.bigEndianBytes + transactionID
            for i in address.indices { address[i] ^= mask[i] }
        }
        return [0, a.family == .ipv4 ? 0x01 : 0x02, UInt8(port >> 8), UInt8(port & 0xFF)] + address
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ v: UInt16) { append(UInt8(v >> 8)); append(UInt8(v & 0xFF)) }
    mutating func appendBigEndian(_ v: UInt32) { self += v.bigEndianBytes }
    mutating func appendAttributeHeader(type: UInt16, length: Int) {
        appendBigEndian(type)
        appendBigEndian(UInt16(length))
    }
    func readBigEndianUInt16(at i: Int) -> UInt16 { UInt16(self[i]) << 8 | UInt16(self[i + 1]) }
    func readBigEndianUInt32(at i: Int) -> UInt32 {
        UInt32(self[i]) << 24 | UInt32(self[i + 1]) << 16 | UInt32(self[i + 2]) << 8 | UInt32(self[i + 3])
    }
}

extension UInt32 {
    var bigEndianBytes: [UInt8] { [UInt8(self >> 24), UInt8((self >> 16) & 0xFF), UInt8((self >> 8) & 0xFF), UInt8(self & 0xFF)] }
}
