import Foundation
import Testing

/// The store is the only layer that speaks SQL (issue 12): no file outside `Store/` imports
/// GRDB, writes SQL or touches the connection pool.
@Suite struct StructureTests {
    @Test func sqlLivesOnlyInTheStore() throws {
        let sources = Paths.repoRoot.appendingPathComponent("Sources")
        let store = sources.appendingPathComponent("TaskboxCore/Store").path + "/"
        let enumerator = try #require(FileManager.default.enumerator(atPath: sources.path))
        var checked = 0
        var offenders: [String] = []
        for case let relative as String in enumerator where relative.hasSuffix(".swift") {
            let path = sources.appendingPathComponent(relative).path
            if path.hasPrefix(store) { continue }
            checked += 1
            let text = try String(contentsOfFile: path, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") { continue }
                if code == "import GRDB" || code.contains("sql:") || code.contains(".pool.") || code.contains("pool.read")
                    || code.contains("pool.write") {
                    offenders.append("\(relative):\(number + 1): \(code)")
                }
            }
        }
        #expect(checked > 50, "only \(checked) files outside Store/ were read")
        #expect(offenders.isEmpty, "SQL or the pool outside Store/:\n\(offenders.joined(separator: "\n"))")
    }
}
