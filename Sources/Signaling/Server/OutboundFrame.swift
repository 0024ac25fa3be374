import NIOWebSocket

/// What a connection's writer task does next.
enum OutboundFrame: Sendable {
    /// Write one WebSocket text frame (an encoded Engine.IO packet).
    case text(String)
    /// Send a WebSocket close frame and stop writing.
    case close(WebSocketErrorCode, reason: String)
}
