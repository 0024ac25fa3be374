/// A STUN message (RFC 8489 §5): the 20-byte header and its attributes.
///
/// Sans-IO: bytes in, a value out, and back. Integrity and fingerprint are
/// computed when encoding and checked when decoding; the key for
/// MESSAGE-INTEGRITY depends on who sent the message, so the caller checks it
/// with `hasValidIntegrity(in:key:)` once it knows which key applies.
public struct STUNMessage: Sendable, Equatable {
    /// RFC 8489 §5: the fixed value that tells STUN from other protocols on the same port.
    public static let magicCookie: UInt32 = 0x2112_A442
    static let headerSize = 20

    public var method: STUNMethod
    public var messageClass: STUNClass
    /// 96 random bits chosen by the requester (RFC 8489 §5).
    public var transactionID: [UInt8]
    /// The attributes in order, without MESSAGE-INTEGRITY and FINGERPRINT,
    /// which `encode` adds and `decode` checks.
    public var attributes: [STUNAttribute]

    public init(method: STUNMethod, messageClass: STUNClass, transactionID: [UInt8], attributes: [STUNAttribute] = []) {
        precondition(transactionID.count == 12, "a STUN transaction ID is 12 bytes")
        self.method = method
        self.messageClass = messageClass
        self.transactionID = transactionID
        self.attributes = attributes
    }

    /// A fast look at the first bytes (RFC 7983 §7 demultiplexing, RFC 8489 §6.3).
    public static func looksLikeSTUN(_ bytes: some Collection<UInt8>) -> Bool {
        guard bytes.count >= headerSize, let first = bytes.first, first < 4 else { return false }
        let cookie = bytes.dropFirst(4).prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return cookie == magicCookie
    }
}

/// The method part of the message type (RFC 8489 §18.2, RFC 8656 §17).
public struct STUNMethod: RawRepresentable, Sendable, Hashable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue & 0x0FFF }

    public static let binding = STUNMethod(rawValue: 0x001)
    public static let allocate = STUNMethod(rawValue: 0x003)
    public static let refresh = STUNMethod(rawValue: 0x004)
    public static let send = STUNMethod(rawValue: 0x006)
    public static let data = STUNMethod(rawValue: 0x007)
    public static let createPermission = STUNMethod(rawValue: 0x008)
    public static let channelBind = STUNMethod(rawValue: 0x009)
}

/// The class part of the message type (RFC 8489 §5).
public enum STUNClass: UInt16, Sendable {
    case request = 0b00, indication = 0b01, successResponse = 0b10, errorResponse = 0b11
}

extension STUNMessage {
    /// The 14-bit type field interleaves class bits C1 C0 into the method (RFC 8489 §5, figure 3).
    static func typeField(method: STUNMethod, messageClass: STUNClass) -> UInt16 {
        let m = method.rawValue
        let c = messageClass.rawValue
        return (m & 0x000F) | ((c & 0b01) << 4) | ((m & 0x0070) << 1) | ((c & 0b10) << 7) | ((m & 0x0F80) << 2)
    }

    static func split(typeField t: UInt16) -> (STUNMethod, STUNClass) {
        let method = (t & 0x000F) | ((t >> 1) & 0x0070) | ((t >> 2) & 0x0F80)
        let classBits = ((t >> 4) & 0b01) | ((t >> 7) & 0b10)
        // Two bits always make one of the four classes.
        return (STUNMethod(rawValue: method), STUNClass(rawValue: classBits) ?? .request)
    }
}
