/// Who is in which room: the state a signaling server routes by.
///
/// Only user records live here, keyed by room and user id; the connections
/// themselves (sockets, outbound queues) stay in the process that owns them.
/// That keeps the seam for a store shared by several server instances: such a
/// store would keep the same records and answer the same questions.
protocol RoomRegistry: Sendable {
    /// Registers `user` in `user.roomId`, replacing an earlier record of the same user id there.
    func join(_ user: RoomUser, connection: ConnectionID) async -> RoomJoinOutcome
    /// Removes the user if `connection` still speaks for it; `false` when it was
    /// replaced meanwhile (the user is still there) or never joined.
    func leave(userId: String, roomId: String, connection: ConnectionID) async -> Bool
    /// The users of a room, in joining order.
    func users(in roomId: String) async -> [RoomMember]
    /// One user of one room; users of other rooms are never returned.
    func lookup(userId: String, in roomId: String) async -> RoomMember?
}
