/// Chunk type codes (RFC 9260 §3.2, RFC 3758 §3.2, RFC 6525 §3.1).
enum ChunkType {
    static let data: UInt8 = 0
    static let initiation: UInt8 = 1
    static let initAck: UInt8 = 2
    static let sack: UInt8 = 3
    static let heartbeat: UInt8 = 4
    static let heartbeatAck: UInt8 = 5
    static let abort: UInt8 = 6
    static let shutdown: UInt8 = 7
    static let shutdownAck: UInt8 = 8
    static let error: UInt8 = 9
    static let cookieEcho: UInt8 = 10
    static let cookieAck: UInt8 = 11
    static let shutdownComplete: UInt8 = 14
    static let reconfig: UInt8 = 0x82
    static let forwardTSN: UInt8 = 0xC0
}

/// Every chunk we understand, plus unknown ones kept for their type bits (RFC 9260 §3.2).
enum Chunk: Equatable, Sendable {
    case data(DataChunk)
    case initiation(InitChunk)
    case initAck(InitChunk)
    case sack(SackChunk)
    case heartbeat(HeartbeatChunk)
    case heartbeatAck(HeartbeatChunk)
    case abort(AbortChunk)
    case shutdown(ShutdownChunk)
    case shutdownAck
    case error(ErrorChunk)
    case cookieEcho(CookieEchoChunk)
    case cookieAck
    case shutdownComplete(tagReflected: Bool)
    case reconfig(ReconfigChunk)
    case forwardTSN(ForwardTSNChunk)
    case unknown(type: UInt8, flags: UInt8, value: [UInt8])

    static func parse(_ reader: inout ByteReader) throws(SCTPParseError) -> Chunk {
        let type = try reader.u8()
        let flags = try reader.u8()
        let length = Int(try reader.u16())
        guard length >= 4 else { throw SCTPParseError("chunk length \(length)") }
        if type == ChunkType.data {
            // DATA is most of the traffic: read it in place, copying only the user data once.
            guard reader.remaining >= length - 4 else { throw SCTPParseError("truncated") }
            var value = ByteReader(reader.bytes, from: reader.offset, to: reader.offset + length - 4)
            reader.skip(length - 4 + (4 - length % 4) % 4)
            return .data(try DataChunk.parse(flags: flags, value: &value))
        }
        let value = try reader.take(length - 4)
        // RFC 9260 §3.2: padding is not counted in the length; tolerate a missing final pad.
        reader.skip((4 - length % 4) % 4)
        switch type {
        case ChunkType.initiation: return .initiation(try InitChunk.parse(value))
        case ChunkType.initAck: return .initAck(try InitChunk.parse(value))
        case ChunkType.sack: return .sack(try SackChunk.parse(value))
        case ChunkType.heartbeat: return .heartbeat(try HeartbeatChunk.parse(value))
        case ChunkType.heartbeatAck: return .heartbeatAck(try HeartbeatChunk.parse(value))
        case ChunkType.abort: return .abort(try AbortChunk.parse(flags: flags, value: value))
        case ChunkType.shutdown: return .shutdown(try ShutdownChunk.parse(value))
        case ChunkType.shutdownAck: return .shutdownAck
        case ChunkType.error: return .error(try ErrorChunk.parse(value))
        case ChunkType.cookieEcho: return .cookieEcho(CookieEchoChunk(cookie: value))
        case ChunkType.cookieAck: return .cookieAck
        case ChunkType.shutdownComplete: return .shutdownComplete(tagReflected: flags & 1 != 0)
        case ChunkType.reconfig: return .reconfig(try ReconfigChunk.parse(value))
        case ChunkType.forwardTSN: return .forwardTSN(try ForwardTSNChunk.parse(value))
        default: return .unknown(type: type, flags: flags, value: value)
        }
    }

    var type: UInt8 {
        switch self {
        case .data: ChunkType.data
        case .initiation: ChunkType.initiation
        case .initAck: ChunkType.initAck
        case .sack: ChunkType.sack
        case .heartbeat: ChunkType.heartbeat
        case .heartbeatAck: ChunkType.heartbeatAck
        case .abort: ChunkType.abort
        case .shutdown: ChunkType.shutdown
        case .shutdownAck: ChunkType.shutdownAck
        case .error: ChunkType.error
        case .cookieEcho: ChunkType.cookieEcho
        case .cookieAck: ChunkType.cookieAck
        case .shutdownComplete: ChunkType.shutdownComplete
        case .reconfig: ChunkType.reconfig
        case .forwardTSN: ChunkType.forwardTSN
        case .unknown(let type, _, _): type
        }
    }

    /// Header plus value, before padding.
    var serializedLength: Int {
        // DATA and SACK are sized for every packet: count, do not serialize (RFC 9260 §3.3.1, §3.3.4).
        switch self {
        case .data(let chunk): return DataChunk.headerSize + chunk.payload.count
        case .sack(let chunk): return 16 + 4 * chunk.gapBlocks.count + 4 * chunk.duplicateTSNs.count
        default: break
        }
        var scratch: [UInt8] = []
        serialize(into: &scratch, pad: false)
        return scratch.count
    }

    func serialize(into out: inout [UInt8], pad: Bool = true) {
        let start = out.count
        var flags: UInt8 = 0
        out.append(type)
        out.append(0)
        out.appendU16(0)
        switch self {
        case .data(let chunk): flags = chunk.flags; chunk.serializeValue(into: &out)
        case .initiation(let chunk), .initAck(let chunk): chunk.serializeValue(into: &out)
        case .sack(let chunk): chunk.serializeValue(into: &out)
        case .heartbeat(let chunk), .heartbeatAck(let chunk): chunk.serializeValue(into: &out)
        case .abort(let chunk): flags = chunk.tagReflected ? 1 : 0; chunk.serializeValue(into: &out)
        case .shutdown(let chunk): chunk.serializeValue(into: &out)
        case .shutdownAck, .cookieAck: break
        case .error(let chunk): chunk.serializeValue(into: &out)
        case .cookieEcho(let chunk): out += chunk.cookie
        case .shutdownComplete(let reflected): flags = reflected ? 1 : 0
        case .reconfig(let chunk): chunk.serializeValue(into: &out)
        case .forwardTSN(let chunk): chunk.serializeValue(into: &out)
        case .unknown(_, let unknownFlags, let value): flags = unknownFlags; out += value
        }
        out[start + 1] = flags
        out.setU16(UInt16(truncatingIfNeeded: out.count - start), at: start + 2)
        if pad { out.padToFourBytes() }
    }
}

/// A TLV parameter as used inside INIT, HEARTBEAT, RE-CONFIG and error causes (RFC 9260 §3.2.1).
struct RawParameter: Equatable, Sendable {
    var type: UInt16
    var value: [UInt8]

    static func parseAll(_ bytes: [UInt8], from start: Int = 0) throws(SCTPParseError) -> [RawParameter] {
        var reader = ByteReader(bytes, from: start)
        var out: [RawParameter] = []
        while reader.remaining >= 4 {
            let type = try reader.u16()
            let length = Int(try reader.u16())
            guard length >= 4 else { throw SCTPParseError("parameter length \(length)") }
            out.append(RawParameter(type: type, value: try reader.take(length - 4)))
            reader.skip((4 - length % 4) % 4)
        }
        return out
    }

    func serialize(into out: inout [UInt8], pad: Bool = true) {
        out.appendU16(type)
        out.appendU16(UInt16(truncatingIfNeeded: value.count + 4))
        out += value
        if pad { out.padToFourBytes() }
    }

    /// RFC 9260 §3.2: a chunk's length includes the padding of every parameter but the last
    /// (whose padding is the chunk's own).
    static func serializeList(_ parameters: [RawParameter], into out: inout [UInt8]) {
        for (index, parameter) in parameters.enumerated() {
            parameter.serialize(into: &out, pad: index < parameters.count - 1)
        }
    }
}
