import ArgumentParser
import Foundation
import TaskboxCore

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Take a consistent online copy of the database (also while serve runs).")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Where to write the copy (replaced if it exists).") var to: String

    struct Result: Encodable { var path: String; var bytes: Int }

    func run() throws {
        try reportingErrors {
            try database.open().backup(to: to)
            let size = (try? FileManager.default.attributesOfItem(atPath: to)[.size] as? Int) ?? 0
            if output.json { return try printJSON(Result(path: to, bytes: size ?? 0)) }
            printLine("backed up \(database.db) to \(to) (\(size ?? 0) bytes)")
        }
    }
}
