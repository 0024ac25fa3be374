/// What ``RoomRegistry/join(_:connection:)`` did.
enum RoomJoinOutcome: Sendable, Equatable {
    /// The user is in the room; `replaced` is the older connection of the same
    /// user id that this one took over, which the caller must disconnect.
    case joined(replaced: ConnectionID?)
    /// The room already holds `limit` users.
    case roomFull(limit: Int)
    /// The room did not exist and `limit` rooms already do.
    case tooManyRooms(limit: Int)
}
