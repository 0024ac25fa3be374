import ArgumentParser

@main
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "A terminal video call client.",
        subcommands: [JoinCommand.self, ServeCommand.self, PreviewCommand.self, DevicesCommand.self],
        defaultSubcommand: JoinCommand.self
    )
}
