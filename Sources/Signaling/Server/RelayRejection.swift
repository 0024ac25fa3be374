/// An event the server refuses, told back to its sender as an `error` envelope:
/// `{type:"error", msg, status, data:{event, targetUid?}}`.
struct RelayRejection: Error, Equatable {
    var status: Int
    var sentence: String
    var event: String
    var targetUid: String?

    var envelope: Envelope {
        var data: [String: JSONValue] = ["event": .string(event)]
        if let targetUid { data["targetUid"] = .string(targetUid) }
        return Envelope(type: "error", msg: sentence, status: status, data: .object(data))
    }

    static func badRequest(_ sentence: String, event: String, targetUid: String? = nil) -> Self {
        Self(status: 400, sentence: sentence, event: event, targetUid: targetUid)
    }
}
