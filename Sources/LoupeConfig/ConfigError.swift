/// A configuration that cannot be used, with where it is and what was expected.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// The config file, or nil for settings from flags and defaults.
    public var file: String?
    /// 1-based line of the offending value, when known.
    public var line: Int?
    /// The dotted key path, such as `models.fast.provider`.
    public var key: String?
    public var message: String

    public init(file: String?, line: Int?, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var location = file ?? "configuration"
        if let line { location += ":\(line)" }
        if let key { return "\(location): \(key): \(message)" }
        return "\(location): \(message)"
    }
}
