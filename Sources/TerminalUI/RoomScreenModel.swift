/// Everything the room screen shows, as a plain value.
///
/// The call logic maps its state into this model and hands it to
/// `RoomScreen.render(_:)`; the screen never reaches back into the call.
/// The chat draft the user is typing is deliberately not here: it belongs to
/// the key state machine on the UI thread (`RoomKeyMap`), so keystrokes do not
/// round-trip through the call logic; a finished line arrives as
/// `RoomScreenCommand.sendChat`.
public struct RoomScreenModel: Sendable, Equatable {
    public var selfUser: UserRow
    public var room: String
    /// The signaling server as the user gave it, e.g. `127.0.0.1:18080`.
    public var server: String
    /// The others in the room, in display order (self excluded).
    public var users: [UserRow]
    public var selectedUserID: String?
    public var callLine: CallLine
    public var connection: ConnectionLine
    /// Oldest first; the screen shows the newest that fit.
    public var chat: [ChatLine]
    /// How many rows of chat history are scrolled back from the newest (0: following new lines).
    public var chatScrollBack = 0
    /// One line of status ("chat needs a call"); replaces the key hints.
    public var notice: String?
    public var showHelp: Bool
    /// Shown centered in the remote video area until video is drawn there.
    public var remoteVideoLabel: String
    /// Shown centered in the local preview area until video is drawn there.
    public var previewLabel: String

    public init(
        selfUser: UserRow,
        room: String,
        server: String,
        users: [UserRow] = [],
        selectedUserID: String? = nil,
        callLine: CallLine = .idle,
        connection: ConnectionLine = .connecting,
        chat: [ChatLine] = [],
        notice: String? = nil,
        showHelp: Bool = false,
        remoteVideoLabel: String = "no video yet",
        previewLabel: String = "no camera"
    ) {
        self.selfUser = selfUser
        self.room = room
        self.server = server
        self.users = users
        self.selectedUserID = selectedUserID
        self.callLine = callLine
        self.connection = connection
        self.chat = chat
        self.notice = notice
        self.showHelp = showHelp
        self.remoteVideoLabel = remoteVideoLabel
        self.previewLabel = previewLabel
    }

    /// The index of the selected user in `users`, if the selection is still in the room.
    public var selectedIndex: Int? {
        guard let selectedUserID else { return nil }
        return users.firstIndex { $0.id == selectedUserID }
    }

    /// Moves the selection `step` rows (negative is up), stopping at the ends.
    /// With no valid selection, any step selects the first user, so the first
    /// arrow press after a join does something visible.
    public mutating func moveSelection(by step: Int) {
        guard !users.isEmpty else {
            selectedUserID = nil
            return
        }
        guard let index = selectedIndex else {
            selectedUserID = users[0].id
            return
        }
        let target = min(max(index + step, 0), users.count - 1)
        selectedUserID = users[target].id
    }
}

/// One user as listed on screen.
public struct UserRow: Sendable, Hashable, Identifiable {
    public var id: String
    public var nickname: String

    public init(id: String, nickname: String) {
        self.id = id
        self.nickname = nickname
    }

    /// `nickname (id)`, or just the id when the nickname is empty or the same.
    public var displayName: String {
        nickname.isEmpty || nickname == id ? id : "\(nickname) (\(id))"
    }
}

/// The call as it reads on the status line.
public enum CallLine: Sendable, Equatable {
    case idle
    /// We called the peer and wait for an answer.
    case ringingOut(UserRow)
    /// The peer calls us; the screen shows a banner until accepted or rejected.
    case ringingIn(UserRow)
    case connecting(UserRow)
    /// Elapsed whole seconds rather than a start time, so rendering stays a
    /// pure function of the model: the caller bumps it once a second.
    case inCall(UserRow, elapsedSeconds: Int)
    case ended(reason: String)

    /// The peer this state is about, if any.
    public var peer: UserRow? {
        switch self {
        case .idle, .ended: nil
        case .ringingOut(let peer), .ringingIn(let peer), .connecting(let peer), .inCall(let peer, _): peer
        }
    }

    /// Short human text, e.g. `in call with Bob 02:13`.
    public var text: String {
        switch self {
        case .idle: "idle"
        case .ringingOut(let peer): "calling \(peer.nickname.isEmpty ? peer.id : peer.nickname)…"
        case .ringingIn(let peer): "incoming call from \(peer.nickname.isEmpty ? peer.id : peer.nickname)"
        case .connecting(let peer): "connecting to \(peer.nickname.isEmpty ? peer.id : peer.nickname)…"
        case .inCall(let peer, let elapsed):
            "in call with \(peer.nickname.isEmpty ? peer.id : peer.nickname) \(Self.clock(elapsed))"
        case .ended(let reason): reason.isEmpty ? "call ended" : "call ended: \(reason)"
        }
    }

    /// `mm:ss`, or `h:mm:ss` from an hour on.
    static func clock(_ seconds: Int) -> String {
        let seconds = max(0, seconds)
        let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(two(m)):\(two(s))"
    }
}

/// The link to the signaling server (or our own server), as short text.
public enum ConnectionLine: Sendable, Equatable {
    case connecting
    case connected
    case reconnecting(attempt: Int, retryInSeconds: Int)
    case disconnected(reason: String)
    /// This process serves the room itself.
    case hosting(port: Int)

    public var text: String {
        switch self {
        case .connecting: "connecting"
        case .connected: "connected"
        case .reconnecting(let attempt, let retry): "reconnecting (try \(attempt), next in \(retry)s)"
        case .disconnected(let reason): reason.isEmpty ? "disconnected" : "disconnected: \(reason)"
        case .hosting(let port): "hosting :\(port)"
        }
    }

    /// Whether the line deserves attention colour (anything but a healthy link).
    var isTrouble: Bool {
        switch self {
        case .connected, .hosting: false
        case .connecting, .reconnecting, .disconnected: true
        }
    }
}

/// One line of chat history.
public struct ChatLine: Sendable, Equatable {
    public var from: String
    public var text: String
    public var isSelf: Bool
    /// A line from the client itself ("call ended"), drawn dim and without a sender.
    public var isSystem: Bool
    /// When it was said, as the screen shows it ("14:03"); empty to show none.
    public var time: String

    public init(from: String, text: String, isSelf: Bool = false, isSystem: Bool = false, time: String = "") {
        self.from = from
        self.text = text
        self.isSelf = isSelf
        self.isSystem = isSystem
        self.time = time
    }

    public static func system(_ text: String, time: String = "") -> ChatLine {
        ChatLine(from: "", text: text, isSystem: true, time: time)
    }
}
