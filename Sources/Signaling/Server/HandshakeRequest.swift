/// The Engine.IO handshake a client asks for in its upgrade URL:
/// `/socket.io/?EIO=4&transport=websocket&userId=U&roomId=R&nickname=N[&pub=P]`.
///
/// Identity comes from this query, as in the seed server.
struct HandshakeRequest: Sendable, Equatable {
    var user: RoomUser

    /// Why a request cannot become a Socket.IO session. `code` follows Engine.IO's
    /// HTTP error codes (0 unknown transport, 3 bad request, 5 unsupported version).
    struct Rejection: Error, Equatable {
        var code: Int
        var message: String
    }

    static let maxIdentifierLength = 128

    /// Parses a request target (path and query).
    static func parse(target: String) -> Result<HandshakeRequest, Rejection> {
        let pathEnd = target.firstIndex(of: "?") ?? target.endIndex
        let path = target[..<pathEnd]
        guard path == "/socket.io/" || path == "/socket.io" else {
            return .failure(Rejection(code: 3, message: "Socket.IO lives at /socket.io/, not \(path)"))
        }
        let query = pathEnd < target.endIndex ? target[target.index(after: pathEnd)...] : ""
        let fields = parseQuery(query)
        guard fields["EIO"] == "4" else {
            return .failure(
                Rejection(code: 5, message: "Unsupported protocol version: this server speaks Engine.IO 4 (EIO=4)"))
        }
        guard fields["transport"] == "websocket" else {
            return .failure(
                Rejection(code: 0, message: "Transport unknown: this server accepts transport=websocket only"))
        }
        guard let userId = fields["userId"], !userId.isEmpty else {
            return .failure(Rejection(code: 3, message: "Bad request: the query needs a userId"))
        }
        guard let roomId = fields["roomId"], !roomId.isEmpty else {
            return .failure(Rejection(code: 3, message: "Bad request: the query needs a roomId"))
        }
        let nickname = fields["nickname"].flatMap { $0.isEmpty ? nil : $0 } ?? userId
        let pub = fields["pub"]
        for value in [userId, roomId, nickname, pub ?? ""] where value.count > maxIdentifierLength {
            return .failure(
                Rejection(code: 3, message: "Bad request: query values are limited to \(maxIdentifierLength) characters"))
        }
        return .success(HandshakeRequest(user: RoomUser(userId: userId, roomId: roomId, nickname: nickname, pub: pub)))
    }

    /// `a=1&b=x+y%21` → `["a": "1", "b": "x y!"]` (form encoding, as browsers and Python write it).
    static func parseQuery(_ query: Substring) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecode(parts[0]) else { continue }
            let value = parts.count > 1 ? percentDecode(parts[1]) : ""
            if let value, fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    /// Decodes `+` and `%XX`; `nil` for a broken escape or bytes that are not UTF-8.
    static func percentDecode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue)
                else { return nil }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
