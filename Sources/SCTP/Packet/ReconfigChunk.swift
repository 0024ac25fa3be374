/// RE-CONFIG (RFC 6525 §3.1) with one or two parameters (§4).
struct ReconfigChunk: Equatable, Sendable {
    enum Parameter: Equatable, Sendable {
        /// RFC 6525 §4.1, type 13.
        case outgoingResetRequest(requestSequence: UInt32, responseSequence: UInt32, senderLastTSN: UInt32, streams: [UInt16])
        /// RFC 6525 §4.2, type 14.
        case incomingResetRequest(requestSequence: UInt32, streams: [UInt16])
        /// RFC 6525 §4.4, type 16.
        case response(responseSequence: UInt32, result: ReconfigResult)
        case other(RawParameter)
    }

    var parameters: [Parameter]

    static func parse(_ value: [UInt8]) throws(SCTPParseError) -> ReconfigChunk {
        var out: [Parameter] = []
        for raw in try RawParameter.parseAll(value) {
            var reader = ByteReader(raw.value)
            switch raw.type {
            case 13:
                let request = try reader.u32(), response = try reader.u32(), last = try reader.u32()
                out.append(.outgoingResetRequest(
                    requestSequence: request, responseSequence: response, senderLastTSN: last,
                    streams: try streams(&reader)))
            case 14:
                let request = try reader.u32()
                out.append(.incomingResetRequest(requestSequence: request, streams: try streams(&reader)))
            case 16:
                let sequence = try reader.u32()
                let code = try reader.u32()
                out.append(.response(responseSequence: sequence, result: ReconfigResult(rawValue: code) ?? .denied))
            default:
                out.append(.other(raw))
            }
        }
        guard !out.isEmpty else { throw SCTPParseError("empty RE-CONFIG") }
        return ReconfigChunk(parameters: out)
    }

    private static func streams(_ reader: inout ByteReader) throws(SCTPParseError) -> [UInt16] {
        var streams: [UInt16] = []
        while reader.remaining >= 2 { streams.append(try reader.u16()) }
        return streams
    }

    func serializeValue(into out: inout [UInt8]) {
        var raws: [RawParameter] = []
        for parameter in parameters {
            var value: [UInt8] = []
            let type: UInt16
            switch parameter {
            case .outgoingResetRequest(let request, let response, let last, let streams):
                type = 13
                value.appendU32(request); value.appendU32(response); value.appendU32(last)
                for stream in streams { value.appendU16(stream) }
            case .incomingResetRequest(let request, let streams):
                type = 14
                value.appendU32(request)
                for stream in streams { value.appendU16(stream) }
            case .response(let sequence, let result):
                type = 16
                value.appendU32(sequence); value.appendU32(result.rawValue)
            case .other(let raw):
                raws.append(raw)
                continue
            }
            raws.append(RawParameter(type: type, value: value))
        }
        RawParameter.serializeList(raws, into: &out)
    }
}

/// Re-configuration Response results (RFC 6525 §4.4).
enum ReconfigResult: UInt32, Sendable {
    case successNothingToDo = 0
    case successPerformed = 1
    case denied = 2
    case errorWrongSSN = 3
    case errorRequestAlreadyInProgress = 4
    case errorBadSequenceNumber = 5
    case inProgress = 6
}
