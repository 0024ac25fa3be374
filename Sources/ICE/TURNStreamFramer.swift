/// TURN over TCP (RFC 8656 §3.1, §12.5): on a stream, STUN messages and
/// ChannelData messages follow each other with no other framing, each one's
/// own header saying how long it is. Over TCP a ChannelData message is padded
/// to a multiple of four bytes. Sans-IO: bytes in, whole messages out.
public struct TURNStreamFramer: Sendable {
    private var buffer: [UInt8] = []
    /// Set when the stream carried something that is neither STUN nor ChannelData:
    /// the connection can no longer be read and should be closed.
    public private(set) var isBroken = false
    /// A message larger than this cannot come from a sane server (RFC 8489 allows
    /// up to 64 KiB plus the header); stop rather than buffer without end.
    static let maximumMessage = 65_536 + 20

    public init() {}

    /// What to write on the stream for one datagram the TURN client made.
    public static func frame(_ message: [UInt8]) -> [UInt8] {
        guard let first = message.first, first & 0xC0 == 0x40, message.count % 4 != 0 else { return message }
        return message + [UInt8](repeating: 0, count: 4 - message.count % 4)
    }

    /// Appends bytes read from the stream; returns the messages they completed,
    /// each as the TURN client expects a datagram (ChannelData without the padding).
    public mutating func append(_ bytes: [UInt8]) -> [[UInt8]] {
        guard !isBroken else { return [] }
        buffer += bytes
        var messages: [[UInt8]] = []
        var start = 0
        while buffer.count - start >= 4 {
            let length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
            let kind = buffer[start] & 0xC0
            let size: Int
            let consumed: Int
            switch kind {
            case 0x00:  // STUN: 20-byte header, length excludes it
                size = 20 + length
                consumed = size
            case 0x40:  // ChannelData: 4-byte header, padded on a stream
                size = 4 + length
                consumed = (size + 3) & ~3
            default:
                isBroken = true
                buffer.removeAll()
                return messages
            }
            guard consumed <= Self.maximumMessage else {
                isBroken = true
                buffer.removeAll()
                return messages
            }
            guard buffer.count - start >= consumed else { break }
            messages.append(Array(buffer[start..<start + size]))
            start += consumed
        }
        buffer.removeFirst(start)
        return messages
    }
}
