/// The room registry of a single server process.
actor InMemoryRoomRegistry: RoomRegistry {
    private let maxUsersPerRoom: Int
    private let maxRooms: Int
    /// Rooms hold a handful of users, so an array (which keeps joining order) beats a dictionary.
    private var rooms: [String: [RoomMember]] = [:]

    init(maxUsersPerRoom: Int, maxRooms: Int) {
        self.maxUsersPerRoom = maxUsersPerRoom
        self.maxRooms = maxRooms
    }

    func join(_ user: RoomUser, connection: ConnectionID) -> RoomJoinOutcome {
        let member = RoomMember(user: user, connection: connection)
        guard var members = rooms[user.roomId] else {
            guard rooms.count < maxRooms else { return .tooManyRooms(limit: maxRooms) }
            rooms[user.roomId] = [member]
            return .joined(replaced: nil)
        }
        if let index = members.firstIndex(where: { $0.user.userId == user.userId }) {
            let replaced = members[index].connection
            members[index] = member
            rooms[user.roomId] = members
            return .joined(replaced: replaced)
        }
        guard members.count < maxUsersPerRoom else { return .roomFull(limit: maxUsersPerRoom) }
        members.append(member)
        rooms[user.roomId] = members
        return .joined(replaced: nil)
    }

    func leave(userId: String, roomId: String, connection: ConnectionID) -> Bool {
        guard var members = rooms[roomId],
            let index = members.firstIndex(where: { $0.user.userId == userId && $0.connection == connection })
        else { return false }
        members.remove(at: index)
        rooms[roomId] = members.isEmpty ? nil : members
        return true
    }

    func users(in roomId: String) -> [RoomMember] {
        rooms[roomId] ?? []
    }

    func lookup(userId: String, in roomId: String) -> RoomMember? {
        rooms[roomId]?.first { $0.user.userId == userId }
    }

    /// How many rooms exist (for tests and logs).
    var roomCount: Int { rooms.count }
}
