import ArgumentParser

/// `call --user U --room R`: joins a room and calls or answers.
struct JoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "join", abstract: "Join a room (the default).")
    @Option(name: .long, help: "Your user id.") var user: String
    @Option(name: .long, help: "The room to join.") var room: String
    func run() async throws {}
}
