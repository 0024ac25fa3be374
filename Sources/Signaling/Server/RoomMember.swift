/// A user registered in a room, and the connection that speaks for it.
struct RoomMember: Sendable, Equatable {
    var user: RoomUser
    var connection: ConnectionID
}
