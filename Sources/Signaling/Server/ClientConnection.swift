import NIOConcurrencyHelpers
import NIOWebSocket

/// One live Socket.IO client of this process: who it is and the bounded queue
/// of frames waiting to be written to it.
///
/// Any task may call ``send(_:)`` (relays come from other clients' readers); a
/// single writer task drains ``frames`` into the socket. The queue is bounded
/// in bytes: a client that stops reading would otherwise make the server hold
/// every message for it, so going over the bound drops the client.
final class ClientConnection: Sendable {
    let id: ConnectionID
    let user: RoomUser
    /// The Socket.IO session id sent in the `40{"sid"}` answer.
    let socketID: String
    let frames: AsyncStream<OutboundFrame>
    /// Yields once when the connection must end now, without flushing (the writer may be stuck).
    let aborts: AsyncStream<String>

    private let outbox: AsyncStream<OutboundFrame>.Continuation
    private let abortSignal: AsyncStream<String>.Continuation
    private let maxQueuedBytes: Int
    private let state = NIOLockedValueBox(State())

    private struct State {
        var queuedBytes = 0
        var closing = false
        var awaitingPong = false
        var joined = false
        var replaced = false
    }

    init(id: ConnectionID, user: RoomUser, socketID: String, maxQueuedBytes: Int) {
        self.id = id
        self.user = user
        self.socketID = socketID
        self.maxQueuedBytes = maxQueuedBytes
        (frames, outbox) = AsyncStream.makeStream(of: OutboundFrame.self)
        (aborts, abortSignal) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues one encoded Engine.IO packet; `false` when the connection is closing
    /// or was just dropped for having too much unread data.
    @discardableResult
    func send(_ text: String) -> Bool {
        let size = text.utf8.count
        let accepted: Bool? = state.withLockedValue { state in
            if state.closing { return false }
            if state.queuedBytes + size > maxQueuedBytes {
                state.closing = true
                return nil
            }
            state.queuedBytes += size
            return true
        }
        switch accepted {
        case true?:
            outbox.yield(.text(text))
            return true
        case false?:
            return false
        case nil:
            abort(reason: "client is not reading: more than \(maxQueuedBytes) bytes queued")
            return false
        }
    }

    /// Called by the writer once a text frame has gone to the socket.
    func didWrite(_ text: String) {
        let size = text.utf8.count
        state.withLockedValue { $0.queuedBytes -= size }
    }

    /// Sends what is queued, then a WebSocket close frame; later sends are refused.
    func close(_ code: WebSocketErrorCode, reason: String) {
        let first = state.withLockedValue { state in
            defer { state.closing = true }
            return !state.closing
        }
        guard first else { return }
        outbox.yield(.close(code, reason: reason))
        outbox.finish()
    }

    /// Ends the connection at once, dropping whatever is queued.
    func abort(reason: String) {
        state.withLockedValue { $0.closing = true }
        outbox.finish()
        abortSignal.yield(reason)
        abortSignal.finish()
    }

    var isClosing: Bool { state.withLockedValue { $0.closing } }

    /// Marks a ping as sent; returns `false` if the previous one was never answered.
    func pingSent() -> Bool {
        state.withLockedValue { state in
            defer { state.awaitingPong = true }
            return !state.awaitingPong
        }
    }

    var isAwaitingPong: Bool { state.withLockedValue { $0.awaitingPong } }

    func pongReceived() {
        state.withLockedValue { $0.awaitingPong = false }
    }

    /// Whether this connection got as far as being registered in its room.
    var hasJoined: Bool {
        get { state.withLockedValue { $0.joined } }
        set { state.withLockedValue { $0.joined = newValue } }
    }

    /// Set when a newer connection of the same user took over: its end is then no `leave`.
    var wasReplaced: Bool {
        get { state.withLockedValue { $0.replaced } }
        set { state.withLockedValue { $0.replaced = newValue } }
    }
}
