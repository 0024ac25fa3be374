import ArgumentParser

/// `call serve`: the signaling server and the web page.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the signaling server.")
    func run() async throws {}
}
