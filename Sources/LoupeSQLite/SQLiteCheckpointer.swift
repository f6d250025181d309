import GRDB
import ServiceLifecycle

/// Copies the write-ahead log back into the database file in the background, on a connection of its own, so that
/// the store's writes do not pay for it: checkpoints inside commits took a fifth to a quarter of trace ingest.
///
/// Every `interval` it runs a PASSIVE checkpoint, which never blocks the writer or readers; once the log has been
/// copied, the next commit starts it again from the beginning, so it stays short. The store's own connections
/// still checkpoint past `SQLiteTraceStore.fallbackCheckpointPages`, in case this service falls behind or is
/// not running.
public struct SQLiteCheckpointer: Service {
    let path: String
    let interval: Duration

    init(path: String, interval: Duration = .milliseconds(200)) {
        self.path = path
        self.interval = interval
    }

    public func run() async throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            // A failed round (the disk full, say) leaves the log to the next one, or to the writer's fallback.
            // In the idle scheduling class: copying the log takes no core from a call.
            _ = try? await connection.writeWithoutTransaction { db in
                try WriterScheduling.idle(promotedAfter: interval) { try db.checkpoint(.passive) }
            }
        }
    }
}
