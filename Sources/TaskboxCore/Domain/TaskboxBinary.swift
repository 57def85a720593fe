import Foundation

/// The running taskbox executable: the demo templates run it as their app, and the sandbox
/// keeps it visible to the apps it wraps.
public enum TaskboxBinary {
    /// This process's executable, symlinks resolved where /proc says so.
    public static var path: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}
