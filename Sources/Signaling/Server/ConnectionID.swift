/// Names one live client connection of this process.
///
/// The room registry stores it next to each user so that a router can find
/// the socket to write to. A registry shared by several server instances will
/// need the instance too; that is why it is a type and not a bare integer.
struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    let rawValue: UInt64
    var description: String { "c\(rawValue)" }
}
