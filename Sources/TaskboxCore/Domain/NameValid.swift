/// Coder's name validators (tasks-api.md §3.1). Both return the first failing message,
/// worded as Coder words it, or nil when the name is fine.
public enum NameValidator {
    /// `codersdk.NameValid`: users, organizations, templates, workspaces and tasks.
    public static func validate(_ s: String) -> String? {
        // Lengths are in bytes, as Go's len().
        let length = s.utf8.count
        if length > 32 { return "must be <= 32 characters" }
        if length < 1 { return "must be >= 1 character" }
        return reservedOrPattern(s)
    }

    /// `codersdk.GroupNameValid`: longer (36 bytes, so a UUID fits) and no lower bound
    /// of its own; an empty name fails the pattern instead.
    public static func validateGroupName(_ s: String) -> String? {
        if s.utf8.count > 36 { return "must be <= 36 characters" }
        return reservedOrPattern(s)
    }

    private static func reservedOrPattern(_ s: String) -> String? {
        // Reserved because they clash with routes like /templates/new.
        if s == "new" || s == "create" { return "cannot use \"\(s)\" as a name" }
        return matchesPattern(s) ? nil : "must be alphanumeric with hyphens"
    }

    /// `^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$`: ASCII groups joined by single hyphens.
    private static func matchesPattern(_ s: String) -> Bool {
        var previousWasHyphen = true // so a leading hyphen fails
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                previousWasHyphen = false
            case UInt8(ascii: "-") where !previousWasHyphen:
                previousWasHyphen = true
            default:
                return false
            }
        }
        return !previousWasHyphen
    }
}
