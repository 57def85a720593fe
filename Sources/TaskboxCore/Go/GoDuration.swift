/// Go's `time.ParseDuration` as used by `tokens create --lifetime`: a sequence of decimal
/// numbers, each with a unit `ns`, `us`, `µs`, `ms`, `s`, `m` or `h` (`1h30m`, `1.5s`, `720h`).
public enum GoDuration {
    private static let units: [(name: String, seconds: Double)] = [
        ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
    ]

    public static func seconds(_ text: String) -> Double? {
        if text == "0" { return 0 }
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            // The longest unit wins, so `ms` is milliseconds and not minutes followed by `s`.
            guard let unit = units.filter({ rest.hasPrefix($0.name) }).max(by: { $0.name.count < $1.name.count })
            else { return nil }
            total += value * unit.seconds
            rest = rest.dropFirst(unit.name.count)
        }
        // Go's durations are int64 nanoseconds: longer ones are "invalid duration".
        return total <= maxSeconds ? total : nil
    }

    /// The longest duration Go can hold, about 292 years.
    public static let maxSeconds = Double(Int64.max) / 1e9
}
