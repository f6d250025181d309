import Logging

/// A `StreamLogHandler` that formats its metadata only when it writes a line.
///
/// `StreamLogHandler` formats its metadata into text every time a key is set, and Hummingbird sets
/// `hb.request.id` on every request's logger: that formatting was about 7% of the handler thread's time
/// on a small MLflow call, for lines that are almost never written. The lines are the same.
struct LazyMetadataLogHandler: LogHandler {
    private var stream: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(_ stream: StreamLogHandler) {
        self.stream = stream
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var stream = stream
        stream.metadata = metadata
        stream.log(event: event)
    }
}
