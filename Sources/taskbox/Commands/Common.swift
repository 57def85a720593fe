import ArgumentParser
import Foundation
import TaskboxCore

/// Options every subcommand takes (taskbox.md §1).
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite database file (env TASKBOX_DB).")
    var db: String = ProcessInfo.processInfo.environment["TASKBOX_DB"] ?? "taskbox.db"

    func open() throws -> AppDatabase {
        do {
            return try AppDatabase(path: db)
        } catch {
            throw CLIError("cannot open database \(db): \(error)")
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct OutputOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Output format: text or json.")
    var output: OutputFormat = .text

    var json: Bool { output == .json }
}

/// A failure reported as one line on stderr with exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// Runs a command body, turning every error into one line on stderr and a non-zero exit.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        let text = String(describing: error).split(separator: "\n").joined(separator: " ")
        FileHandle.standardError.write(Data("error: \(text)\n".utf8))
        throw ExitCode.failure
    }
}

/// `reportingErrors` for a body that awaits.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        let text = String(describing: error).split(separator: "\n").joined(separator: " ")
        FileHandle.standardError.write(Data("error: \(text)\n".utf8))
        throw ExitCode.failure
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

func printLine(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Left-aligned columns for human output.
func printTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
    for row in all {
        let cells = row.enumerated().map { i, cell in
            i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
        }
        printLine(cells.joined(separator: "  "))
    }
}
