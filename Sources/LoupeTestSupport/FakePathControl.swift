/// A leading path segment pair that changes how the fake answers whatever follows it:
/// `/status/503/v1/...` always fails with that status; `/delay/2000/v1/...` waits that long first.
enum FakePathControl: Equatable {
    case status(Int)
    case delay(milliseconds: Int)

    /// Reads a control from the front of `path` and removes it; nil when the path starts with none.
    init?(taking path: inout String) {
        let parts = path.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        // "/status/503/v1/..." splits into "", "status", "503/v1/...".
        guard parts.count == 3, parts[0].isEmpty else { return nil }
        let rest = parts[2]
        let value = rest.prefix { $0 != "/" }
        guard let number = Int(value) else { return nil }
        switch parts[1] {
        case "status" where (400..<600).contains(number): self = .status(number)
        case "delay" where number >= 0: self = .delay(milliseconds: number)
        default: return nil
        }
        path = String(rest.dropFirst(value.count))
    }
}
