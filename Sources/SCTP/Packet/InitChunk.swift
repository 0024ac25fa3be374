/// Parameter type codes used in INIT and INIT ACK (RFC 9260 §3.3.2, RFC 3758 §3.1, RFC 5061 §4.2.7).
enum InitParameterType {
    static let ipv4Address: UInt16 = 5
    static let ipv6Address: UInt16 = 6
    static let stateCookie: UInt16 = 7
    static let unrecognizedParameter: UInt16 = 8
    static let cookiePreservative: UInt16 = 9
    static let hostName: UInt16 = 11
    static let supportedAddressTypes: UInt16 = 12
    static let supportedExtensions: UInt16 = 0x8008
    static let forwardTSNSupported: UInt16 = 0xC000
    /// Known types whose high bits would otherwise mean "stop processing".
    static let knownLowTypes: Set<UInt16> = [5, 6, 7, 8, 9, 11, 12]
}

/// INIT and INIT ACK share one layout (RFC 9260 §3.3.2, §3.3.3).
struct InitChunk: Equatable, Sendable {
    var initiateTag: UInt32
    var advertisedReceiverWindow: UInt32
    var outboundStreams: UInt16
    var inboundStreams: UInt16
    var initialTSN: UInt32
    var parameters: [RawParameter]

    static func parse(_ value: [UInt8]) throws(SCTPParseError) -> InitChunk {
        var reader = ByteReader(value)
        let tag = try reader.u32()
        let window = try reader.u32()
        let outbound = try reader.u16()
        let inbound = try reader.u16()
        let tsn = try reader.u32()
        var kept: [RawParameter] = []
        // RFC 9260 §3.2.1: an unknown parameter with high bits 00/01 stops processing of the
        // rest; 10/11 are skipped. We never fail the chunk for them.
        for parameter in (try? RawParameter.parseAll(value, from: 16)) ?? [] {
            let known = InitParameterType.knownLowTypes.contains(parameter.type)
                || parameter.type == InitParameterType.supportedExtensions
                || parameter.type == InitParameterType.forwardTSNSupported
            if !known && parameter.type & 0x8000 == 0 { break }
            kept.append(parameter)
        }
        return InitChunk(
            initiateTag: tag, advertisedReceiverWindow: window, outboundStreams: outbound,
            inboundStreams: inbound, initialTSN: tsn, parameters: kept)
    }

    func serializeValue(into out: inout [UInt8]) {
        out.appendU32(initiateTag)
        out.appendU32(advertisedReceiverWindow)
        out.appendU16(outboundStreams)
        out.appendU16(inboundStreams)
        out.appendU32(initialTSN)
        RawParameter.serializeList(parameters, into: &out)
    }

    var stateCookie: [UInt8]? {
        parameters.first { $0.type == InitParameterType.stateCookie }?.value
    }

    var supportedExtensions: [UInt8] {
        parameters.first { $0.type == InitParameterType.supportedExtensions }?.value ?? []
    }

    /// RFC 3758 §3.1 parameter, or FORWARD-TSN listed in Supported Extensions (RFC 5061 §4.2.7).
    var supportsForwardTSN: Bool {
        parameters.contains { $0.type == InitParameterType.forwardTSNSupported }
            || supportedExtensions.contains(ChunkType.forwardTSN)
    }

    var supportsReconfig: Bool { supportedExtensions.contains(ChunkType.reconfig) }
}
