/// An error cause inside ABORT or ERROR (RFC 9260 §3.3.10).
struct ErrorCause: Equatable, Sendable {
    static let invalidStreamIdentifier: UInt16 = 1
    static let staleCookie: UInt16 = 3
    static let unrecognizedChunkType: UInt16 = 6
    static let noUserData: UInt16 = 9
    static let userInitiatedAbort: UInt16 = 12
    static let protocolViolation: UInt16 = 13

    var code: UInt16
    var information: [UInt8]

    static func userAbort(_ reason: String) -> ErrorCause {
        ErrorCause(code: userInitiatedAbort, information: Array(reason.utf8.prefix(256)))
    }

    static func protocolViolation(_ reason: String) -> ErrorCause {
        ErrorCause(code: protocolViolation, information: Array(reason.utf8.prefix(256)))
    }

    var description: String {
        switch code {
        case Self.userInitiatedAbort, Self.protocolViolation:
            let text = String(decoding: information, as: UTF8.self)
            return code == Self.userInitiatedAbort ? "user abort: \(text)" : "protocol violation: \(text)"
        default: return "cause \(code)"
        }
    }

    static func parseAll(_ value: [UInt8]) throws(SCTPParseError) -> [ErrorCause] {
        try RawParameter.parseAll(value).map { ErrorCause(code: $0.type, information: $0.value) }
    }

    static func serialize(_ causes: [ErrorCause], into out: inout [UInt8]) {
        RawParameter.serializeList(causes.map { RawParameter(type: $0.code, value: $0.information) }, into: &out)
    }
}

/// ABORT (RFC 9260 §3.3.7); the T bit says the verification tag was reflected.
struct AbortChunk: Equatable, Sendable {
    var tagReflected: Bool
    var causes: [ErrorCause]

    static func parse(flags: UInt8, value: [UInt8]) throws(SCTPParseError) -> AbortChunk {
        AbortChunk(tagReflected: flags & 1 != 0, causes: (try? ErrorCause.parseAll(value)) ?? [])
    }

    func serializeValue(into out: inout [UInt8]) { ErrorCause.serialize(causes, into: &out) }
}

/// ERROR (RFC 9260 §3.3.10): reported, never fatal.
struct ErrorChunk: Equatable, Sendable {
    var causes: [ErrorCause]

    static func parse(_ value: [UInt8]) throws(SCTPParseError) -> ErrorChunk {
        ErrorChunk(causes: (try? ErrorCause.parseAll(value)) ?? [])
    }

    func serializeValue(into out: inout [UInt8]) { ErrorCause.serialize(causes, into: &out) }
}
