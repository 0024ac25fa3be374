/// The events that peers relay to each other through the signaling server.
/// The first four are the seed's; the rest are our extensions, which a seed
/// server does not forward (a peer that does not know them must still work).
public enum RelayKind: String, CaseIterable, Sendable {
    case call, offer, answer, candidate
    case accept, reject, busy, hangup

    /// True for the seed's own events, which every compatible server forwards.
    public var isSeedEvent: Bool {
        switch self {
        case .call, .offer, .answer, .candidate: return true
        case .accept, .reject, .busy, .hangup: return false
        }
    }
}

/// A user as listed by `roomUserList`: `{userId, roomId, nickname, pub}`.
public struct RoomUser: Sendable, Hashable {
    public var userId: String
    public var roomId: String
    public var nickname: String
    public var pub: String?

    public init(userId: String, roomId: String, nickname: String, pub: String? = nil) {
        self.userId = userId
        self.roomId = roomId
        self.nickname = nickname
        self.pub = pub
    }

    public init?(_ json: JSONValue) {
        guard let userId = json["userId"]?.identifierValue else { return nil }
        self.userId = userId
        roomId = json["roomId"]?.identifierValue ?? ""
        nickname = json["nickname"]?.identifierValue ?? userId
        pub = json["pub"]?.identifierValue
    }

    public var json: JSONValue {
        [
            "userId": .string(userId), "roomId": .string(roomId), "nickname": .string(nickname),
            "pub": pub.map(JSONValue.string) ?? .null,
        ]
    }
}

/// The server-to-client `msg` envelope: `{type, msg, status, data}`.
/// `msg` is a human sentence, `status` 200 for relayed events and an HTTP-like
/// code for errors, `data` the payload as the sender wrote it.
public struct Envelope: Sendable, Equatable {
    public var type: String
    public var msg: String
    public var status: Int
    public var data: JSONValue

    public init(type: String, msg: String, status: Int = 200, data: JSONValue = .null) {
        self.type = type
        self.msg = msg
        self.status = status
        self.data = data
    }

    public init?(_ json: JSONValue) {
        guard let type = json["type"]?.stringValue else { return nil }
        self.type = type
        msg = json["msg"]?.stringValue ?? ""
        if case .number(let s)? = json["status"] { status = Int(s) } else { status = 200 }
        data = json["data"] ?? .null
    }

    public var json: JSONValue {
        ["type": .string(type), "msg": .string(msg), "status": .number(Double(status)), "data": data]
    }
}

/// `{type, sdp}` as RTCSessionDescription serialises it.
public struct SessionDescription: Sendable, Equatable {
    public enum Kind: String, Sendable { case offer, answer, pranswer, rollback }
    public var type: Kind
    public var sdp: String

    public init(type: Kind, sdp: String) {
        self.type = type
        self.sdp = sdp
    }

    public init?(_ json: JSONValue) {
        guard let t = json["type"]?.stringValue, let kind = Kind(rawValue: t), let sdp = json["sdp"]?.stringValue
        else { return nil }
        self.init(type: kind, sdp: sdp)
    }

    public var json: JSONValue { ["type": .string(type.rawValue), "sdp": .string(sdp)] }
}

/// `{candidate, sdpMid, sdpMLineIndex, usernameFragment}` as RTCIceCandidate serialises it.
/// An empty `candidate` string is the end-of-candidates marker.
public struct IceCandidateInit: Sendable, Equatable {
    public var candidate: String
    public var sdpMid: String?
    public var sdpMLineIndex: Int?
    public var usernameFragment: String?

    public init(candidate: String, sdpMid: String? = nil, sdpMLineIndex: Int? = nil, usernameFragment: String? = nil) {
        self.candidate = candidate
        self.sdpMid = sdpMid
        self.sdpMLineIndex = sdpMLineIndex
        self.usernameFragment = usernameFragment
    }

    public init?(_ json: JSONValue) {
        guard let c = json["candidate"]?.stringValue else { return nil }
        candidate = c
        sdpMid = json["sdpMid"]?.identifierValue
        if case .number(let n)? = json["sdpMLineIndex"] { sdpMLineIndex = Int(n) }
        usernameFragment = json["usernameFragment"]?.stringValue
    }

    public var json: JSONValue {
        [
            "candidate": .string(candidate), "sdpMid": sdpMid.map(JSONValue.string) ?? .null,
            "sdpMLineIndex": sdpMLineIndex.map { .number(Double($0)) } ?? .null,
            "usernameFragment": usernameFragment.map(JSONValue.string) ?? .null,
        ]
    }
}
