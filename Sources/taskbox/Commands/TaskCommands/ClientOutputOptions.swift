import ArgumentParser
import Foundation

enum ClientOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// `-o table|json` of the client commands: a table for people, the server's JSON for scripts.
struct ClientOutputOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Output format: table or json.")
    var output: ClientOutputFormat = .table

    var json: Bool { output == .json }
}

/// One compact JSON document per line, for output that streams (`--follow`, `--watch`).
func printJSONLine<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
}
